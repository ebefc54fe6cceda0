//! Integrations: how a routed request reaches its backend.

mod http;
mod mapping;
mod mock;

pub use self::http::call as call_http;
pub use mock::respond as respond_mock;

use ::http::{HeaderMap, HeaderValue, Response, header};
use bytes::Bytes;
use http_body_util::Full;

use crate::respond::Body;
use crate::runtime::{HeaderSource, MethodResponse};

/// AWS's payload limit, for requests and integration responses: 10 MB.
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// Builds the method response of a non-proxy integration from the selected
/// integration response, the backend's headers (if any) and its body.
pub fn finish_method_response(
    selected: &MethodResponse,
    backend_headers: Option<&HeaderMap>,
    backend_body: Bytes,
) -> Response<Body> {
    let (content_type, body) = match &selected.body {
        Some((content_type, body)) => (content_type.clone(), body.clone()),
        None => (APPLICATION_JSON.clone(), backend_body),
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
        };
        if let Some(value) = value {
            headers.insert(name.clone(), value);
        }
    }
    response
}
