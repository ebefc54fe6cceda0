//! An authorizer's configuration as API Gateway defines it, and its checks.

use std::time::Duration;

use http::HeaderName;
use regex::Regex;

use super::error::{Api, LambdaAuthorizerError};

/// `authorizerResultTtlInSeconds` when none is given: 300 seconds.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// The longest `authorizerResultTtlInSeconds` API Gateway accepts: one hour.
pub const MAX_TTL: Duration = Duration::from_secs(3600);

/// One Lambda authorizer, as an API defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaAuthorizerConfig {
    /// The function to call (its name or ARN, as the [`Invoke`](super::Invoke)
    /// implementation understands it).
    pub function: String,
    /// `TOKEN` or `REQUEST`, with where the identity comes from.
    pub kind: AuthorizerKind,
    /// Which API and payload format: the event's shape and the output's.
    pub format: PayloadFormat,
    /// `authorizerResultTtlInSeconds`: how long a result is reused for the
    /// same identity. [`DEFAULT_TTL`] unless given; zero disables caching;
    /// at most [`MAX_TTL`]. Sub-second parts are kept.
    pub ttl: Duration,
}

impl LambdaAuthorizerConfig {
    /// A configuration with the default TTL.
    pub fn new(function: impl Into<String>, kind: AuthorizerKind, format: PayloadFormat) -> Self {
        LambdaAuthorizerConfig {
            function: function.into(),
            kind,
            format,
            ttl: DEFAULT_TTL,
        }
    }

    /// The same with `ttl`.
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }
}

/// Where the caller's identity comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizerKind {
    /// A REST `TOKEN` authorizer: the value of one header, passed verbatim
    /// as `authorizationToken`.
    Token {
        /// The header (`method.request.header.NAME`).
        header: HeaderName,
        /// `identityValidationExpression`: a regular expression the whole
        /// token must match, else 401 without calling the function.
        validation: Option<String>,
    },
    /// A `REQUEST` authorizer: the request's parameters.
    Request {
        /// The identity sources, in the order written: the cache key and,
        /// when required, the values that must be present.
        identity_sources: Vec<IdentitySource>,
    },
}

/// The API type and payload format of an authorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayloadFormat {
    /// A REST API authorizer (`TOKEN` or `REQUEST`).
    Rest,
    /// An HTTP API authorizer with `authorizerPayloadFormatVersion` `1.0`.
    HttpV1,
    /// An HTTP API authorizer with `authorizerPayloadFormatVersion` `2.0`.
    HttpV2 {
        /// `enableSimpleResponses`: the function answers
        /// `{"isAuthorized": bool}` instead of an IAM policy.
        simple_responses: bool,
    },
}

impl PayloadFormat {
    /// The kind of API the format belongs to.
    pub fn api(self) -> Api {
        match self {
            PayloadFormat::Rest => Api::Rest,
            PayloadFormat::HttpV1 | PayloadFormat::HttpV2 { .. } => Api::Http,
        }
    }
}

/// One identity source of a `REQUEST` authorizer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum IdentitySource {
    /// A request header (names are case-insensitive).
    Header(HeaderName),
    /// A query string parameter (names are case-sensitive), decoded.
    QueryString(String),
    /// A stage variable.
    StageVariable(String),
    /// A `$context` variable, such as `routeKey` or `identity.sourceIp`.
    Context(String),
}

