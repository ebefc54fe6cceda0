//! The request pipeline: named phases over one [`RequestState`], in the
//! order `docs/pipeline.md` draws them.
//!
//! ```text
//! select → limits → route → authorize → throttle → body → decode → validate → cache lookup
//!        → map request → integrate → map response → cache keep → respond
//! ```
//!
//! Each phase is a function that reads the state and may extend it, and
//! returns one of three things: continue (`Ok` with its result), an early
//! answer (`Ok(ControlFlow::Break(response))`, see [`Step`]), or a typed
//! rejection (`Err(GatewayError)`). Rejections become AWS's answers in one
//! place, `respond::error`. A phase a route does not use is `None` in its
//! compiled plan and costs nothing.

mod authorize;
mod body;
mod cache;
mod cors;
mod decode;
mod limits;
mod metrics;
mod route;
mod throttle;
mod validate;

pub use crate::request::Connection;
pub use limits::{MAX_HEADER_BYTES, MAX_METHOD_ARN, MAX_URL_LENGTH};

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Request, Response};
use portcullis_ratelimit::{Limiter, MemoryStore};
use tracing::Instrument as _;

use crate::body::ResponseBody;
use crate::clock::{Clock, SystemClock};
use crate::error::GatewayError;
use crate::observe::metrics::Metrics;
use crate::observe::trace::spans::{self, Phase};
use crate::request::{RequestState, Routed};
use crate::runtime::{Gateway, Limits};
use crate::upstream::UpstreamClient;
use crate::{integration, map, respond};

/// What a phase that may answer early returns: `Continue` with its result,
/// `Break` with the answer (a health check today; a cache hit later), or a rejection.
pub(crate) type Step<T> = Result<ControlFlow<Response<ResponseBody>, T>, GatewayError>;

/// Awaits a phase's future within the phase's span; a disabled span (no
/// subscriber interested) wraps nothing, so the future is not moved again.
macro_rules! traced {
    ($request:expr, $phase:expr, $future:expr) => {{
        let span = spans::phase($request, $phase);
        if span.is_disabled() {
            $future.await
        } else {
            $future.instrument(span).await
        }
    }};
}

/// How long a client may take to send a request body, by default.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// The default limiter: in memory, on `clock`.
fn memory_limiter(clock: &Arc<dyn Clock>) -> Limiter {
    Limiter::new(MemoryStore::new()).with_clock(Arc::new(LimiterClock(clock.clone())))
}

/// The pipeline's clock as throttles and quotas read it.
#[derive(Debug)]
pub struct LimiterClock(pub Arc<dyn Clock>);

impl portcullis_ratelimit::Clock for LimiterClock {
    fn now_nanos(&self) -> u64 {
        self.0.epoch_nanos()
    }
}

/// Serves requests against the current [`Gateway`]; cheap to clone.
#[derive(Clone)]
pub struct Pipeline {
    gateway: Arc<ArcSwap<Gateway>>,
    upstream: UpstreamClient,
    body_timeout: Duration,
    clock: Arc<dyn Clock>,
    limiter: Arc<Limiter>,
    /// Whether `limiter` is the default one (rebuilt on the pipeline's clock by `with_clock`).
    default_limiter: bool,
    /// Where answered requests are counted.
    metrics: Arc<Metrics>,
}

impl std::fmt::Debug for Pipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("body_timeout", &self.body_timeout)
            .field("clock", &self.clock)
            .finish_non_exhaustive()
    }
}

impl Pipeline {
    /// A pipeline serving whatever `gateway` holds at the time each request arrives.
    pub fn new(gateway: Arc<ArcSwap<Gateway>>, upstream: UpstreamClient) -> Self {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        Self {
            gateway,
            upstream,
            body_timeout: BODY_READ_TIMEOUT,
            limiter: Arc::new(memory_limiter(&clock)),
            default_limiter: true,
            clock,
            metrics: Arc::new(Metrics::new()),
        }
    }

    /// Sets the registry answered requests are counted in (default: one of
    /// the pipeline's own). Keep one per process: reloads keep counting.
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// The registry answered requests are counted in.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Sets where throttles and quotas keep their state (default: in
    /// memory, on the pipeline's clock). The limiter outlives reloads: keep
    /// one per process.
    pub fn with_limiter(mut self, limiter: Arc<Limiter>) -> Self {
        self.limiter = limiter;
        self.default_limiter = false;
        self
    }

    /// The limiter throttles and quotas are checked with.
    pub fn limiter(&self) -> &Arc<Limiter> {
        &self.limiter
    }

    /// Sets how long a client may take to send its body before it gets 408
    /// (a bound on trickled bodies; default [`BODY_READ_TIMEOUT`]).
    pub fn with_body_timeout(mut self, timeout: Duration) -> Self {
        self.body_timeout = timeout;
        self
    }

