//! Every failure the gateway itself answers, as data.
//!
//! Phases return a [`GatewayError`]; [`super::render`] turns it into AWS's
//! response in one place, applying the API's customised gateway responses.

use std::borrow::Cow;

use http::StatusCode;

use crate::config::ApiType;

/// A request the gateway answers itself instead of the integration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GatewayError {
    /// Request validation failed: AWS's `BAD_REQUEST_PARAMETERS` or `BAD_REQUEST_BODY`.
    #[error("{message}")]
    InvalidRequest {
        /// `BAD_REQUEST_PARAMETERS` or `BAD_REQUEST_BODY`.
        response_type: &'static str,
        /// `Missing required request parameters: [q]` or `Invalid request body`.
        message: String,
    },
    /// REST: no resource or method matches (AWS answers 403, not 404).
    #[error("no route matches the request")]
    MissingAuthenticationToken,
    /// HTTP API: no route matches and there is no `$default` route.
    #[error("no route matches the request")]
    RouteNotFound,
    /// No API or stage is served at this host and path.
    #[error("no API or stage is served at this host and path")]
    NoApi,
    /// The request body exceeds AWS's 10 MB payload limit.
    #[error("the request body exceeds 10 MB")]
    RequestTooLarge,
    /// The URL or the method ARN exceeds AWS's length limits.
    #[error("the request URI is too long")]
    UriTooLong,
    /// The request's header values exceed AWS's 10,240 byte limit.
    #[error("the request headers are too large")]
    HeadersTooLarge,
    /// The client did not send its whole body in time (trickled body).
    #[error("the request body was not received in time")]
    RequestTimeout,
    /// The request is malformed in a way HTTP parsing let through.
    #[error("the request is malformed")]
    BadRequest,
    /// No request template matches the content type and passthrough is not allowed.
    #[error("no mapping template matches the request's content type")]
    UnsupportedMediaType,
    /// The integration did not answer within its timeout.
    #[error("the integration timed out")]
    IntegrationTimeout,
    /// The integration could not be reached or answered garbage.
    #[error("the integration failed")]
    IntegrationFailure,
    /// The integration's answer exceeds the 10 MB payload limit.
    #[error("the integration response exceeds 10 MB")]
    IntegrationResponseTooLarge,
    /// The API's configuration cannot produce a response (no matching integration response).
    #[error("the API configuration cannot answer this request")]
    ConfigurationError,
    /// A Lambda proxy integration's function failed (raised, timed out,
    /// crashed) or returned something that is not a proxy response: REST 502,
    /// HTTP API 500.
    #[error("the Lambda function failed or returned a malformed proxy response")]
    FunctionFailed,
    /// A Lambda function could not be called: throttled, not permitted, not
    /// reachable. AWS answers 500 whatever Lambda said (a throttled Lambda is
    /// not passed on as 429).
    #[error("the Lambda function could not be invoked")]
    FunctionUnavailable,
}

/// AWS's answer for an error: gateway response type, status, message and error type header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorShape {
    /// The gateway response type that customises it (`x-amazon-apigateway-gateway-responses`).
    pub response_type: &'static str,
    /// Default status code.
    pub status: StatusCode,
    /// `$context.error.message`.
    pub message: Cow<'static, str>,
    /// `x-amzn-ErrorType` header value (REST APIs), when AWS sends one.
    pub error_type: Option<&'static str>,
}