impl IdentitySource {
    /// Reads one identity source expression: for REST APIs
    /// `method.request.header.NAME`, `method.request.querystring.NAME`,
    /// `stageVariables.NAME` or `context.NAME`; for HTTP APIs
    /// (`http_api`) `$request.header.NAME`, `$request.querystring.NAME`,
    /// `$stageVariables.NAME` or `$context.NAME`. Surrounding spaces are
    /// ignored.
    ///
    /// # Errors
    /// [`LambdaAuthorizerError::IdentitySource`], saying what is expected:
    /// path parameters cannot be identity sources, and each API type has
    /// its own spelling.
    pub fn parse(expression: &str, http_api: bool) -> Result<Self, LambdaAuthorizerError> {
        let fail = |reason: String| LambdaAuthorizerError::IdentitySource {
            expression: expression.to_owned(),
            reason,
        };
        let text = expression.trim();
        let (header, query, stage, context, path) = if http_api {
            (
                "$request.header.",
                "$request.querystring.",
                "$stageVariables.",
                "$context.",
                "$request.path.",
            )
        } else {
            (
                "method.request.header.",
                "method.request.querystring.",
                "stageVariables.",
                "context.",
                "method.request.path.",
            )
        };
        let name = |prefix: &str| text.strip_prefix(prefix).filter(|n| !n.is_empty());
        if let Some(n) = name(header) {
            HeaderName::from_bytes(n.as_bytes())
                .map(IdentitySource::Header)
                .map_err(|_| fail(format!("{n:?} is not a valid header name")))
        } else if let Some(n) = name(query) {
            Ok(IdentitySource::QueryString(n.to_owned()))
        } else if let Some(n) = name(stage) {
            Ok(IdentitySource::StageVariable(n.to_owned()))
        } else if let Some(n) = name(context) {
            Ok(IdentitySource::Context(n.to_owned()))
        } else if text.starts_with(path) {
            Err(fail(
                "path parameters cannot be identity sources (API Gateway refuses them)".to_owned(),
            ))
        } else {
            Err(fail(format!(
                "expected {header}NAME, {query}NAME, {stage}NAME or {context}NAME"
            )))
        }
    }

    /// Reads a comma-separated list, as REST's `identitySource` and the
    /// OpenAPI extension's write it.
    ///
    /// # Errors
    /// As [`IdentitySource::parse`], for the first expression that fails.
    pub fn parse_list(list: &str, http_api: bool) -> Result<Vec<Self>, LambdaAuthorizerError> {
        list.split(',')
            .filter(|e| !e.trim().is_empty())
            .map(|e| IdentitySource::parse(e, http_api))
            .collect()
    }
}

/// A configuration checked and compiled: what requests are served with.
#[derive(Debug)]
pub(super) struct Checked {
    pub(super) function: String,
    pub(super) kind: Kind,
    pub(super) format: PayloadFormat,
    pub(super) ttl: Duration,
}

#[derive(Debug)]
pub(super) enum Kind {
    Token {
        header: HeaderName,
        validation: Option<Regex>,
    },
    Request {
        sources: Vec<IdentitySource>,
    },
}

pub(super) fn check(config: LambdaAuthorizerConfig) -> Result<Checked, LambdaAuthorizerError> {
    let seconds = config.ttl.as_secs();
    if config.function.trim().is_empty() {
        return Err(LambdaAuthorizerError::NoFunction);
    }
    if config.ttl > MAX_TTL {
        return Err(LambdaAuthorizerError::TtlTooLong { seconds });
    }
    let kind = match config.kind {
        AuthorizerKind::Token { .. } if config.format.api() == Api::Http => {
            return Err(LambdaAuthorizerError::TokenOnHttpApi);
        }
        AuthorizerKind::Token { header, validation } => Kind::Token {
            header,
            validation: validation.as_deref().map(compile).transpose()?,
        },
        AuthorizerKind::Request { identity_sources } => {
            if identity_sources.is_empty() && !config.ttl.is_zero() {
                return Err(LambdaAuthorizerError::CachingWithoutIdentitySource { seconds });
            }
            Kind::Request {
                sources: identity_sources,
            }
        }
    };
    Ok(Checked {
        function: config.function,
        kind,
        format: config.format,
        ttl: config.ttl,
    })
}

