//! The map-request phase: what the route's integration is sent. Parameter
//! mappings, request templates, `contentHandling` and the Lambda proxy event
//! are applied here, once for every integration type.

use bytes::Bytes;
use http::{Request, header};

use super::{encoding, http_request, lambda_event, params, template};
use crate::config::ContentHandling;
use crate::error::{ConfigurationFault, GatewayError};
use crate::integration::IntegrationRequest;
use crate::request::{RequestState, Routed};
use crate::runtime::{BodyChoice, IntegrationPlan, MockPlan, RequestBody};

/// Maps the client's request into the integration request of its route.
///
/// # Errors
/// 415 when no template matches and passthrough is not allowed; AWS's 500 when
/// a template or conversion fails; an integration failure when the
/// integration URI cannot be built from the request.
pub(crate) fn build<'p>(
    route: &Routed<'p>,
    state: &mut RequestState<'_>,
    body: Bytes,
) -> Result<IntegrationRequest<'p>, GatewayError> {
    match &route.plan.integration {
        IntegrationPlan::Http(plan) => {
            let mut mapped = params::apply(&plan.mappings, route, state, &body);
            // The template runs first: its requestOverride changes the URL and headers.
            let body = if plan.proxy {
                body
            } else {
                payload(
                    &plan.request_body,
                    plan.content_handling,
                    route,
                    state,
                    body,
                )?
            };
            if let Some(overrides) = &state.overrides {
                mapped.apply_overrides(overrides);
            }
            if let Some(name) = reserved_mapping(&mapped.headers, plan.aws.is_some()) {
                return Err(ConfigurationFault::ReservedHeaderMapped(name).into());
            }
            let uri = http_request::target_uri(plan, route, state, &mapped)
                .ok_or(GatewayError::IntegrationFailure)?;
            let method = plan
                .method
                .clone()
                .unwrap_or_else(|| state.parts.method.clone());
            let mut request = Request::builder()
                .method(method)
                .uri(uri)
                .body(body)
                .map_err(|_| GatewayError::IntegrationFailure)?;
            *request.headers_mut() =
                http_request::outgoing_headers(plan.proxy, route, state, mapped);
            if let Some(host) = &plan.host_header {
                request.headers_mut().insert(header::HOST, host.clone());
            }
            // A JSON service reads its operation from X-Amz-Target and its
            // input only under its own content type, whatever the template's.
            if let Some((target, content_type)) = plan.aws.as_ref().and_then(|a| a.json.as_ref()) {
                let headers = request.headers_mut();
                headers.insert("x-amz-target", target.clone());
                headers.insert(header::CONTENT_TYPE, content_type.clone());
            }
            Ok(IntegrationRequest::Http(plan, request))
        }
        IntegrationPlan::Lambda(plan) => {
            let payload = if plan.proxy {
                lambda_event::build(plan.event_format, route, state, &body)
            } else {
                payload(
                    &plan.request_body,
                    plan.content_handling,
                    route,
                    state,
                    body,
                )?
            };
            Ok(IntegrationRequest::Lambda(plan, payload))
        }
        IntegrationPlan::Mock(plan) => Ok(IntegrationRequest::Mock(
            plan,
            mock_status(plan, route, state, &body)?,
        )),
        IntegrationPlan::Service(plan) => {
            let (request, region) = super::service::build(plan, route, state, &body)?;
            Ok(IntegrationRequest::Service(plan, request, region))
        }
        IntegrationPlan::Unserved(plan) => {
            tracing::warn!(
                request_id = %state.ids.request_id(),
                "{} {}: {}",
                state.parts.method,
                route.plan.route_key,
                plan.reason
            );
            Err(plan.error.clone())
        }
    }
}

/// The body a non-proxy integration sends: `contentHandling` applied, then the
/// request template chosen by content type (or passthrough, or 415).
/// Binary payloads pass through untouched unless converted to text: templates only see text.
fn payload(
    request_body: &RequestBody,
    content_handling: Option<ContentHandling>,
    route: &Routed<'_>,
    state: &mut RequestState<'_>,
    body: Bytes,
) -> Result<Bytes, GatewayError> {
    let content_type = state.parts.headers.get(header::CONTENT_TYPE);
    let binary = encoding::is_binary(
        &route.api.binary_media_types,
        content_type.and_then(|v| v.to_str().ok()),
    );
    let text_view = content_handling == Some(ContentHandling::ConvertToText);
    let body = encoding::convert_request(body, binary, content_handling)?;
    if binary && !text_view {
        return Ok(body);
    }
    match request_body.choose(content_type) {
        BodyChoice::Passthrough => Ok(body),
        BodyChoice::Render(template) => {
            let rendered = template::render(template, route, state, &body)?;
            keep_overrides(state, rendered.overrides);
            Ok(rendered.body)
        }
        BodyChoice::Refuse => Err(GatewayError::UnsupportedMediaType),
    }
}

/// A MOCK's selection subject: the `statusCode` of its request template's JSON
/// output; empty (the default response) when it has no template.
fn mock_status(
    plan: &MockPlan,
    route: &Routed<'_>,
    state: &mut RequestState<'_>,
    body: &Bytes,
) -> Result<String, GatewayError> {
    let Some(template) = &plan.request_template else {
        return Ok(String::new());
    };
    let rendered = template::render(template, route, state, body)?;
    keep_overrides(state, rendered.overrides);
    status_code(&rendered.body).ok_or_else(|| {
        tracing::warn!(
            request_id = state.ids.request_id(),
            "MOCK request template output has no statusCode"
        );
        ConfigurationFault::MockWithoutStatus.into()
    })
}

