//! Turning outcomes into responses: AWS's error answers and the headers every
//! response carries.

mod error;
mod gateway_responses;
mod request_id;

pub use error::{ErrorShape, GatewayError};
pub use gateway_responses::{CustomResponse, ErrorRequest, GatewayResponses, HeaderSource};
pub use request_id::RequestIds;

use bytes::Bytes;
use http::{HeaderValue, Response, header};
use http_body_util::Full;

use crate::config::ApiType;

/// The body type of every response the gateway writes.
pub type Body = Full<Bytes>;

/// `x-amzn-ErrorType`.
pub const ERROR_TYPE: &str = "x-amzn-errortype";

static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// AWS's answer to `error`, customised by the API's gateway responses when it has any.
pub fn render(
    error: GatewayError,
    api_type: ApiType,
    custom: Option<&GatewayResponses>,
    request: &ErrorRequest<'_>,
) -> Response<Body> {
    let ids = request.ids;
    let shape = error.shape(api_type);
    let custom = custom.and_then(|c| c.find(shape.response_type, shape.status));
    let status = custom.and_then(|c| c.status).unwrap_or(shape.status);
    let body = custom
        .and_then(|c| c.render_body(&shape.message, shape.response_type, ids.request_id()))
        .unwrap_or_else(|| default_body(&shape.message));
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, APPLICATION_JSON.clone());
    if let Some(error_type) = shape.error_type {
        headers.insert(ERROR_TYPE, HeaderValue::from_static(error_type));
    }
    if let Some(custom) = custom {
        for (name, source) in &custom.headers {
            if let Some(value) = source.value(request) {
                headers.insert(name.clone(), value);
            }
        }
    }
    ids.stamp(api_type, headers);
    response
}

fn default_body(message: &str) -> Bytes {
    let message = serde_json::Value::String(message.to_owned());
    Bytes::from(format!("{{\"message\":{message}}}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::StatusCode;

    #[test]
    fn default_error_body_and_headers() {
        let ids = RequestIds::generate(None);
        let request = ErrorRequest {
            parts: None,
            path_params: None,
            stage_variables: None,
            ids: &ids,
        };
        let response = render(
            GatewayError::MissingAuthenticationToken,
            ApiType::Rest,
            None,
            &request,
        );
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            response.headers()[ERROR_TYPE],
            "MissingAuthenticationTokenException"
        );
        assert_eq!(response.headers()["content-type"], "application/json");
        assert!(response.headers().contains_key("x-amzn-requestid"));
        assert!(response.headers().contains_key("x-amz-apigw-id"));
        let body = response.body().clone();
        let bytes = futures_util::FutureExt::now_or_never(http_body_util::BodyExt::collect(body))
            .unwrap()
            .unwrap()
            .to_bytes();
        assert_eq!(&bytes[..], br#"{"message":"Missing Authentication Token"}"#);
    }
}
