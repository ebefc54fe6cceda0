#![doc = include_str!("doc.md")]

mod authorized;
mod cache;
mod config;
mod error;
mod event;
mod inflight;
mod output;
mod request;

#[cfg(test)]
mod event_tests;
#[cfg(test)]
mod tests;

pub use authorized::{Authorized, IntegrationFormat};
pub use cache::RESULT_CACHE_CAPACITY;
pub use config::{
    AuthorizerKind, DEFAULT_TTL, IdentitySource, LambdaAuthorizerConfig, MAX_TTL, PayloadFormat,
};
pub use error::{Api, AuthorizerFailure, LambdaAuthorizerError, RefusalResponse, Refused};
pub use output::MAX_OUTPUT_BYTES;
pub use request::{AuthorizerRequest, RequestContext};

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::fetch::BoxFuture;
use crate::policy::{Decision, PolicyRequest};
use cache::ResultCache;
use config::{Checked, Kind};
use inflight::Inflight;
use output::{Grant, Verdict};

/// How long API Gateway waits for an authorizer function: 10 seconds.
pub const AUTHORIZER_TIMEOUT: Duration = Duration::from_secs(10);

/// Calls the authorizer function. The gateway implements it with its Lambda
/// runtime; tests with a fake.
pub trait Invoke: Send + Sync + 'static {
    /// Calls `function` with `event` (JSON) and returns its output (JSON),
    /// or how it failed. The authorizer bounds the time it takes by
    /// [`AUTHORIZER_TIMEOUT`].
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        event: Bytes,
    ) -> BoxFuture<'a, Result<Bytes, InvokeError>>;
}

/// A call of the function that brought no output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    /// The function raised an error (or its runtime reported one, such as
    /// Lambda's own timeout).
    #[error("the function raised: {message}")]
    FunctionError {
        /// Its `errorMessage`. Exactly `Unauthorized` means 401.
        message: String,
    },
    /// The function could not be called: not found, no runtime, crashed
    /// before answering.
    #[error("the function could not be called: {0}")]
    Unavailable(String),
}

/// One Lambda authorizer: its checked configuration and its result cache.
/// Share it behind an `Arc`; [`authorize`](Self::authorize) takes `&self`.
#[derive(Debug)]
pub struct LambdaAuthorizer {
    config: Checked,
    cache: ResultCache,
    inflight: Inflight<Outcome>,
}

/// A call's checked answer and how long the function took, or why there is
/// none; shared by the requests that waited on one call.
type Outcome = Result<(Arc<Grant>, Duration), Refused>;

impl LambdaAuthorizer {
    /// Checks `config` and compiles it.
    ///
    /// # Errors
    /// A [`LambdaAuthorizerError`] naming the setting at fault: a TTL over
    /// [`MAX_TTL`], a `TOKEN` authorizer on an HTTP API, a `REQUEST`
    /// authorizer that caches without identity sources, an
    /// `identityValidationExpression` that does not compile.
    pub fn new(config: LambdaAuthorizerConfig) -> Result<Self, LambdaAuthorizerError> {
        Ok(LambdaAuthorizer {
            config: config::check(config)?,
            cache: ResultCache::default(),
            inflight: Inflight::default(),
        })
    }

    /// The function this authorizer calls.
    pub fn function(&self) -> &str {
        &self.config.function
    }

    /// The authorizer's payload format.
    pub fn format(&self) -> PayloadFormat {
        self.config.format
    }

    /// How many results the cache holds now, expired ones included.
    pub fn cached_results(&self) -> usize {
        self.cache.len()
    }

