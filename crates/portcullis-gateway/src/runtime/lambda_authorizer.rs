//! Lambda authorizers compiled at load: the crate's [`LambdaAuthorizer`]
//! (events, result cache, policy evaluation) calling the configured function
//! through the gateway's Lambda runtime.

use std::time::Duration;

use bytes::Bytes;
use portcullis_auth::fetch::BoxFuture;
use portcullis_auth::lambda::{
    AuthorizerKind, IdentitySource, Invoke, InvokeError, LambdaAuthorizer, LambdaAuthorizerConfig,
    PayloadFormat,
};
use portcullis_lambda::{Function, Outcome};

use super::functions::Functions;
use crate::config::{self, ApiType};

/// One Lambda authorizer of an API.
#[derive(Debug)]
pub(crate) struct LambdaAuthorizerPlan {
    pub(crate) authorizer: LambdaAuthorizer,
    pub(crate) invoker: FunctionInvoker,
    /// The integration event format the authorizer's own event follows.
    pub(crate) format: PayloadFormat,
}

impl LambdaAuthorizerPlan {
    /// Compiles `declared`.
    ///
    /// # Errors
    /// What makes the authorizer unusable (an identity source it cannot read,
    /// an invalid validation expression, caching without identity sources).
    pub(crate) fn compile(
        declared: &config::LambdaAuthorizer,
        api_type: ApiType,
        functions: &Functions,
    ) -> Result<Self, String> {
        let http = api_type == ApiType::Http;
        let sources = declared
            .identity_sources
            .iter()
            .map(|s| IdentitySource::parse(s, http))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| e.to_string())?;
        let kind = if declared.token {
            let Some(IdentitySource::Header(header)) = sources.into_iter().next() else {
                return Err(
                    "a token authorizer reads one header (method.request.header.NAME)".to_owned(),
                );
            };
            AuthorizerKind::Token {
                header,
                validation: declared.validation_expression.clone(),
            }
        } else {
            AuthorizerKind::Request {
                identity_sources: sources,
            }
        };
        let format = match (api_type, declared.payload_v2) {
            (ApiType::Rest, _) => PayloadFormat::Rest,
            (ApiType::Http, false) => PayloadFormat::HttpV1,
            (ApiType::Http, true) => PayloadFormat::HttpV2 {
                simple_responses: declared.simple_responses,
            },
        };
        let config = LambdaAuthorizerConfig::new(declared.function.name.clone(), kind, format)
            .ttl(Duration::from_secs(declared.ttl_seconds));
        let authorizer = LambdaAuthorizer::new(config).map_err(|e| e.to_string())?;
        Ok(Self {
            authorizer,
            invoker: FunctionInvoker {
                function: functions.get(&declared.function.name).cloned(),
            },
            format,
        })
    }
}

/// Calls the authorizer's function; `None` when it is not configured (the
/// load warned), which API Gateway answers as an authorizer it cannot call.
#[derive(Debug, Clone)]
pub(crate) struct FunctionInvoker {
    function: Option<Function>,
}

impl Invoke for FunctionInvoker {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        event: Bytes,
    ) -> BoxFuture<'a, Result<Bytes, InvokeError>> {
        Box::pin(async move {
            let Some(handle) = &self.function else {
                return Err(InvokeError::Unavailable(format!(
                    "function {function:?} is not configured: add `--function {function}=COMMAND` or `functions:` to the config"
                )));
            };
            match handle.invoke(event, "authorizer").await {
                Ok(Outcome::Returned(payload)) => Ok(payload),
                Ok(Outcome::Failed(document)) => {
                    let message = serde_json::from_slice::<serde_json::Value>(&document)
                        .ok()
                        .and_then(|d| {
                            d.get("errorMessage")
                                .and_then(|m| m.as_str())
                                .map(str::to_owned)
                        })
                        .unwrap_or_default();
                    Err(InvokeError::FunctionError { message })
                }
                Err(error) => Err(InvokeError::Unavailable(error.to_string())),
            }
        })
    }
}
