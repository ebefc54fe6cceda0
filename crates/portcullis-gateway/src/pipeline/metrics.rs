//! Counting each answered request in its metrics series ([`crate::observe::metrics`]).
//!
//! A request is counted once, when its response head is ready, in the series
//! of what served it: its API, stage and route, or, when nothing matched,
//! the series whose unknown labels are empty (no API: every label empty; an
//! API but no stage: `api` only; a stage but no route: `api` and `stage`).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::Response;
use http_body::{Body, Frame, SizeHint};

use crate::body::{BoxError, ResponseBody};
use crate::config::ApiType;
use crate::observe::metrics::{Labels, Metrics, Series, SeriesRef};
use crate::request::RequestState;
use crate::runtime::{CompiledApi, CompiledStage, RoutePlan};

/// The series the request counts in.
pub(super) fn series<'x>(metrics: &'x Metrics, state: &RequestState<'x>) -> SeriesRef<'x> {
    match (state.api, state.stage, &state.route) {
        (_, _, Some(routed)) => routed
            .stage
            .metrics
            .route(routed.plan.index)
            .get(metrics, || {
                route_labels(routed.api, routed.stage, routed.plan)
            }),
        (Some(api), Some(stage), None) => stage
            .metrics
            .unrouted()
            .get(metrics, || labels(api, &stage.name, "", "")),
        (Some(api), None, None) => api.metrics.get(metrics, || labels(api, "", "", "")),
        (None, _, None) => metrics.unmatched(),
    }
}

fn route_labels(api: &CompiledApi, stage: &CompiledStage, plan: &RoutePlan) -> Labels {
    // `GET /pets` → `GET`; `$default` names no method.
    let method = plan
        .route_key
        .split_once(' ')
        .map_or("", |(method, _)| method);
    let path = match api.api_type {
        ApiType::Rest => &plan.resource,
        ApiType::Http => &plan.route_key,
    };
    labels(api, &stage.name, path, method)
}

fn labels(api: &CompiledApi, stage: &str, path: &str, method: &str) -> Labels {
    match api.api_type {
        ApiType::Rest => Labels::rest(&api.id, stage, path, method),
        ApiType::Http => Labels::http(&api.id, stage, path, method),
    }
}

/// Counts the answered request: status, `latency`, the integration's latency,
/// and the body bytes (the request body the body phase read, plus the
/// response body: its exact size, else its `Content-Length`, else the bytes
/// of the stream counted as they pass, added when the body is dropped).
pub(super) fn record(
    metrics: &Metrics,
    state: &RequestState<'_>,
    response: &mut Response<ResponseBody>,
    latency: Duration,
) {
    let series = series(metrics, state);
    let known = crate::body::known_length(response);
    if known.is_none() {
        let body = std::mem::take(response.body_mut());
        *response.body_mut() = ResponseBody::stream(Counted {
            body,
            series: series.to_arc(),
            bytes: 0,
        });
    }
    series.record(
        response.status().as_u16(),
        latency,
        state.integration.latency,
        state.request_bytes + known.unwrap_or(0),
    );
}

/// Counts a cache lookup's outcome in the request's series (`CacheHitCount`,
/// `CacheMissCount`).
pub(super) fn cache(metrics: &Metrics, state: &RequestState<'_>, hit: bool) {
    let series = series(metrics, state);
    if hit {
        series.cache_hit();
    } else {
        series.cache_miss();
    }
}

/// A streamed response body whose bytes are added to the series when it is
/// dropped (sent whole, or cut off by the client).
struct Counted {
    body: ResponseBody,
    series: Arc<Series>,
    bytes: u64,
}

impl Body for Counted {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.bytes += data.len() as u64;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.series.add_data(self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::request::Connection;
    use http_body_util::{BodyExt, StreamBody};

    fn connection() -> Connection {
        Connection {
            peer: "127.0.0.1:50000".parse().unwrap(),
            local: "127.0.0.1:3000".parse().unwrap(),
            tls: false,
        }
    }

    #[tokio::test]
    async fn streamed_bodies_are_counted_as_they_pass() {
        let metrics = Metrics::new();
        let parts = http::Request::get("/x").body(()).unwrap().into_parts().0;
        let mut state = RequestState::new(&parts, connection(), &SystemClock);
        state.request_bytes = 4;
        let frames = futures_util::stream::iter(
            ["ab", "cde"].map(|s| Ok::<_, std::io::Error>(Frame::data(Bytes::from(s)))),
        );
        let mut response = Response::new(ResponseBody::stream(StreamBody::new(frames)));
        record(&metrics, &state, &mut response, Duration::from_millis(3));
        let series = metrics.unmatched();
        // The request body now; the stream's bytes once it is sent.
        assert_eq!(series.requests(), 1);
        assert_eq!(series.data_processed(), 4);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"abcde");
        assert_eq!(series.data_processed(), 9);

        // A buffered body counts its length at once.
        let mut response = Response::new(ResponseBody::from("hello"));
        state.request_bytes = 0;
        record(&metrics, &state, &mut response, Duration::ZERO);
        assert_eq!(series.data_processed(), 14);
        assert_eq!(response.body().buffered(), Some(&b"hello"[..]));
    }

    #[test]
    fn cache_outcomes_count_in_the_requests_series() {
        let metrics = Metrics::new();
        let parts = http::Request::get("/x").body(()).unwrap().into_parts().0;
        let state = RequestState::new(&parts, connection(), &SystemClock);
        cache(&metrics, &state, true);
        cache(&metrics, &state, false);
        cache(&metrics, &state, false);
        let text = metrics.render();
        let labels = r#"{api="",stage="",resource="",method=""}"#;
        assert!(
            text.contains(&format!("portcullis_cache_hits_total{labels} 1\n")),
            "{text}"
        );
        assert!(
            text.contains(&format!("portcullis_cache_misses_total{labels} 2\n")),
            "{text}"
        );
    }
}
