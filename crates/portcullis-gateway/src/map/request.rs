//! The map-request phase: what the route's integration is sent. Parameter
//! mappings, request templates, `contentHandling` and the Lambda proxy event
//! are applied here, once for every integration type.

use bytes::Bytes;
use http::{Request, header};
use http_body_util::Full;

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
    state: &RequestState<'_>,
    body: Bytes,
) -> Result<IntegrationRequest<'p>, GatewayError> {
    match &route.plan.integration {
        IntegrationPlan::Http(plan) => {
            let mapped = params::apply(&plan.mappings, route, state, &body);
            let uri = http_request::target_uri(plan, route, state, &mapped)
                .ok_or(GatewayError::IntegrationFailure)?;
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
            let method = plan
                .method
                .clone()
                .unwrap_or_else(|| state.parts.method.clone());
            let mut request = Request::builder()
                .method(method)
                .uri(uri)
                .body(Full::new(body))
                .map_err(|_| GatewayError::IntegrationFailure)?;
            *request.headers_mut() =
                http_request::outgoing_headers(plan.proxy, route, state, mapped);
            if let Some(host) = &plan.host_header {
                request.headers_mut().insert(header::HOST, host.clone());
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
    state: &RequestState<'_>,
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
        BodyChoice::Render(template) => template::render(template, route, state, &body),
        BodyChoice::Refuse => Err(GatewayError::UnsupportedMediaType),
    }
}

/// A MOCK's selection subject: the `statusCode` of its request template's JSON
/// output; empty (the default response) when it has no template.
fn mock_status(
    plan: &MockPlan,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &Bytes,
) -> Result<String, GatewayError> {
    let Some(template) = &plan.request_template else {
        return Ok(String::new());
    };
    let output = template::render(template, route, state, body)?;
    status_code(&output).ok_or_else(|| {
        tracing::warn!(
            request_id = state.ids.request_id(),
            "MOCK request template output has no statusCode"
        );
        ConfigurationFault::MockWithoutStatus.into()
    })
}

/// `statusCode` of a MOCK template's output (`{"statusCode": 200}`), as text.
fn status_code(output: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(output).ok()?;
    match value.get("statusCode")? {
        serde_json::Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        serde_json::Value::String(s) => s.trim().parse::<u16>().ok().map(|n| n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::status_code;

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
}
