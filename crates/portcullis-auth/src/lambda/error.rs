//! What can go wrong: a configuration refused when the authorizer is built
//! ([`LambdaAuthorizerError`]), and a request refused when it is authorized
//! ([`Refused`]), with the answer API Gateway gives for each.

use super::MAX_TTL;

/// An authorizer configuration that cannot be served. Raised by
/// [`LambdaAuthorizer::new`](super::LambdaAuthorizer::new) and
/// [`IdentitySource::parse`](super::IdentitySource::parse), never while
/// requests are served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LambdaAuthorizerError {
    /// No function was named.
    #[error("the authorizer names no function (authorizerUri)")]
    NoFunction,
    /// `authorizerResultTtlInSeconds` is over [`MAX_TTL`].
    #[error(
        "authorizerResultTtlInSeconds is {seconds}; API Gateway accepts 0 (no caching) to {} seconds",
        MAX_TTL.as_secs()
    )]
    TtlTooLong {
        /// The TTL given, in whole seconds.
        seconds: u64,
    },
    /// A `REQUEST` authorizer caches by its identity sources, so caching
    /// needs at least one.
    #[error(
        "a REQUEST authorizer that caches results (authorizerResultTtlInSeconds {seconds}) needs \
         at least one identity source, the cache key; add one or set the TTL to 0"
    )]
    CachingWithoutIdentitySource {
        /// The TTL given, in whole seconds.
        seconds: u64,
    },
    /// HTTP APIs have `REQUEST` Lambda authorizers only.
    #[error(
        "HTTP APIs have REQUEST Lambda authorizers only; give the token header as the identity \
         source $request.header.NAME"
    )]
    TokenOnHttpApi,
    /// `identityValidationExpression` is not a regular expression the
    /// `regex` crate accepts (it has no look-around or back-references,
    /// which Java's patterns have).
    #[error(
        "identityValidationExpression {expression:?} is not a usable regular expression: {reason}"
    )]
    ValidationExpression {
        /// The expression as written.
        expression: String,
        /// What the regex compiler said.
        reason: String,
    },
    /// An identity source expression that cannot be read.
    #[error("identity source {expression:?}: {reason}")]
    IdentitySource {
        /// The expression as written.
        expression: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Which kind of API answers the client: REST APIs and HTTP APIs word their
/// refusals differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// A REST API (`apigateway`).
    Rest,
    /// An HTTP API (`apigatewayv2`).
    Http,
}

/// Why the authorizer did not let a request through. Each variant is one of
/// API Gateway's answers; [`response`](Refused::response) gives it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// An identity source is missing or empty, or a `TOKEN` authorizer's
    /// token does not match `identityValidationExpression`. The function was
    /// not called.
    #[error(
        "the request lacks the authorizer's identity sources (or the token fails its validation expression); the function was not called"
    )]
    MissingIdentity,
    /// The function raised an error whose message is exactly `Unauthorized`.
    #[error("the authorizer function answered Unauthorized")]
    Unauthorized,
    /// The function's policy does not allow the method (or a simple response
    /// said `isAuthorized: false`).
    #[error("{}", if *explicit { "the authorizer's policy denies the method explicitly" } else { "the authorizer's policy does not allow the method" })]
    Denied {
        /// Whether a `Deny` statement matched; otherwise no `Allow` did.
        explicit: bool,
    },
    /// The function answered with output API Gateway cannot use: not JSON,
    /// no `principalId` or `policyDocument`, a policy that is not valid, a
    /// `context` value that is an object or an array (REST)...
    #[error("the authorizer function's output is unusable: {0}")]
    ConfigurationError(String),
    /// The function did not answer.
    #[error("the authorizer function failed: {0}")]
    Failure(AuthorizerFailure),
}

/// How the function failed to answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorizerFailure {
    /// It raised an error other than `Unauthorized`; its `errorMessage`.
    #[error("it raised {0:?}")]
    Raised(String),
    /// It had not answered after [`AUTHORIZER_TIMEOUT`](super::AUTHORIZER_TIMEOUT).
    #[error("it did not answer within {} seconds", super::AUTHORIZER_TIMEOUT.as_secs())]
    TimedOut,
    /// It could not be called.
    #[error("it could not be called: {0}")]
    Unavailable(String),
}

/// How API Gateway answers a [`Refused`] by default, before any gateway
/// response customisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalResponse {
    /// The status code.
    pub status: u16,
    /// The gateway response type that customises the answer
    /// (`x-amazon-apigateway-gateway-responses`).
    pub response_type: &'static str,
    /// `$context.error.message`, the body's message; `None` is JSON `null`
    /// (REST's `{"message": null}` for authorizer failures).
    pub message: Option<&'static str>,
    /// The body's key for the message: REST's authorizer denials write
    /// `{"Message": ...}` with a capital M; everything else `message`.
    pub message_key: &'static str,
    /// REST's `x-amzn-ErrorType` header, where known; HTTP APIs send none.
    pub error_type: Option<&'static str>,
}

