//! The integrate phase: send the mapped request to the route's backend and
//! bring back its raw answer. Nothing here maps: the request arrives mapped
//! (`map::request`) and the answer leaves raw (`map::response` maps it back).

mod http;
mod lambda;
mod service;

use std::borrow::Cow;
use std::time::Duration;

use ::http::Request;
use ::http::response::Parts;
use bytes::Bytes;
use http_body_util::Full;
use portcullis_lambda::Outcome;

use crate::clock::Clock;
use crate::error::GatewayError;
use crate::request::RequestState;
use crate::runtime::{HttpPlan, LambdaPlan, MockPlan, ServicePlan};
use crate::upstream::UpstreamClient;

/// AWS's payload limit, for requests and integration responses: 10 MB.
pub(crate) const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

/// A mapped request, ready for its backend; each kind carries its plan, so
/// its answer is mapped back by the same plan.
// Lives on the stack for one phase: boxing the large variant would cost an allocation per request.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum IntegrationRequest<'p> {
    /// An HTTP request for the backend (`http_proxy`, `http`, a REST
    /// `aws` service call, signed when sent).
    Http(&'p HttpPlan, Request<Bytes>),
    /// The payload a Lambda function is invoked with (`aws_proxy`, `aws`).
    Lambda(&'p LambdaPlan, Bytes),
    /// A MOCK: the status code its request template chose (empty: the default response).
    Mock(&'p MockPlan, String),
    /// An AWS service call, not signed yet, and the region it is signed for.
    Service(&'p ServicePlan, Request<Bytes>, Cow<'p, str>),
}

/// A backend's raw answer, with the plan that maps it back.
#[allow(clippy::large_enum_variant)] // as above
#[derive(Debug)]
pub(crate) enum IntegrationResponse<'p> {
    /// The backend's response head and whole body.
    Http(&'p HttpPlan, Parts, Bytes),
    /// The backend's response head, its body still arriving (`STREAM`).
    HttpStream(Parts, crate::upstream::UpstreamResponseBody),
    /// What the function returned or raised.
    Lambda(&'p LambdaPlan, Outcome),
    /// A MOCK answers itself: the status code that selects its response.
    Mock(&'p MockPlan, String),
    /// The service's answer: head and whole body.
    Service(&'p ServicePlan, Parts, Bytes),
}

/// The IAM caller's keys, for service calls made as the caller.
fn caller_keys<'s>(
    state: &'s RequestState<'_>,
) -> Option<&'s portcullis_lambda::remote::signer::Credentials> {
    match &state.authorizer {
        Some(crate::request::Authorized::Iam { keys, .. }) => Some(keys),
        _ => None,
    }
}

/// Calls the backend, recording the integration's latency and status in `state`.
///
/// # Errors
/// AWS's answers for a backend that fails, times out or answers too much.
pub(crate) async fn call<'p>(
    request: IntegrationRequest<'p>,
    state: &mut RequestState<'_>,
    upstream: &UpstreamClient,
    clock: &dyn Clock,
) -> Result<IntegrationResponse<'p>, GatewayError> {
    // A MOCK calls nothing: no latency to report, no clock to read.
    if let IntegrationRequest::Mock(plan, status) = request {
        return Ok(IntegrationResponse::Mock(plan, status));
    }
    let started = clock.now();
    // The backend calls are boxed: their futures (several KB, hyper's and the
    // Lambda client's) would otherwise sit in every request's future, MOCKs and
    // errors included, and be copied with it.
    let answer = match request {
        IntegrationRequest::Http(plan, request) if plan.stream_response => Box::pin(http::open(
            upstream,
            request.map(Full::new),
            plan.timeout,
            state.ids.request_id(),
        ))
        .await
        .map(|(head, body)| IntegrationResponse::HttpStream(head, body)),
        IntegrationRequest::Http(plan, request) => match &plan.aws {
            Some(signing) => {
                let trace = Some(state.trace.xray_header());
                Box::pin(service::call_rest(
                    upstream,
                    signing,
                    plan.timeout,
                    request,
                    caller_keys(state),
                    state.ids.request_id(),
                    trace,
                ))
                .await
            }
            None => {
                Box::pin(http::send(
                    upstream,
                    request.map(Full::new),
                    plan.timeout,
                    state.ids.request_id(),
                ))
                .await
            }
        }
        .map(|(head, body)| IntegrationResponse::Http(plan, head, body)),
        IntegrationRequest::Lambda(plan, payload) => {
            let trace = state.trace.xray_header();
            Box::pin(lambda::invoke(plan, payload, state.ids.request_id(), trace))
                .await
                .map(|outcome| IntegrationResponse::Lambda(plan, outcome))
        }
        IntegrationRequest::Mock(plan, status) => Ok(IntegrationResponse::Mock(plan, status)),
        IntegrationRequest::Service(plan, request, region) => {
            let trace = Some(state.trace.xray_header());
            Box::pin(service::call(
                upstream,
                plan,
                request,
                &region,
                caller_keys(state),
                state.ids.request_id(),
                trace,
            ))
            .await
            .map(|(head, body)| IntegrationResponse::Service(plan, head, body))
        }
    };
    state.integration.latency = Some(clock.now().saturating_duration_since(started));
    if let Ok(
        IntegrationResponse::Http(_, head, _)
        | IntegrationResponse::HttpStream(head, _)
        | IntegrationResponse::Service(_, head, _),
    ) = &answer
    {
        state.integration.status = Some(head.status.as_u16());
    }
    answer
}

/// Runs `exchange` within `timeout`, AWS's 504 past it.
///
/// Built with `map`, not `async`: an async fn or block would keep the
/// exchange twice in its state (before and while it is awaited), doubling
/// the size of every request's future.
fn within<T>(
    timeout: Duration,
    exchange: impl Future<Output = Result<T, GatewayError>>,
) -> impl Future<Output = Result<T, GatewayError>> {
    use futures_util::FutureExt as _;
    tokio::time::timeout(timeout, exchange)
        .map(|timed| timed.map_err(|_| GatewayError::IntegrationTimeout)?)
}
