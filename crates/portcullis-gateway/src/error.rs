//! Every request the gateway answers itself, as data.
//!
//! Phases return a [`GatewayError`]; `respond` turns it into AWS's answer in
//! one place (its table of shapes), customised by the API's gateway responses.
//! A variant carries what that answer and `$context.error.*` need; text is
//! written only when the response is.

use portcullis_mapping::validate::Rejection;

use crate::upstream::UpstreamError;

/// A request the gateway answers instead of the integration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum GatewayError {
    /// Request validation failed: AWS's `BAD_REQUEST_PARAMETERS` or `BAD_REQUEST_BODY`.
    #[error(transparent)]
    Validation(Rejection),
    /// REST: no resource or method matches (AWS answers 403, not 404).
    #[error("no route matches the request")]
    MissingAuthenticationToken,
    /// An authorizer refused the caller's identity (missing, malformed,
    /// expired or unverifiable token): AWS's 401 `UNAUTHORIZED`.
    #[error("the authorizer refused the request's identity")]
    Unauthorized(Refusal),
    /// The identity is valid but not allowed this route (a JWT without the
    /// route's scopes): AWS's 403 `ACCESS_DENIED`.
    #[error("the authorizer denied access to this route")]
    AccessDenied(Refusal),
    /// IAM authorization refused the request (a bad or unknown signature, or
    /// policies that do not allow the call): 403 with AWS's message.
    #[error("IAM authorization refused the request")]
    Forbidden(Box<Forbidden>),
    /// A Lambda authorizer refused, denied or failed: AWS's answer for it.
    #[error("the Lambda authorizer refused the request or failed")]
    AuthorizerRefused(AuthorizerAnswer),
    /// The route requires an API key and the request has none, an unknown or
    /// disabled one, or one no usage plan of this stage lists: AWS's 403 `INVALID_API_KEY`.
    #[error("the API key is missing, unknown, disabled or not in a usage plan of this stage")]
    InvalidApiKey,
    /// A throttle refused the request: AWS's 429 `THROTTLED`.
    #[error("throttled")]
    Throttled,
    /// The API key's usage plan quota is used up for this period: AWS's 429 `QUOTA_EXCEEDED`.
    #[error("the usage plan's quota is exhausted")]
    QuotaExceeded,
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
    /// The request's `Content-Encoding` is not one API Gateway decodes, or the
    /// body is not encoded as it says: AWS's 415.
    #[error("the request body cannot be decoded: {0}")]
    UndecodableBody(crate::coding::DecodeError),
    /// The integration did not answer within its timeout.
    #[error("the integration timed out")]
    IntegrationTimeout,
    /// The integration could not be reached or answered garbage.
    #[error("the integration failed")]
    IntegrationFailure,
    /// The integration's answer exceeds the 10 MB payload limit.
    #[error("the integration response exceeds 10 MB")]
    IntegrationResponseTooLarge,
    /// The API's configuration cannot produce a response.
    #[error("the API configuration cannot answer this request: {0}")]
    ConfigurationError(ConfigurationFault),
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

/// How API Gateway answers a Lambda authorizer's refusal or failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AuthorizerAnswer {
    pub(crate) status: u16,
    pub(crate) response_type: &'static str,
    /// `None` is JSON `null` (REST's `{"message": null}` for failures).
    pub(crate) message: Option<&'static str>,
    pub(crate) message_key: &'static str,
    pub(crate) error_type: Option<&'static str>,
}

/// A 403 whose wording the refusal decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Forbidden {
    /// The gateway response type that customises it.
    pub(crate) response_type: &'static str,
    /// REST's `x-amzn-ErrorType`.
    pub(crate) error_type: &'static str,
    /// The message.
    pub(crate) message: String,
    /// The default body's key (`message`; `Message` for resource policy denials).
    pub(crate) message_key: &'static str,
}

/// What an authorizer's refusal tells the client beyond its status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Refusal {
    /// The `www-authenticate` challenge (HTTP API JWT authorizers).
    pub(crate) challenge: Option<String>,
    /// The message, when not the default one (REST Cognito: `The incoming token has expired`).
    pub(crate) message: Option<&'static str>,
}

/// Why the API's configuration could not answer (AWS answers 500 for each;
/// the reason goes to the logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ConfigurationFault {
    /// A mapping template failed to render.
    #[error("a mapping template failed")]
    TemplateFailed,
    /// A MOCK request template's output has no `statusCode`.
    #[error("the MOCK request template's output has no statusCode")]
    MockWithoutStatus,
    /// No integration response matches and there is no default response.
    #[error("no integration response matches and there is no default")]
    NoIntegrationResponse,
    /// The route's integration is one this gateway cannot call (the load warned).
    #[error("the integration is not served by this gateway")]
    IntegrationNotServed,
    /// `contentHandling: CONVERT_TO_BINARY` met text that is not base64.
    #[error("a payload to convert to binary is not base64")]
    NotBase64,
    /// A mapping or override set an integration request header that frames
    /// the message or the connection (or signs a service call).
    #[error(
        "requestParameters or an override set the integration request's {0} header, which API Gateway does not let a mapping set"
    )]
    ReservedHeaderMapped(&'static str),
}

impl GatewayError {
    /// The `www-authenticate` challenge the answer carries, if any.
    pub(crate) fn challenge(&self) -> Option<&str> {
        match self {
            Self::Unauthorized(refusal) | Self::AccessDenied(refusal) => {
                refusal.challenge.as_deref()
            }
            _ => None,
        }
    }

    /// `$context.error.validationErrorString`: what validation found, if it failed.
    pub(crate) fn validation_error_string(&self) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            Self::Validation(rejection) => Some(rejection.validation_error_string()),
            _ => None,
        }
    }
}

impl From<Rejection> for GatewayError {
    fn from(rejection: Rejection) -> Self {
        Self::Validation(rejection)
    }
}

impl From<ConfigurationFault> for GatewayError {
    fn from(fault: ConfigurationFault) -> Self {
        Self::ConfigurationError(fault)
    }
}

impl From<&UpstreamError> for GatewayError {
    /// A backend that did not answer in time is AWS's 504; every other failure
    /// to reach it is an integration failure.
    fn from(error: &UpstreamError) -> Self {
        if error.is_timeout() {
            Self::IntegrationTimeout
        } else {
            Self::IntegrationFailure
        }
    }
}