    /// Sets the clock every phase reads time from (default: the system's).
    /// Tests pass a [`ManualClock`](crate::clock::ManualClock) and advance it
    /// instead of sleeping.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        if self.default_limiter {
            self.limiter = Arc::new(memory_limiter(&clock));
        }
        self.clock = clock;
        self
    }

    /// Serves one request. Never fails: errors are AWS responses.
    ///
    /// The request is checked as the edge must check it: an HTTP/1.1 request
    /// (what `http::Request::builder` makes by default) without exactly one
    /// `Host` header gets 400, as RFC 9112 requires; build requests in code
    /// with a `Host` header.
    pub async fn handle<B>(
        &self,
        request: Request<B>,
        connection: Connection,
    ) -> Response<ResponseBody>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        // A request keeps the config it started with, even across a reload.
        let gateway = self.gateway.load_full();
        let (parts, body) = request.into_parts();
        let mut state = RequestState::new(&parts, connection, self.clock.as_ref());
        let span = spans::request(&mut state);

        let selection = route::select(&gateway, &mut state);
        let routed = limits::check_head(&parts).and_then(|()| route::route(&selection, &mut state));
        spans::routed(&span, &state);
        let outcome = match routed {
            Err(error) => Err(error),
            Ok(ControlFlow::Break(answer)) => Ok(answer),
            Ok(ControlFlow::Continue(routed)) => {
                self.serve_route(&routed, &mut state, &gateway.limits, body, &span)
                    .await
            }
        };
        let mut response = match outcome {
            Ok(response) => response,
            Err(error) => respond::error(error, &mut state),
        };
        respond::finish(&mut response, &state);
        spans::answered(&span, response.status());
        if let Some(minimum) = state.api.and_then(|api| api.minimum_compression_size) {
            respond::compress(&mut response, &parts, minimum).await;
        }
        let latency = self.clock.now().saturating_duration_since(state.started);
        if let Some(log) = state.stage.and_then(|stage| stage.access_log.as_ref()) {
            log.record(&state, &response, latency);
        }
        metrics::record(&self.metrics, &state, &mut response, latency);
        tracing::info!(
            target: "portcullis::access",
            request_id = state.request_id(),
            method = %parts.method,
            path = parts.uri.path(),
            status = response.status().as_u16(),
            latency_us = latency.as_micros() as u64,
            "request"
        );
        response
    }

    /// The phases of a routed request, in order.
    async fn serve_route<B>(
        &self,
        route: &Routed<'_>,
        state: &mut RequestState<'_>,
        limits: &Limits,
        body: B,
        span: &tracing::Span,
    ) -> Result<Response<ResponseBody>, GatewayError>
    where
        B: http_body::Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        limits::check_method_arn(route, state.parts.method.as_str())?;
        authorize::check_resource_policy(route, state)?;
        // Authorizers run before the body is read, except IAM's, whose signature covers it.
        // Throttles count authorized requests only, so they follow the authorizer.
        let authorize = route.plan.authorize.as_ref();
        let body_authorizer = authorize.filter(|a| a.authorizer.needs_body());
        if let Some(authorize) = authorize.filter(|a| !a.authorizer.needs_body()) {
            traced!(
                span,
                Phase::Authorize,
                authorize::check(authorize, route, state, None)
            )?;
        }
        if body_authorizer.is_none() {
            traced!(
                span,
                Phase::Throttle,
                throttle::check(route, state, limits, &self.limiter)
            )?;
        }
        let body = traced!(
            span,
            Phase::Body,
            body::read(&state.parts.headers, body, self.body_timeout)
        )?;
        state.request_bytes = body.len() as u64;
        if let Some(authorize) = body_authorizer {
            traced!(
                span,
                Phase::Authorize,
                authorize::check(authorize, route, state, Some(&body))
            )?;
            traced!(
                span,
                Phase::Throttle,
                throttle::check(route, state, limits, &self.limiter)
            )?;
        }
        // After IAM, whose signature covers the body as sent.
        let body = decode::body(route, state, body).await?;
        if let Some(validation) = &route.plan.validation {
            spans::phase(span, Phase::Validate)
                .in_scope(|| validate::check(validation, route, state, &body))?;
        }
        let cached = match cache::lookup(route, state).await? {
            ControlFlow::Break(hit) => {
                metrics::cache(&self.metrics, state, true);
                return Ok(hit);
            }
            ControlFlow::Continue(pending) => pending,
        };
        if cached.is_some() {
            metrics::cache(&self.metrics, state, false);
        }
        let request = spans::phase(span, Phase::MapRequest)
            .in_scope(|| map::request::build(route, state, body))?;
        let answer = traced!(
            span,
            Phase::Integrate,
            integration::call(request, state, &self.upstream, self.clock.as_ref())
        )?;
        let response = spans::phase(span, Phase::MapResponse)
            .in_scope(|| map::response::build(answer, route, state))?;
        Ok(match cached {
            Some(pending) => cache::keep(pending, response),
            None => response,
        })
    }
}
