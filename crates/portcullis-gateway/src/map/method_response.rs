//! The method response of a non-proxy integration: the selected integration
//! response's status, headers and template, applied to what the backend sent.

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Response, header};
use portcullis_mapping::jsonpath::JsonPath;

use super::{encoding, template};
use crate::body::ResponseBody;
use crate::config::ContentHandling;
use crate::error::GatewayError;
use crate::request::{RequestState, Routed};
use crate::runtime::{HeaderSource, MethodResponse};

static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Response headers REST APIs rename to `X-Amzn-Remapped-*` (AWS's known-issues table).
static REMAPPED: [(HeaderName, HeaderName); 6] = [
    remap("content-md5", "x-amzn-remapped-content-md5"),
    remap("date", "x-amzn-remapped-date"),
    remap("max-forwards", "x-amzn-remapped-max-forwards"),
    remap("server", "x-amzn-remapped-server"),
    remap("user-agent", "x-amzn-remapped-user-agent"),
    remap("www-authenticate", "x-amzn-remapped-www-authenticate"),
];

const fn remap(name: &'static str, remapped: &'static str) -> (HeaderName, HeaderName) {
    (
        HeaderName::from_static(name),
        HeaderName::from_static(remapped),
    )
}

/// Headers a method response may not set as they are, because they describe
/// the connection or the message's framing (or the request): set by a
/// mapping, they are sent as `X-Amzn-Remapped-*` (AWS's behaviour, recorded
/// in LocalStack's AWS-validated header-remapping test). The rest of AWS's
/// remapped headers (`Date`, `Server`, ...) are moved by [`remap_reserved`].
static MAPPED_REMAPPED: [(HeaderName, HeaderName); 8] = [
    remap("authorization", "x-amzn-remapped-authorization"),
    remap("connection", "x-amzn-remapped-connection"),
    remap("content-length", "x-amzn-remapped-content-length"),
    remap("expect", "x-amzn-remapped-expect"),
    remap("host", "x-amzn-remapped-host"),
    remap("proxy-authenticate", "x-amzn-remapped-proxy-authenticate"),
    remap("trailer", "x-amzn-remapped-trailer"),
    remap("upgrade", "x-amzn-remapped-upgrade"),
];

/// The name a mapped method response header is sent under; `None` for
/// `Transfer-Encoding`, which AWS drops.
fn mapped_name(name: &HeaderName) -> Option<HeaderName> {
    if name == http::header::TRANSFER_ENCODING {
        return None;
    }
    Some(
        MAPPED_REMAPPED
            .iter()
            .find(|(reserved, _)| reserved == name)
            .map_or_else(|| name.clone(), |(_, remapped)| remapped.clone()),
    )
}

/// Moves the headers AWS REST APIs remap out of the way (`Server` → `X-Amzn-Remapped-Server`).
pub(crate) fn remap_reserved(headers: &mut HeaderMap) {
    // One pass over the names (compared, not hashed) finds what there is to move.
    if !headers
        .keys()
        .any(|key| REMAPPED.iter().any(|(name, _)| name == key))
    {
        return;
    }
    for (name, remapped) in &REMAPPED {
        match headers.get_all(name).iter().count() {
            0 => {}
            1 => {
                if let Some(value) = headers.remove(name) {
                    headers.append(remapped.clone(), value);
                }
            }
            _ => {
                // Every value, not only the first: `remove` alone would drop the rest.
                let values: Vec<HeaderValue> = headers.get_all(name).iter().cloned().collect();
                headers.remove(name);
                for value in values {
                    headers.append(remapped.clone(), value);
                }
            }
        }
    }
}

/// Builds the method response from the selected integration response, the
/// backend's headers (if any) and its body: the response template renders
/// with the backend body as `$input`.
///
/// # Errors
/// A template that fails to render, or a payload conversion that fails (AWS's 500).
pub(crate) fn build(
    selected: &MethodResponse,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    backend_headers: Option<&HeaderMap>,
    backend_body: Bytes,
) -> Result<Response<ResponseBody>, GatewayError> {
    let binary_types = &route.api.binary_media_types;
    let backend_type = backend_headers.and_then(|h| h.get(header::CONTENT_TYPE));
    let binary = encoding::is_binary(binary_types, backend_type.and_then(|v| v.to_str().ok()));
    // What a response template set in `$context.*Override` (it saw the request's too).
    let mut set_here = None;
    let (content_type, body) = match &selected.body {
        Some((content_type, template)) => {
            // A template sees binary data base64-encoded, as `$input.body`.
            let input = encoding::convert_response(backend_body.clone(), binary, false, None)?;
            let template::Rendered {
                body: rendered,
                overrides: set,
            } = template::render(template, route, state, &input)?;
            set_here = set;
            // CONVERT_TO_BINARY decodes what the template wrote: how a MOCK or a
            // text backend answers with an image.
            let body = match selected.content_handling {
                Some(ContentHandling::ConvertToBinary) => {
                    encoding::convert_response(rendered, false, true, selected.content_handling)?
                }
                _ => rendered,
            };
            (content_type.clone(), body)
        }
        None => {
            let accept = encoding::first_media_type(&state.parts.headers, header::ACCEPT);
            let wants_binary = encoding::is_binary(binary_types, accept);
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
    let mut response = Response::new(ResponseBody::new(body));
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
            HeaderSource::StageVariable(name) => route
                .stage
                .variables
                .get(name)
                .and_then(|v| HeaderValue::from_str(v).ok()),
            HeaderSource::Context(name) => state
                .context_variable(name)
                .and_then(|v| HeaderValue::from_str(&v).ok()),
        };
        if let Some(value) = value {
            match mapped_name(name) {
                Some(name) => headers.insert(name, value),
                None => None,
            };
        }
    }
    // Overrides a request template set apply unless the response template set its own.
    if let Some(overrides) = set_here.as_ref().or(state.overrides.as_deref()) {
        overrides.apply_to_response(&mut response);
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
    fn framing_and_connection_headers_are_never_set_by_a_mapping() {
        let name = |text: &str| mapped_name(&HeaderName::from_bytes(text.as_bytes()).unwrap());
        assert_eq!(
            name("content-length").unwrap(),
            "x-amzn-remapped-content-length"
        );
        assert_eq!(name("connection").unwrap(), "x-amzn-remapped-connection");
        assert_eq!(
            name("authorization").unwrap(),
            "x-amzn-remapped-authorization"
        );
        assert_eq!(name("transfer-encoding"), None);
        assert_eq!(name("etag").unwrap(), "etag");
        assert_eq!(name("content-type").unwrap(), "content-type");
    }

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
