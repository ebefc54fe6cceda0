//! Integrations: how a routed request reaches its backend.

mod encoding;
mod http;
mod lambda;
mod mapping;
mod mock;

pub use self::http::call as call_http;
pub(crate) use encoding::binary_media_types;
pub use lambda::call as call_lambda;
pub use mock::respond as respond_mock;

use ::http::{HeaderMap, HeaderName, HeaderValue, Response, header};
use bytes::Bytes;
use http_body_util::Full;

use portcullis_mapping::jsonpath::JsonPath;

use crate::config::ContentHandling;
use crate::context::RequestContext;
use crate::respond::{Body, GatewayError};
use crate::runtime::{BodyChoice, HeaderSource, MethodResponse, RequestBody};
use crate::templates;

/// Response headers REST APIs rename to `X-Amzn-Remapped-*` (AWS's known-issues table).
const REMAPPED: [&str; 6] = [
    "content-md5",
    "date",
    "max-forwards",
    "server",
    "user-agent",
    "www-authenticate",
];

/// Moves the headers AWS REST APIs remap out of the way (`Server` → `X-Amzn-Remapped-Server`).
pub(super) fn remap_reserved(headers: &mut HeaderMap) {
    for name in REMAPPED {
        // Every value, not only the first: `remove` alone would drop the rest.
        let values: Vec<HeaderValue> = headers.get_all(name).iter().cloned().collect();
        if values.is_empty() {
            continue;
        }
        headers.remove(name);
        let remapped = HeaderName::from_bytes(format!("x-amzn-remapped-{name}").as_bytes())
            .expect("x-amzn-remapped- and a valid header name make a valid header name");
        for value in values {
            headers.append(remapped.clone(), value);
        }
    }
}

/// AWS's payload limit, for requests and integration responses: 10 MB.
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// The body a non-proxy integration sends: `contentHandling` applied, then the
/// request template chosen by content type (or passthrough, or 415).
/// Binary payloads pass through untouched unless converted to text: templates only see text.
///
/// # Errors
/// 415 when no template matches and passthrough is not allowed; a conversion or
/// template failure.
pub(crate) fn request_payload(
    request_body: &RequestBody,
    content_handling: Option<ContentHandling>,
    ctx: &RequestContext<'_>,
    body: Bytes,
) -> Result<Bytes, GatewayError> {
    let content_type = ctx.parts.headers.get(header::CONTENT_TYPE);
    let binary = encoding::is_binary(
        &ctx.api.binary_media_types,
        content_type.and_then(|v| v.to_str().ok()),
    );
    let text_view = content_handling == Some(ContentHandling::ConvertToText);
    let body = encoding::convert_request(body, binary, content_handling)?;
    if binary && !text_view {
        return Ok(body);
    }
    match request_body.choose(content_type) {
        BodyChoice::Passthrough => Ok(body),
        BodyChoice::Render(template) => templates::render(template, ctx, &body),
        BodyChoice::Refuse => Err(GatewayError::UnsupportedMediaType),
    }
}

/// Builds the method response of a non-proxy integration from the selected
/// integration response, the backend's headers (if any) and its body: the
/// response template renders with the backend body as `$input`.
///
/// # Errors
/// A template that fails to render (AWS's 500).
pub fn finish_method_response(
    selected: &MethodResponse,
    ctx: &RequestContext<'_>,
    backend_headers: Option<&HeaderMap>,
    backend_body: Bytes,
) -> Result<Response<Body>, GatewayError> {
    let backend_type = backend_headers.and_then(|h| h.get(header::CONTENT_TYPE));
    let binary = encoding::is_binary(
        &ctx.api.binary_media_types,
        backend_type.and_then(|v| v.to_str().ok()),
    );
    let (content_type, body) = match &selected.body {
        Some((content_type, template)) => {
            // A template sees binary data base64-encoded, as `$input.body`.
            let input = encoding::convert_response(backend_body.clone(), binary, false, None)?;
            (
                content_type.clone(),
                templates::render(template, ctx, &input)?,
            )
        }
        None => {
            let accept = encoding::first_media_type(&ctx.parts.headers, header::ACCEPT);
            let wants_binary = encoding::is_binary(&ctx.api.binary_media_types, accept);
            // A `Bytes` clone shares the buffer: body mappings below still read it.
            let body = encoding::convert_response(
                backend_body.clone(),
                binary,
                wants_binary,
                selected.content_handling,
            )?;
            let content_type = match backend_type {
                Some(value) if binary => value.clone(),
                _ => APPLICATION_JSON.clone(),
            };
            (content_type, body)
        }
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = selected.status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    for (name, source) in &selected.headers {
        let value = match source {
            HeaderSource::Literal(value) => Some(value.clone()),
            HeaderSource::IntegrationHeader(from) => {
                backend_headers.and_then(|h| h.get(from)).cloned()
            }
            HeaderSource::IntegrationBody(path) => body_header_value(&backend_body, path.as_ref()),
            HeaderSource::IntegrationMultiHeader(from) => backend_headers.and_then(|h| {
                let values: Vec<&str> = h
                    .get_all(from)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                HeaderValue::from_str(&values.join(","))
                    .ok()
                    .filter(|_| !values.is_empty())
            }),
            HeaderSource::StageVariable(name) => ctx
                .stage
                .variables
                .get(name)
                .and_then(|v| HeaderValue::from_str(v).ok()),
            HeaderSource::Context(name) => ctx
                .variable(name)
                .and_then(|v| HeaderValue::from_str(&v).ok()),
        };
        if let Some(value) = value {
            headers.insert(name.clone(), value);
        }
    }
    Ok(response)
}

/// A header value from the integration response body: the whole body, or the
/// value at a JSONPath (strings as they are, anything else as compact JSON).
fn body_header_value(body: &Bytes, path: Option<&JsonPath>) -> Option<HeaderValue> {
    let text = match path {
        None => String::from_utf8_lossy(body).into_owned(),
        Some(path) => {
            let json: serde_json::Value = serde_json::from_slice(body).ok()?;
            match path.select_json(&json)? {
                serde_json::Value::String(text) => text,
                serde_json::Value::Null => return None,
                other => other.to_string(),
            }
        }
    };
    HeaderValue::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaps_reserved_response_headers_with_every_value() {
        let mut headers = HeaderMap::new();
        headers.insert("server", HeaderValue::from_static("backend/1.0"));
        headers.append("www-authenticate", HeaderValue::from_static("Basic"));
        headers.append("www-authenticate", HeaderValue::from_static("Bearer"));
        headers.insert("x-ok", HeaderValue::from_static("1"));
        remap_reserved(&mut headers);
        assert_eq!(headers["x-amzn-remapped-server"], "backend/1.0");
        let remapped: Vec<_> = headers
            .get_all("x-amzn-remapped-www-authenticate")
            .iter()
            .collect();
        assert_eq!(remapped, ["Basic", "Bearer"]);
        assert!(!headers.contains_key("server"));
        assert!(!headers.contains_key("www-authenticate"));
        assert_eq!(headers["x-ok"], "1");
    }
}