const fn answer(
    status: u16,
    response_type: &'static str,
    message: Option<&'static str>,
    error_type: Option<&'static str>,
) -> RefusalResponse {
    RefusalResponse {
        status,
        response_type,
        message,
        message_key: "message",
        error_type,
    }
}

const CONFIGURATION: &str = "AUTHORIZER_CONFIGURATION_ERROR";

impl Refused {
    /// API Gateway's default answer to this refusal from an API of kind
    /// `api`. The sources of each figure are in the [module
    /// documentation](super#refusals).
    pub fn response(&self, api: Api) -> RefusalResponse {
        match (api, self) {
            (Api::Rest, Refused::MissingIdentity | Refused::Unauthorized) => answer(
                401,
                "UNAUTHORIZED",
                Some("Unauthorized"),
                Some("UnauthorizedException"),
            ),
            (Api::Http, Refused::MissingIdentity | Refused::Unauthorized) => {
                answer(401, "UNAUTHORIZED", Some("Unauthorized"), None)
            }
            (Api::Rest, Refused::Denied { explicit }) => RefusalResponse {
                message: Some(if *explicit {
                    "User is not authorized to access this resource with an explicit deny"
                } else {
                    "User is not authorized to access this resource"
                }),
                message_key: "Message",
                ..answer(403, "ACCESS_DENIED", None, Some("AccessDeniedException"))
            },
            (Api::Http, Refused::Denied { .. }) => {
                answer(403, "ACCESS_DENIED", Some("Forbidden"), None)
            }
            (Api::Rest, Refused::Failure(AuthorizerFailure::TimedOut)) => {
                answer(500, "AUTHORIZER_FAILURE", None, None)
            }
            (Api::Rest, Refused::ConfigurationError(_) | Refused::Failure(_)) => answer(
                500,
                CONFIGURATION,
                None,
                Some("AuthorizerConfigurationException"),
            ),
            (Api::Http, Refused::Failure(AuthorizerFailure::TimedOut)) => answer(
                500,
                "AUTHORIZER_FAILURE",
                Some("Internal Server Error"),
                None,
            ),
            (Api::Http, Refused::ConfigurationError(_) | Refused::Failure(_)) => {
                answer(500, CONFIGURATION, Some("Internal Server Error"), None)
            }
        }
    }

    /// Whether the refusal is the caller's doing (401, 403) rather than the
    /// authorizer's (500): for log levels.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Refused::MissingIdentity | Refused::Unauthorized | Refused::Denied { .. }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_answers() {
        let r = Refused::Denied { explicit: true }.response(Api::Rest);
        assert_eq!((r.status, r.response_type), (403, "ACCESS_DENIED"));
        assert_eq!(
            r.message,
            Some("User is not authorized to access this resource with an explicit deny")
        );
        assert_eq!(r.message_key, "Message");
        let r = Refused::Denied { explicit: false }.response(Api::Rest);
        assert_eq!(
            r.message,
            Some("User is not authorized to access this resource")
        );
        let r = Refused::MissingIdentity.response(Api::Rest);
        assert_eq!((r.status, r.message), (401, Some("Unauthorized")));
        assert_eq!(r.error_type, Some("UnauthorizedException"));
        let r = Refused::ConfigurationError("x".into()).response(Api::Rest);
        assert_eq!(
            (r.status, r.response_type, r.message),
            (500, CONFIGURATION, None)
        );
        let raised = Refused::Failure(AuthorizerFailure::Raised("boom".into()));
        assert_eq!(raised.response(Api::Rest).response_type, CONFIGURATION);
        let timeout = Refused::Failure(AuthorizerFailure::TimedOut).response(Api::Rest);
        assert_eq!(
            (timeout.status, timeout.response_type),
            (500, "AUTHORIZER_FAILURE")
        );
    }

    #[test]
    fn http_answers() {
        let r = Refused::Denied { explicit: true }.response(Api::Http);
        assert_eq!(
            (r.status, r.message, r.error_type),
            (403, Some("Forbidden"), None)
        );
        let r = Refused::Unauthorized.response(Api::Http);
        assert_eq!((r.status, r.message), (401, Some("Unauthorized")));
        let r = Refused::ConfigurationError("x".into()).response(Api::Http);
        assert_eq!((r.status, r.message), (500, Some("Internal Server Error")));
        assert!(!Refused::ConfigurationError(String::new()).is_client_error());
        assert!(Refused::Denied { explicit: false }.is_client_error());
    }

    #[test]
    fn messages_say_what_to_fix() {
        let e = LambdaAuthorizerError::TtlTooLong { seconds: 7200 };
        assert!(e.to_string().contains("0 (no caching) to 3600"), "{e}");
        let e = Refused::Failure(AuthorizerFailure::TimedOut);
        assert!(e.to_string().contains("10 seconds"), "{e}");
    }
}