    /// Decides whether `request` may proceed: reads its identity, answers
    /// from the result cache or calls the function through `invoke`, and
    /// evaluates the answer against `request.method_arn`. `now` is the
    /// clock the cache's TTL is measured with.
    ///
    /// # Errors
    /// Why the request is refused; [`Refused::response`] gives AWS's answer.
    pub async fn authorize(
        &self,
        request: &AuthorizerRequest<'_>,
        invoke: &dyn Invoke,
        now: Instant,
    ) -> Result<Authorized, Refused> {
        let config = &self.config;
        let identity = request::identity(&config.kind, config.format, request);
        let required = match (&config.kind, config.format) {
            (Kind::Token { .. }, _) | (_, PayloadFormat::HttpV1 | PayloadFormat::HttpV2 { .. }) => {
                true
            }
            (Kind::Request { .. }, PayloadFormat::Rest) => !config.ttl.is_zero(),
        };
        if required && !identity.complete {
            return Err(Refused::MissingIdentity);
        }
        let key = (!config.ttl.is_zero()).then(|| identity.cache_key());
        if let Some(key) = &key
            && let Some(grant) = self.cache.get(key, now)
        {
            return decide(grant, request, true, Duration::ZERO);
        }
        // Checked after the cache: a cached token (the whole key) passed it
        // when it was cached, and a long token costs microseconds to match.
        if let Kind::Token {
            validation: Some(re),
            ..
        } = &config.kind
            && !identity.values.first().is_some_and(|t| re.is_match(t))
        {
            return Err(Refused::MissingIdentity);
        }

        let call = || self.call(request, &identity, invoke, key.as_deref(), now);
        let (grant, latency) = match &key {
            // Concurrent misses for one identity share one call.
            Some(key) => self.inflight.run(key, call).await,
            None => call().await,
        }?;
        decide(grant, request, false, latency)
    }

    /// Calls the function, checks its answer and caches it under `key`.
    async fn call(
        &self,
        request: &AuthorizerRequest<'_>,
        identity: &request::Identity<'_>,
        invoke: &dyn Invoke,
        key: Option<&[u8]>,
        now: Instant,
    ) -> Outcome {
        let config = &self.config;
        let event = event::build(&config.kind, config.format, request, identity);
        let started = tokio::time::Instant::now();
        let called =
            tokio::time::timeout(AUTHORIZER_TIMEOUT, invoke.invoke(&config.function, event)).await;
        let latency = started.elapsed();
        let output = match called {
            Ok(Ok(output)) => output,
            Ok(Err(InvokeError::FunctionError { message })) if message == "Unauthorized" => {
                return Err(Refused::Unauthorized);
            }
            Ok(Err(InvokeError::FunctionError { message })) => {
                return Err(Refused::Failure(AuthorizerFailure::Raised(message)));
            }
            Ok(Err(InvokeError::Unavailable(why))) => {
                return Err(Refused::Failure(AuthorizerFailure::Unavailable(why)));
            }
            Err(_) => return Err(Refused::Failure(AuthorizerFailure::TimedOut)),
        };
        let grant =
            Arc::new(output::parse(&output, config.format).map_err(Refused::ConfigurationError)?);
        if let Some(key) = key {
            self.cache.insert(key, grant.clone(), now, now + config.ttl);
        }
        Ok((grant, latency))
    }
}

/// Evaluates a (possibly cached) answer for `request`.
fn decide(
    grant: Arc<Grant>,
    request: &AuthorizerRequest<'_>,
    from_cache: bool,
    latency: Duration,
) -> Result<Authorized, Refused> {
    let decision = match &grant.decision {
        Verdict::Simple(true) => Decision::Allow,
        Verdict::Simple(false) => Decision::NotApplicable,
        Verdict::Policy(policy) => {
            let mut asked = PolicyRequest::new("execute-api:Invoke", request.method_arn);
            if let Some(ip) = request.source_ip {
                asked = asked.with_source_ip(ip);
            }
            policy.evaluate(&asked)
        }
    };
    match decision {
        Decision::Allow => Ok(Authorized {
            grant,
            from_cache,
            latency,
        }),
        Decision::ExplicitDeny => Err(Refused::Denied { explicit: true }),
        Decision::NotApplicable => Err(Refused::Denied { explicit: false }),
    }
}
