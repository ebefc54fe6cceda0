//! The pipeline's phases as `tracing` spans: one `request` span per request
//! (api, stage, route, method, request id, trace id, status) with a child
//! span per phase (`authorize`, `throttle`, `body`, `validate`,
//! `map_request`, `integrate`, `map_response`).
//!
//! All are `DEBUG` spans of target [`TARGET`]: at the default `info` log level
//! no subscriber is interested, and each costs what a disabled `tracing`
//! span costs (one cached-interest check, no field evaluated, nothing
//! allocated). The OTLP exporter enables them for itself alone.

use http::StatusCode;
use tracing::Span;
use tracing::field::Empty;

use crate::request::RequestState;

/// The target of the pipeline's spans.
pub const TARGET: &str = "portcullis::trace";

/// A phase of the pipeline, as a span name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Authorizers (JWT, Lambda, IAM) and resource policies.
    Authorize,
    /// API keys, throttles and quotas.
    Throttle,
    /// Reading the body.
    Body,
    /// Request validation.
    Validate,
    /// Parameter mappings, request templates, Lambda events.
    MapRequest,
    /// The backend call.
    Integrate,
    /// Integration responses, proxy passthrough.
    MapResponse,
}

/// The span of one phase, a child of the `request` span: none when the
/// request span is disabled. Each phase is its own callsite, so each is
/// enabled or not on its own.
pub(crate) fn phase(request: &Span, phase: Phase) -> Span {
    if request.is_disabled() {
        return Span::none();
    }
    match phase {
        Phase::Authorize => tracing::debug_span!(target: TARGET, parent: request, "authorize"),
        Phase::Throttle => tracing::debug_span!(target: TARGET, parent: request, "throttle"),
        Phase::Body => tracing::debug_span!(target: TARGET, parent: request, "body"),
        Phase::Validate => tracing::debug_span!(target: TARGET, parent: request, "validate"),
        Phase::MapRequest => tracing::debug_span!(target: TARGET, parent: request, "map_request"),
        Phase::Integrate => tracing::debug_span!(target: TARGET, parent: request, "integrate"),
        Phase::MapResponse => {
            tracing::debug_span!(target: TARGET, parent: request, "map_response")
        }
    }
}

/// The `request` span of a request that just arrived. When an exporter is
/// interested, the span joins the request's trace (same trace id, the
/// caller's span as parent) and the state learns whether it is recorded.
pub(crate) fn request(state: &mut RequestState<'_>) -> Span {
    // Checked first: without a subscriber, `tracing` (with its `log` feature,
    // which a dependency may turn on) would evaluate a disabled span's fields
    // for `log` records. One atomic load instead.
    if !tracing::level_enabled!(tracing::Level::DEBUG) {
        return Span::none();
    }
    let span = tracing::debug_span!(
        target: TARGET,
        "request",
        otel.kind = "server",
        method = %state.parts.method,
        path = state.parts.uri.path(),
        request_id = state.ids.request_id(),
        trace_id = %state.trace.xray_trace_id(),
        api = Empty,
        stage = Empty,
        route = Empty,
        status = Empty,
    );
    #[cfg(feature = "otlp")]
    if !span.is_disabled() {
        super::otlp::adopt(&span, &mut state.trace);
    }
    span
}

/// Records what routing found: the API, its stage, the route.
pub(crate) fn routed(span: &Span, state: &RequestState<'_>) {
    if span.is_disabled() {
        return;
    }
    if let Some(api) = state.api {
        span.record("api", api.id.as_str());
    }
    if let Some(stage) = state.stage {
        span.record("stage", stage.name.as_str());
    }
    if let Some(route) = &state.route {
        span.record("route", route.plan.route_key.as_str());
    }
}

/// Records the status of the answer.
pub(crate) fn answered(span: &Span, status: StatusCode) {
    if !span.is_disabled() {
        span.record("status", status.as_u16());
    }
}
