//! AWS's answers to the gateway's own errors, as a table: for each kind of
//! error, the gateway response type that customises it and the default
//! status, message and `x-amzn-ErrorType` of REST and HTTP APIs.

use std::borrow::Cow;

use http::StatusCode;

use crate::config::ApiType;
use crate::error::GatewayError;

/// How AWS answers one error for one API type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorShape {
    /// The gateway response type that customises it (`x-amazon-apigateway-gateway-responses`).
    pub(crate) response_type: &'static str,
    /// Default status code.
    pub(crate) status: StatusCode,
    /// `$context.error.message`.
    pub(crate) message: Cow<'static, str>,
    /// The default body's key: `message`, or `Message` where AWS capitalises
    /// it (resource policy denials).
    pub(crate) message_key: &'static str,
    /// Whether the default body's message is JSON `null` (REST authorizer failures).
    pub(crate) message_null: bool,
    /// `x-amzn-ErrorType` header value (REST APIs only), when AWS sends one.
    pub(crate) error_type: Option<&'static str>,
}

/// One row: the response type, then the REST and the HTTP API answer
/// (status, message, REST's `x-amzn-ErrorType`).
struct Row {
    response_type: &'static str,
    rest: (StatusCode, &'static str, Option<&'static str>),
    http: (StatusCode, &'static str),
}

const fn row(
    response_type: &'static str,
    rest: (u16, &'static str, Option<&'static str>),
    http: (u16, &'static str),
) -> Row {
    Row {
        response_type,
        rest: (status(rest.0), rest.1, rest.2),
        http: (status(http.0), http.1),
    }
}

const fn status(code: u16) -> StatusCode {
    match StatusCode::from_u16(code) {
        Ok(status) => status,
        Err(_) => panic!("the table holds valid status codes"),
    }
}

const ISE: &str = "InternalServerErrorException";
const BAD_REQUEST: &str = "BadRequestException";

const MISSING_AUTHENTICATION_TOKEN: Row = row(
    "MISSING_AUTHENTICATION_TOKEN",
    (
        403,
        "Missing Authentication Token",
        Some("MissingAuthenticationTokenException"),
    ),
    (403, "Missing Authentication Token"),
);
const UNAUTHORIZED: Row = row(
    "UNAUTHORIZED",
    (401, "Unauthorized", Some("UnauthorizedException")),
    (401, "Unauthorized"),
);
const ACCESS_DENIED: Row = row(
    "ACCESS_DENIED",
    (
        403,
        "User is not authorized to access this resource",
        Some("AccessDeniedException"),
    ),
    (403, "Forbidden"),
);
const INVALID_API_KEY: Row = row(
    "INVALID_API_KEY",
    (403, "Forbidden", Some("ForbiddenException")),
    (403, "Forbidden"),
);
const THROTTLED: Row = row(
    "THROTTLED",
    (429, "Too Many Requests", Some("TooManyRequestsException")),
    (429, "Too Many Requests"),
);
const QUOTA_EXCEEDED: Row = row(
    "QUOTA_EXCEEDED",
    (429, "Limit Exceeded", Some("LimitExceededException")),
    (429, "Limit Exceeded"),
);
const ROUTE_NOT_FOUND: Row = row(
    "RESOURCE_NOT_FOUND",
    (404, "Not Found", None),
    (404, "Not Found"),
);
// No API here (REST; HTTP APIs answer it as `ROUTE_NOT_FOUND`, so only REST's column is read).
const NO_API: Row = row(
    "ACCESS_DENIED",
    (403, "Forbidden", Some("ForbiddenException")),
    (404, "Not Found"),
);
const REQUEST_TOO_LARGE: Row = row(
    "REQUEST_TOO_LARGE",
    (413, "Request Too Long", None),
    (413, "Request Too Long"),
);
const URI_TOO_LONG: Row = row(
    "DEFAULT_4XX",
    (414, "Request-URI Too Long", None),
    (414, "Request-URI Too Long"),
);
const HEADERS_TOO_LARGE: Row = row(
    "DEFAULT_4XX",
    (431, "Request Header Fields Too Large", None),
    (431, "Request Header Fields Too Large"),
);
const REQUEST_TIMEOUT: Row = row(
    "DEFAULT_4XX",
    (408, "Request Timeout", None),
    (408, "Request Timeout"),
);
const MALFORMED: Row = row(
    "BAD_REQUEST_PARAMETERS",
    (400, "Bad Request", Some(BAD_REQUEST)),
    (400, "Bad Request"),
);
const UNSUPPORTED_MEDIA_TYPE: Row = row(
    "UNSUPPORTED_MEDIA_TYPE",
    (415, "Unsupported Media Type", None),
    (415, "Unsupported Media Type"),
);
const INTEGRATION_TIMEOUT: Row = row(
    "INTEGRATION_TIMEOUT",
    (504, "Endpoint request timed out", None),
    (504, "Endpoint request timed out"),
);
const INTEGRATION_FAILURE: Row = row(
    "INTEGRATION_FAILURE",
    (504, "Internal server error", Some(ISE)),
    (503, "Service Unavailable"),
);
const INTEGRATION_RESPONSE_TOO_LARGE: Row = row(
    "INTEGRATION_FAILURE",
    (502, "Internal server error", Some(ISE)),
    (502, "Internal Server Error"),
);
const CONFIGURATION_ERROR: Row = row(
    "API_CONFIGURATION_ERROR",
    (500, "Internal server error", Some(ISE)),
    (500, "Internal Server Error"),
);
const FUNCTION_FAILED: Row = row(
    "DEFAULT_5XX",
    (502, "Internal server error", Some(ISE)),
    (500, "Internal Server Error"),
);
const FUNCTION_UNAVAILABLE: Row = row(
    "INTEGRATION_FAILURE",
    (500, "Internal server error", Some(ISE)),
    (500, "Internal Server Error"),
);

impl GatewayError {
    /// How AWS answers this error for an API of `api_type`.
    pub(crate) fn shape(&self, api_type: ApiType) -> ErrorShape {
        use GatewayError::*;
        let http_api = api_type == ApiType::Http;
        let row = match self {
            AuthorizerRefused(answer) => {
                return ErrorShape {
                    response_type: answer.response_type,
                    status: StatusCode::from_u16(answer.status)
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                    message: Cow::Borrowed(answer.message.unwrap_or("")),
                    error_type: answer.error_type.filter(|_| !http_api),
                    message_key: answer.message_key,
                    message_null: answer.message.is_none(),
                };
            }
            Forbidden(forbidden) => {
                return ErrorShape {
                    response_type: forbidden.response_type,
                    status: StatusCode::FORBIDDEN,
                    message: Cow::Owned(forbidden.message.clone()),
                    message_key: forbidden.message_key,
                    message_null: false,
                    error_type: (!http_api).then_some(forbidden.error_type),
                };
            }
            // Validation names its own response type and message.
            Validation(rejection) => {
                return ErrorShape {
                    response_type: rejection.response_type(),
                    status: StatusCode::BAD_REQUEST,
                    message: rejection.message(),
                    message_key: "message",
                    message_null: false,
                    error_type: (!http_api).then_some(BAD_REQUEST),
                };
            }
            MissingAuthenticationToken => &MISSING_AUTHENTICATION_TOKEN,
            Unauthorized(_) => &UNAUTHORIZED,
            AccessDenied(_) => &ACCESS_DENIED,
            InvalidApiKey => &INVALID_API_KEY,
            Throttled => &THROTTLED,
            QuotaExceeded => &QUOTA_EXCEEDED,
            RouteNotFound => &ROUTE_NOT_FOUND,
            // HTTP APIs answer it as a missing route.
            NoApi if http_api => &ROUTE_NOT_FOUND,
            NoApi => &NO_API,
            RequestTooLarge => &REQUEST_TOO_LARGE,
            UriTooLong => &URI_TOO_LONG,
            HeadersTooLarge => &HEADERS_TOO_LARGE,
            RequestTimeout => &REQUEST_TIMEOUT,
            BadRequest => &MALFORMED,
            UnsupportedMediaType | UndecodableBody(_) => &UNSUPPORTED_MEDIA_TYPE,
            IntegrationTimeout => &INTEGRATION_TIMEOUT,
            IntegrationFailure => &INTEGRATION_FAILURE,
            IntegrationResponseTooLarge => &INTEGRATION_RESPONSE_TOO_LARGE,
            ConfigurationError(_) => &CONFIGURATION_ERROR,
            FunctionFailed => &FUNCTION_FAILED,
            FunctionUnavailable => &FUNCTION_UNAVAILABLE,
        };
        let (status, message, error_type) = if http_api {
            (row.http.0, row.http.1, None)
        } else {
            row.rest
        };
        let message = match self {
            Unauthorized(refusal) | AccessDenied(refusal) => refusal.message.unwrap_or(message),
            _ => message,
        };
        ErrorShape {
            response_type: row.response_type,
            status,
            message: Cow::Borrowed(message),
            message_key: "message",
            message_null: false,
            error_type,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ConfigurationFault;

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
        let shape = GatewayError::ConfigurationError(ConfigurationFault::TemplateFailed)
            .shape(ApiType::Http);
        assert_eq!(shape.message, "Internal Server Error");
        assert_eq!(shape.error_type, None);
    }

    #[test]
    fn rest_integration_failure_defaults_to_504() {
        let shape = GatewayError::IntegrationFailure.shape(ApiType::Rest);
        assert_eq!(shape.status, StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(shape.response_type, "INTEGRATION_FAILURE");
    }

    #[test]
    fn validation_answers_with_its_own_type_and_message() {
        let rejection =
            portcullis_mapping::validate::Rejection::MissingParameters(vec!["q".into()]);
        let shape = GatewayError::from(rejection).shape(ApiType::Rest);
        assert_eq!(shape.response_type, "BAD_REQUEST_PARAMETERS");
        assert_eq!(shape.message, "Missing required request parameters: [q]");
        assert_eq!(shape.error_type, Some("BadRequestException"));
    }
}