/// Compiles `identityValidationExpression` to match whole tokens only, as
/// Java's `String.matches` (API Gateway's runtime) does.
fn compile(expression: &str) -> Result<Regex, LambdaAuthorizerError> {
    Regex::new(&format!("^(?:{expression})$")).map_err(|e| {
        LambdaAuthorizerError::ValidationExpression {
            expression: expression.to_owned(),
            reason: e.to_string(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_spelling() {
        use IdentitySource::*;
        let rest = |e| IdentitySource::parse(e, false);
        let http = |e| IdentitySource::parse(e, true);
        assert_eq!(
            rest("method.request.header.Auth").unwrap(),
            Header(HeaderName::from_static("auth"))
        );
        assert_eq!(
            rest(" method.request.querystring.Name ").unwrap(),
            QueryString("Name".into())
        );
        assert_eq!(rest("stageVariables.v").unwrap(), StageVariable("v".into()));
        assert_eq!(
            rest("context.identity.sourceIp").unwrap(),
            Context("identity.sourceIp".into())
        );
        assert_eq!(
            http("$request.header.Authorization").unwrap(),
            Header(HeaderName::from_static("authorization"))
        );
        assert_eq!(
            http("$request.querystring.q").unwrap(),
            QueryString("q".into())
        );
        assert_eq!(
            http("$stageVariables.s").unwrap(),
            StageVariable("s".into())
        );
        assert_eq!(
            http("$context.routeKey").unwrap(),
            Context("routeKey".into())
        );
    }

    #[test]
    fn refuses_the_other_api_spelling_and_paths() {
        let e = IdentitySource::parse("$request.header.Auth", false).unwrap_err();
        assert!(
            e.to_string()
                .contains("expected method.request.header.NAME"),
            "{e}"
        );
        let e = IdentitySource::parse("method.request.path.id", false).unwrap_err();
        assert!(e.to_string().contains("path parameters"), "{e}");
        assert!(IdentitySource::parse("$request.path.id", true).is_err());
        assert!(IdentitySource::parse("method.request.header.", false).is_err());
        assert!(IdentitySource::parse("method.request.header.a b", false).is_err());
        let list = IdentitySource::parse_list(
            "method.request.header.A, method.request.querystring.b",
            false,
        )
        .unwrap();
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn checks_ttl_kind_and_expression() {
        let token = |validation: Option<&str>| AuthorizerKind::Token {
            header: HeaderName::from_static("authorization"),
            validation: validation.map(str::to_owned),
        };
        let config = LambdaAuthorizerConfig::new("f", token(None), PayloadFormat::Rest);
        assert_eq!(config.ttl, DEFAULT_TTL);
        assert!(check(config.clone()).is_ok());
        assert!(check(config.clone().ttl(MAX_TTL)).is_ok());
        assert_eq!(
            check(config.clone().ttl(MAX_TTL + Duration::from_secs(1))).unwrap_err(),
            LambdaAuthorizerError::TtlTooLong { seconds: 3601 }
        );
        let http = LambdaAuthorizerConfig::new("f", token(None), PayloadFormat::HttpV1);
        assert_eq!(
            check(http).unwrap_err(),
            LambdaAuthorizerError::TokenOnHttpApi
        );
        let bad = LambdaAuthorizerConfig::new("f", token(Some("(?=x)")), PayloadFormat::Rest);
        assert!(matches!(
            check(bad).unwrap_err(),
            LambdaAuthorizerError::ValidationExpression { .. }
        ));
        let empty = AuthorizerKind::Request {
            identity_sources: vec![],
        };
        let caching = LambdaAuthorizerConfig::new("f", empty, PayloadFormat::Rest);
        assert!(matches!(
            check(caching.clone()).unwrap_err(),
            LambdaAuthorizerError::CachingWithoutIdentitySource { seconds: 300 }
        ));
        assert!(check(caching.ttl(Duration::ZERO)).is_ok());
        let unnamed = LambdaAuthorizerConfig::new(" ", token(None), PayloadFormat::Rest);
        assert_eq!(
            check(unnamed).unwrap_err(),
            LambdaAuthorizerError::NoFunction
        );
    }

    #[test]
    fn validation_matches_whole_tokens() {
        let re = compile("^x-[a-z]+").unwrap();
        assert!(re.is_match("x-abc"));
        assert!(!re.is_match("x-abc1"));
        assert!(!re.is_match("yx-abc"));
        let re = compile("Bearer .*|allow").unwrap();
        assert!(re.is_match("Bearer abc"));
        assert!(re.is_match("allow"));
        assert!(!re.is_match("allowed"));
        let re = compile(r"\w{5}").unwrap();
        assert!(re.is_match("abcde"));
        assert!(!re.is_match("abcdef"));
    }
}