/// Keeps what a request template set in `$context.*Override` for the rest of the request.
fn keep_overrides(state: &mut RequestState<'_>, overrides: Option<super::overrides::Overrides>) {
    if let Some(overrides) = overrides {
        state.overrides = Some(Box::new(overrides));
    }
}

/// `statusCode` of a MOCK template's output (`{"statusCode": 200}`), as text.
///
/// API Gateway also accepts output that is not strict JSON, such as the
/// `{statusCode: 200}` CDK writes for CORS preflights: when JSON parsing
/// fails, the top-level object is read leniently ([`lenient_status_code`]).
fn status_code(output: &[u8]) -> Option<String> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(output) else {
        return lenient_status_code(std::str::from_utf8(output).ok()?);
    };
    match value.get("statusCode")? {
        serde_json::Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        serde_json::Value::String(s) => s.trim().parse::<u16>().ok().map(|n| n.to_string()),
        _ => None,
    }
}

/// `statusCode` from a JavaScript-like object literal: keys bare or quoted
/// with `'` or `"`, values scalars, quoted text or nested `{...}` / `[...]`
/// (skipped). `None` unless the text is one such object holding an integer
/// `statusCode`.
fn lenient_status_code(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix('{')?.strip_suffix('}')?;
    let mut rest = inner;
    let mut found = None;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return found;
        }
        let (key, after_key) = lenient_token(rest)?;
        let after_colon = after_key.trim_start().strip_prefix(':')?.trim_start();
        let (value, after_value) = lenient_token(after_colon)?;
        if key.trim_matches(['"', '\'']) == "statusCode" {
            let digits = value.trim_matches(['"', '\'']);
            found = Some(digits.parse::<u16>().ok()?.to_string());
        }
        rest = after_value.trim_start();
        match rest.strip_prefix(',') {
            Some(next) => rest = next,
            None if rest.is_empty() => return found,
            None => return None,
        }
    }
}

/// One key or value at the start of `text`: quoted text, a balanced
/// `{...}` / `[...]`, or a bare word up to `,` or `:`. Returns it and the rest.
fn lenient_token(text: &str) -> Option<(&str, &str)> {
    let first = text.chars().next()?;
    let end = match first {
        '"' | '\'' => text[1..].find(first)? + 2,
        '{' | '[' => {
            let mut depth = 0usize;
            let mut end = None;
            for (i, c) in text.char_indices() {
                match c {
                    '{' | '[' => depth += 1,
                    '}' | ']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            end?
        }
        _ => text.find([',', ':']).unwrap_or(text.len()),
    };
    let token = text[..end].trim_end();
    (!token.is_empty()).then_some((token, &text[end..]))
}

/// Integration request headers no mapping may set, because they frame the
/// message or describe the connection: forwarded, a client's value could
/// make the backend read another request. API Gateway answers 500 when a
/// mapping sets one, and for a signed AWS service call when it sets
/// `Authorization` (recorded in LocalStack's AWS-validated header-remapping test).
const RESERVED_REQUEST_HEADERS: [&str; 6] = [
    "connection",
    "content-length",
    "expect",
    "proxy-authenticate",
    "te",
    "transfer-encoding",
];

/// The first reserved header `mapped` sets, if any.
fn reserved_mapping(mapped: &http::HeaderMap, signed: bool) -> Option<&'static str> {
    if mapped.is_empty() {
        return None;
    }
    RESERVED_REQUEST_HEADERS
        .into_iter()
        .chain(signed.then_some("authorization"))
        .find(|name| mapped.contains_key(*name))
}

#[cfg(test)]
mod tests {
    use super::{reserved_mapping, status_code};

    #[test]
    fn framing_headers_are_never_mapped_onto_the_integration_request() {
        let mut mapped = http::HeaderMap::new();
        mapped.insert("x-tenant", http::HeaderValue::from_static("a"));
        mapped.insert("authorization", http::HeaderValue::from_static("Bearer t"));
        // An HTTP backend may be given a token; a signed service call may not.
        assert_eq!(reserved_mapping(&mapped, false), None);
        assert_eq!(reserved_mapping(&mapped, true), Some("authorization"));
        mapped.insert("content-length", http::HeaderValue::from_static("5"));
        assert_eq!(reserved_mapping(&mapped, false), Some("content-length"));
        mapped.clear();
        mapped.insert(
            "transfer-encoding",
            http::HeaderValue::from_static("chunked"),
        );
        assert_eq!(reserved_mapping(&mapped, false), Some("transfer-encoding"));
    }

    #[test]
    fn status_from_template_output() {
        assert_eq!(
            status_code(br#"{"statusCode": 201}"#).as_deref(),
            Some("201")
        );
        assert_eq!(
            status_code(br#" {"statusCode": "404"} "#).as_deref(),
            Some("404")
        );
        assert_eq!(status_code(b"{}"), None);
        assert_eq!(status_code(b"not json"), None);
    }

    #[test]
    fn status_from_output_that_is_not_strict_json() {
        for (output, status) in [
            ("{statusCode: 200}", Some("200")),
            (
                "  {\n  statusCode: 204 , other: 'x,y', \"n\": {a: [1, {b: 2}]}\n}\n",
                Some("204"),
            ),
            ("{'statusCode': 404}", Some("404")),
            ("{statusCode: '500'}", Some("500")),
            ("{statusCode: 2oo}", None),
            ("{statusCode 200}", None),
            ("{other: 1}", None),
            ("statusCode: 200", None),
            ("{statusCode: 200} trailing", None),
            ("{a: 'unterminated}", None),
            ("{a: [1, 2}", None),
        ] {
            assert_eq!(
                status_code(output.as_bytes()).as_deref(),
                status,
                "{output:?}"
            );
        }
    }
}