impl GatewayError {
    /// How AWS answers this error for an API of `api_type`.
    pub fn shape(&self, api_type: ApiType) -> ErrorShape {
        use GatewayError::*;
        let http_api = api_type == ApiType::Http;
        if let InvalidRequest {
            response_type,
            message,
        } = self
        {
            return ErrorShape {
                response_type,
                status: StatusCode::BAD_REQUEST,
                message: Cow::Owned(message.clone()),
                error_type: (!http_api).then_some("BadRequestException"),
            };
        }
        let (response_type, status, message, error_type) = match self {
            InvalidRequest { .. } => unreachable!("answered above"),
            MissingAuthenticationToken => (
                "MISSING_AUTHENTICATION_TOKEN",
                StatusCode::FORBIDDEN,
                "Missing Authentication Token",
                Some("MissingAuthenticationTokenException"),
            ),
            RouteNotFound => (
                "RESOURCE_NOT_FOUND",
                StatusCode::NOT_FOUND,
                "Not Found",
                None,
            ),
            NoApi if http_api => (
                "RESOURCE_NOT_FOUND",
                StatusCode::NOT_FOUND,
                "Not Found",
                None,
            ),
            NoApi => (
                "ACCESS_DENIED",
                StatusCode::FORBIDDEN,
                "Forbidden",
                Some("ForbiddenException"),
            ),
            RequestTooLarge => (
                "REQUEST_TOO_LARGE",
                StatusCode::PAYLOAD_TOO_LARGE,
                "Request Too Long",
                None,
            ),
            UriTooLong => (
                "DEFAULT_4XX",
                StatusCode::URI_TOO_LONG,
                "Request-URI Too Long",
                None,
            ),
            HeadersTooLarge => (
                "DEFAULT_4XX",
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "Request Header Fields Too Large",
                None,
            ),
            RequestTimeout => (
                "DEFAULT_4XX",
                StatusCode::REQUEST_TIMEOUT,
                "Request Timeout",
                None,
            ),
            BadRequest => (
                "BAD_REQUEST_PARAMETERS",
                StatusCode::BAD_REQUEST,
                "Bad Request",
                Some("BadRequestException"),
            ),
            UnsupportedMediaType => (
                "UNSUPPORTED_MEDIA_TYPE",
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported Media Type",
                None,
            ),
            IntegrationTimeout => (
                "INTEGRATION_TIMEOUT",
                StatusCode::GATEWAY_TIMEOUT,
                "Endpoint request timed out",
                None,
            ),
            IntegrationFailure if http_api => (
                "INTEGRATION_FAILURE",
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable",
                None,
            ),
            IntegrationFailure => (
                "INTEGRATION_FAILURE",
                StatusCode::GATEWAY_TIMEOUT,
                "Internal server error",
                Some("InternalServerErrorException"),
            ),
            IntegrationResponseTooLarge if http_api => (
                "INTEGRATION_FAILURE",
                StatusCode::BAD_GATEWAY,
                "Internal Server Error",
                None,
            ),
            IntegrationResponseTooLarge => (
                "INTEGRATION_FAILURE",
                StatusCode::BAD_GATEWAY,
                "Internal server error",
                Some("InternalServerErrorException"),
            ),
            ConfigurationError if http_api => (
                "API_CONFIGURATION_ERROR",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                None,
            ),
            ConfigurationError => (
                "API_CONFIGURATION_ERROR",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                Some("InternalServerErrorException"),
            ),
            FunctionFailed if http_api => (
                "DEFAULT_5XX",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                None,
            ),
            FunctionFailed => (
                "DEFAULT_5XX",
                StatusCode::BAD_GATEWAY,
                "Internal server error",
                Some("InternalServerErrorException"),
            ),
            FunctionUnavailable if http_api => (
                "INTEGRATION_FAILURE",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
                None,
            ),
            FunctionUnavailable => (
                "INTEGRATION_FAILURE",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                Some("InternalServerErrorException"),
            ),
        };
        ErrorShape {
            response_type,
            status,
            message: Cow::Borrowed(message),
            error_type: if http_api { None } else { error_type },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_unknown_route_is_403_missing_token() {
        let shape = GatewayError::MissingAuthenticationToken.shape(ApiType::Rest);
        assert_eq!(shape.status, StatusCode::FORBIDDEN);
        assert_eq!(shape.message, "Missing Authentication Token");
        assert_eq!(
            shape.error_type,
            Some("MissingAuthenticationTokenException")
        );
    }

    #[test]
    fn http_api_failures_use_http_api_wording() {
        assert_eq!(
            GatewayError::NoApi.shape(ApiType::Http).status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            GatewayError::IntegrationFailure.shape(ApiType::Http).status,
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(
            GatewayError::RouteNotFound.shape(ApiType::Http).error_type,
            None
        );
    }

    #[test]
    fn rest_integration_failure_defaults_to_504() {
        let shape = GatewayError::IntegrationFailure.shape(ApiType::Rest);
        assert_eq!(shape.status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(shape.response_type, "INTEGRATION_FAILURE");
    }
}
