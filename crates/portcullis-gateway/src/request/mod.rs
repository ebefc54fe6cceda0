//! One request's state: what the phases know of it and what they add.
//!
//! The pipeline creates a [`RequestState`] when a request arrives. `select`
//! records the API and stage, `route` the matched route ([`Routed`]); later
//! phases add their results (the integration's status and latency today;
//! authorizer, API key, throttle and cache results as those phases arrive).
//! Everything that answers or describes the request reads this one state:
//! `$context` ([`context`]), gateway responses, Lambda events, the access log.

mod authorized;
pub(crate) mod context;
mod ids;

pub(crate) use authorized::Authorized;
pub(crate) use ids::RequestIds;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use http::request::Parts;
use portcullis_router::Params;

use crate::clock::Clock;
use crate::config::ApiType;
use crate::runtime::{CompiledApi, CompiledStage, RoutePlan};

/// Where a connection came from and arrived.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    /// The client's address.
    pub peer: SocketAddr,
    /// The local address the connection arrived on.
    pub local: SocketAddr,
    /// Whether the connection is TLS.
    pub tls: bool,
}

impl Connection {
    /// `https` or `http`.
    pub(crate) fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }
}

/// What the pipeline knows about one request; phases read it and extend it.
#[derive(Debug)]
pub(crate) struct RequestState<'a> {
    /// Request ids.
    pub(crate) ids: RequestIds,
    /// The request head.
    pub(crate) parts: &'a Parts,
    /// Where the request came from.
    pub(crate) connection: Connection,
    /// The host the client asked for, without port.
    pub(crate) host: Option<&'a str>,
    /// Milliseconds since the epoch when the request arrived (the pipeline's clock).
    pub(crate) received_epoch_ms: u64,
    /// The same instant in nanoseconds: throttles and quotas count the
    /// request at its arrival (one clock read per request serves both).
    pub(crate) received_epoch_nanos: u64,
    /// When the request arrived, for latencies (the pipeline's clock).
    pub(crate) started: Instant,
    /// The API, once `select` found one (even when no stage matched).
    pub(crate) api: Option<&'a CompiledApi>,
    /// The stage, once `select` found one.
    pub(crate) stage: Option<&'a CompiledStage>,
    /// The matched route, once `route` found one.
    pub(crate) route: Option<Routed<'a>>,
    /// Who the authorize phase found the caller to be, when the route has an authorizer.
    pub(crate) authorizer: Option<Authorized>,
    /// The API key the request used, once the throttle phase checked it.
    pub(crate) api_key: Option<UsedKey>,
    /// What the throttle phase found, for `RateLimit-*` headers.
    pub(crate) rate_limit: Option<RateLimitState>,
    /// What the integration phase observed.
    pub(crate) integration: IntegrationOutcome,
    /// The request body's length, once the body phase read it (0 before).
    pub(crate) request_bytes: u64,
    /// `$context.requestOverride` / `responseOverride` a request template
    /// set, for the integration request and the rest of the request.
    pub(crate) overrides: Option<Box<crate::map::overrides::Overrides>>,
    /// The gateway error the request was answered with, if any:
    /// `$context.error.*` in access logs.
    pub(crate) failure: Option<Failure>,
    /// Whether the decode phase decoded the body from its `Content-Encoding`.
    pub(crate) body_decoded: bool,
    /// The request's trace (`X-Amzn-Trace-Id`, `traceparent`), passed on to integrations.
    pub(crate) trace: crate::observe::trace::TraceContext,
}

/// A gateway error as `$context.error.*` names it.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// `$context.error.responseType` (`MISSING_AUTHENTICATION_TOKEN`, ...).
    pub(crate) response_type: &'static str,
    /// `$context.error.message`.
    pub(crate) message: std::borrow::Cow<'static, str>,
}

/// An API key a request used: `$context.identity.apiKey` and `apiKeyId`.
#[derive(Debug, Clone)]
pub(crate) struct UsedKey {
    /// The key's id.
    pub(crate) id: std::sync::Arc<str>,
    /// Its value.
    pub(crate) value: std::sync::Arc<str>,
}

