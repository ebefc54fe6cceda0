//! The respond phase: the headers every response carries, and the one place
//! a [`GatewayError`] becomes AWS's answer (its table of shapes, customised by
//! the API's gateway responses).

mod compress;
pub(crate) mod cors;
mod custom;
mod table;

pub(crate) use compress::apply as compress;

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use crate::body::ResponseBody;
use crate::error::GatewayError;
use crate::request::RequestState;

/// `x-amzn-ErrorType`.
const ERROR_TYPE: &str = "x-amzn-errortype";

static APPLICATION_JSON: HeaderValue = HeaderValue::from_static("application/json");

/// AWS's answer to `error` for this request, customised by its API's gateway
/// responses when it has any.
pub(crate) fn error(error: GatewayError, state: &mut RequestState<'_>) -> Response<ResponseBody> {
    let shape = error.shape(state.api_type());
    let custom = state.api.and_then(|api| {
        api.gateway_responses
            .find(shape.response_type, shape.status)
    });
    let status = custom.and_then(|c| c.status).unwrap_or(shape.status);
    let body = custom
        .and_then(|c| custom::body(c, &error, &shape, state))
        .unwrap_or_else(|| {
            default_body(
                shape.message_key,
                (!shape.message_null).then_some(&*shape.message),
            )
        });
    let mut response = Response::new(ResponseBody::new(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, APPLICATION_JSON.clone());
    if let Some(error_type) = shape.error_type {
        headers.insert(ERROR_TYPE, HeaderValue::from_static(error_type));
    }
    if let Some(challenge) = error
        .challenge()
        .and_then(|c| HeaderValue::from_str(c).ok())
    {
        headers.insert(header::WWW_AUTHENTICATE, challenge);
    }
    if let Some(custom) = custom {
        for (name, source) in &custom.headers {
            if let Some(value) = custom::header_value(source, state) {
                headers.insert(name.clone(), value);
            }
        }
    }
    state.failure = Some(crate::request::Failure {
        response_type: shape.response_type,
        message: shape.message,
    });
    response
}

/// The headers every response carries: a default `Content-Type`, the request
/// ids and, on HTTP APIs with a CORS configuration, the CORS headers.
pub(crate) fn finish(response: &mut Response<ResponseBody>, state: &RequestState<'_>) {
    let no_content = response.status() == StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    // AWS includes a Content-Type on every integration response: application/json by default.
    if !no_content && !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(header::CONTENT_TYPE, APPLICATION_JSON.clone());
    }
    state.ids.stamp(state.api_type(), headers);
    if let Some(rate_limit) = &state.rate_limit {
        rate_limit_headers(rate_limit, headers);
    }
    if let Some(policy) = state.api.and_then(|api| api.cors.as_deref()) {
        cors::apply(policy, state.parts, headers);
    }
}

/// `RateLimit-Limit`, `-Remaining`, `-Reset` (whole seconds, rounded up) of
/// the tightest limit, and `Retry-After` on refusals (opt-in: AWS sends none).
fn rate_limit_headers(state: &crate::request::RateLimitState, headers: &mut http::HeaderMap) {
    fn seconds(duration: std::time::Duration) -> http::HeaderValue {
        let whole = duration.as_secs() + u64::from(duration.subsec_nanos() > 0);
        http::HeaderValue::from(whole)
    }
    if let Some(headroom) = state.headroom {
        headers.insert("ratelimit-limit", http::HeaderValue::from(headroom.limit));
        headers.insert(
            "ratelimit-remaining",
            http::HeaderValue::from(headroom.remaining),
        );
        headers.insert("ratelimit-reset", seconds(headroom.reset));
    }
    if let Some(retry_after) = state.retry_after {
        headers.insert(http::header::RETRY_AFTER, seconds(retry_after));
    }
}

fn default_body(key: &str, message: Option<&str>) -> Bytes {
    let message = message.map_or(serde_json::Value::Null, |m| {
        serde_json::Value::String(m.to_owned())
    });
    Bytes::from(format!("{{\"{key}\":{message}}}"))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use http_body_util::BodyExt;

    use super::*;
    use crate::clock::SystemClock;
    use crate::config::{self, GatewayResponse, Overrides, Source};
    use crate::request::Connection;
    use crate::runtime::Gateway;

    fn connection() -> Connection {
        Connection {
            peer: "127.0.0.1:5000".parse().unwrap(),
            local: "127.0.0.1:3000".parse().unwrap(),
            tls: false,
        }
    }

    async fn text(response: Response<ResponseBody>) -> String {
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn default_error_body_and_headers() {
        let parts = http::Request::get("/").body(()).unwrap().into_parts().0;
        let mut state = RequestState::new(&parts, connection(), &SystemClock);
        let mut response = error(GatewayError::MissingAuthenticationToken, &mut state);
        finish(&mut response, &state);
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            response.headers()[ERROR_TYPE],
            "MissingAuthenticationTokenException"
        );
        assert_eq!(response.headers()["content-type"], "application/json");
        assert!(response.headers().contains_key("x-amzn-requestid"));
        assert!(response.headers().contains_key("x-amz-apigw-id"));
        assert_eq!(
            text(response).await,
            r#"{"message":"Missing Authentication Token"}"#
        );
    }

    #[tokio::test]
    async fn customised_response_renders_with_the_request_context() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("api.yaml");
        std::fs::write(
            &file,
            "openapi: '3.0.1'\ninfo: {title: t, version: '1'}\npaths: {}\n",
        )
        .unwrap();
        let mut config = config::load(&Source::OpenApi(vec![file]), &Overrides::default()).unwrap();
        let mut templates = BTreeMap::new();
        templates.insert(
            "application/json".to_owned(),
            r#"{"message":$context.error.messageString,"type":"$context.error.responseType","method":"$context.httpMethod"}"#.to_owned(),
        );
        let mut params = BTreeMap::new();
        params.insert(
            "gatewayresponse.header.x-custom".to_owned(),
            "'yes'".to_owned(),
        );
        config.apis[0].gateway_responses.insert(
            "DEFAULT_4XX".to_owned(),
            GatewayResponse {
                status_code: Some(418),
                response_parameters: params,
                response_templates: templates,
            },
        );
        let gateway = Gateway::compile(&config).unwrap();
        let parts = http::Request::post("/x").body(()).unwrap().into_parts().0;
        let mut state = RequestState::new(&parts, connection(), &SystemClock);
        state.api = gateway.apis().first();
        let response = error(GatewayError::MissingAuthenticationToken, &mut state);
        assert_eq!(response.status(), StatusCode::IM_A_TEAPOT);
        assert_eq!(response.headers()["x-custom"], "yes");
        assert_eq!(
            text(response).await,
            r#"{"message":"Missing Authentication Token","type":"MISSING_AUTHENTICATION_TOKEN","method":"POST"}"#
        );
    }
}