/// How close the request's tightest limit is, for `RateLimit-*` and `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RateLimitState {
    /// The tightest limit's headroom.
    pub(crate) headroom: Option<portcullis_ratelimit::Headroom>,
    /// For a refusal: when to retry.
    pub(crate) retry_after: Option<Duration>,
}

/// A routed request: what every phase after `route` works on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Routed<'a> {
    /// The API serving it.
    pub(crate) api: &'a CompiledApi,
    /// Its stage.
    pub(crate) stage: &'a CompiledStage,
    /// The route's plan.
    pub(crate) plan: &'a RoutePlan,
    /// Path parameters, undecoded, as the client sent them.
    pub(crate) params: Params<'a, 'a>,
    /// The path the API routed (after base path and stage).
    pub(crate) api_path: &'a str,
}

impl Routed<'_> {
    /// The method ARN of the request:
    /// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`.
    pub(crate) fn method_arn(&self, method: &str) -> String {
        format!(
            "{}/{}/{method}/{}",
            self.api.arn,
            self.stage.name,
            self.api_path.trim_start_matches('/')
        )
    }
}

/// What the integrate phase records: `$context.integration.*` and `integrationLatency`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IntegrationOutcome {
    /// How long the integration took, when it was called.
    pub(crate) latency: Option<Duration>,
    /// The integration's status code (HTTP), when it answered one.
    pub(crate) status: Option<u16>,
}

impl<'a> RequestState<'a> {
    /// The state of a request that just arrived.
    pub(crate) fn new(parts: &'a Parts, connection: Connection, clock: &dyn Clock) -> Self {
        let received_epoch_nanos = clock.epoch_nanos();
        Self {
            ids: RequestIds::generate(parts.headers.get("x-amzn-requestid")),
            parts,
            connection,
            host: host_of(parts),
            received_epoch_ms: received_epoch_nanos / 1_000_000,
            received_epoch_nanos,
            started: clock.now(),
            api: None,
            stage: None,
            route: None,
            authorizer: None,
            api_key: None,
            rate_limit: None,
            integration: IntegrationOutcome::default(),
            request_bytes: 0,
            overrides: None,
            failure: None,
            body_decoded: false,
            trace: crate::observe::trace::TraceContext::from_headers(
                &parts.headers,
                received_epoch_nanos / 1_000_000_000,
            ),
        }
    }

    /// The API type that shapes answers: the selected API's, else REST.
    pub(crate) fn api_type(&self) -> ApiType {
        self.api.map_or(ApiType::Rest, |api| api.api_type)
    }

    /// The query string's `(name, value)` pairs, undecoded, as the client
    /// sent them; empty pairs skipped.
    pub(crate) fn query_pairs(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
    }
}

/// The host the client asked for, without port.
fn host_of(parts: &Parts) -> Option<&str> {
    let host = parts.uri.host().or_else(|| {
        parts
            .headers
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
    })?;
    if host.starts_with('[') {
        // An IPv6 literal: keep up to the closing bracket.
        return host.find(']').map(|end| &host[..=end]);
    }
    Some(match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, host: Option<&str>) -> Parts {
        let mut builder = http::Request::builder().uri(uri);
        if let Some(host) = host {
            builder = builder.header("host", host);
        }
        builder.body(()).unwrap().into_parts().0
    }

    #[test]
    fn host_without_port() {
        assert_eq!(
            host_of(&parts("/", Some("abc.execute-api.localhost:3000"))),
            Some("abc.execute-api.localhost")
        );
        assert_eq!(
            host_of(&parts("/", Some("example.test"))),
            Some("example.test")
        );
        assert_eq!(
            host_of(&parts("http://h.test:8080/x", None)),
            Some("h.test")
        );
        assert_eq!(host_of(&parts("/", None)), None);
        assert_eq!(host_of(&parts("/", Some("[::1]:3000"))), Some("[::1]"));
    }
}
