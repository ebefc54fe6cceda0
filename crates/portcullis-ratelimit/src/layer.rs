//! A `tower` layer that rate-limits an HTTP service as API Gateway throttles
//! a stage or a usage plan: a [`Throttle`] (and optionally a [`Quota`]) per
//! key, checked by a [`Limiter`] before the inner service is called.
//!
//! Refusals are API Gateway's: status 429, `content-type: application/json`,
//! and `x-amzn-ErrorType: TooManyRequestsException` with
//! `{"message":"Too Many Requests"}` for the throttle, or
//! `x-amzn-ErrorType: LimitExceededException` with
//! `{"message":"Limit Exceeded"}` for the quota. AWS sends no rate-limit
//! headers; [`RateLimitLayer::rate_limit_headers`] adds the IETF draft's
//! `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` to every
//! limited response, and `Retry-After` to refusals.
//!
//! ```
//! use std::sync::Arc;
//!
//! use portcullis_ratelimit::{Limiter, MemoryStore, Period, Quota, RateLimitLayer, Throttle};
//!
//! let limiter = Arc::new(Limiter::new(MemoryStore::new()));
//! // 5 requests a second, 10 at once, and 10,000 a day, per API key.
//! let layer = RateLimitLayer::new(limiter, Throttle::new(5.0, 10).unwrap())
//!     .quota(Quota::new(10_000, Period::Day))
//!     .key_by_header(http::HeaderName::from_static("x-api-key"))
//!     .rate_limit_headers(true);
//! # let _ = layer;
//! ```

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, header};
use pin_project::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::check::{Check, Headroom, Outcome};
use crate::limiter::Limiter;
use crate::rule::{Quota, Throttle};

/// How a request's key is found; `None` leaves the request unlimited.
type KeyFn = dyn Fn(&Parts) -> Option<String> + Send + Sync;

/// The key of every request when no `key_by` is given: one shared bucket.
const GLOBAL_KEY: &str = "global";

/// Limits the services it wraps: a [`Throttle`] per key, and optionally a
/// [`Quota`] per key, checked in that order by a [`Limiter`] (whose failure
/// policy answers when its store cannot).
///
/// The throttle's state is stored under `throttle:KEY` and the quota's under
/// `quota:KEY`. Layers that share a limiter's store and compute the same keys
/// share buckets: give each layer its own keys (e.g. a prefix in
/// [`key_by`](Self::key_by)) to limit them apart.
#[derive(Clone)]
pub struct RateLimitLayer {
    limiter: Arc<Limiter>,
    throttle: Throttle,
    quota: Option<Quota>,
    key: Option<Arc<KeyFn>>,
    headers: bool,
}

impl fmt::Debug for RateLimitLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimitLayer")
            .field("limiter", &self.limiter)
            .field("throttle", &self.throttle)
            .field("quota", &self.quota)
            .field("key_by", &self.key.as_ref().map_or("global", |_| "fn"))
            .field("rate_limit_headers", &self.headers)
            .finish()
    }
}

impl RateLimitLayer {
    /// Limits every request with `throttle`, all in one bucket (key `global`)
    /// until [`key_by`](Self::key_by) says otherwise.
    pub fn new(limiter: Arc<Limiter>, throttle: Throttle) -> Self {
        Self {
            limiter,
            throttle,
            quota: None,
            key: None,
            headers: false,
        }
    }

    /// Also counts each key's requests against `quota` (checked after the
    /// throttle: a throttled request is not counted).
    pub fn quota(mut self, quota: Quota) -> Self {
        self.quota = Some(quota);
        self
    }

    /// Keys requests by what `key` returns for the request's head (method,
    /// URI, headers, extensions); a request it returns `None` for is not limited.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use portcullis_ratelimit::{Limiter, MemoryStore, RateLimitLayer, Throttle};
    /// # let limiter = Arc::new(Limiter::new(MemoryStore::new()));
    /// // One bucket per tenant, from the first path segment; /health is not limited.
    /// let layer = RateLimitLayer::new(limiter, Throttle::new(100.0, 200).unwrap())
    ///     .key_by(|head| {
    ///         let tenant = head.uri.path().trim_start_matches('/').split('/').next()?;
    ///         (tenant != "health").then(|| tenant.to_owned())
    ///     });
    /// # let _ = layer;
    /// ```
    pub fn key_by<F>(mut self, key: F) -> Self
    where
        F: Fn(&Parts) -> Option<String> + Send + Sync + 'static,
    {
        self.key = Some(Arc::new(key));
        self
    }

    /// Keys requests by the value of header `name` (an API key, a tenant);
    /// requests without it are not limited.
    pub fn key_by_header(self, name: HeaderName) -> Self {
        self.key_by(move |head| {
            head.headers
                .get(&name)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        })
    }

    /// Keys requests by the client's IP address, read from a
    /// [`SocketAddr`] request extension (the peer's address, which the
    /// server inserts: with hyper, in the per-connection service; with axum,
    /// use [`key_by`](Self::key_by) with its `ConnectInfo<SocketAddr>`
    /// instead). Requests without it are not limited.
    pub fn key_by_client_ip(self) -> Self {
        self.key_by(|head| {
            head.extensions
                .get::<SocketAddr>()
                .map(|peer| peer.ip().to_string())
        })
    }

    /// Whether to add `RateLimit-Limit`, `RateLimit-Remaining` and
    /// `RateLimit-Reset` (seconds, rounded up) to every limited response and
    /// `Retry-After` (seconds, rounded up) to refusals. Off by default, as
    /// in API Gateway.
    pub fn rate_limit_headers(mut self, enabled: bool) -> Self {
        self.headers = enabled;
        self
    }

    /// The request's key, or `None` when it is not limited.
    fn key(&self, head: &Parts) -> Option<Cow<'static, str>> {
        match &self.key {
            None => Some(Cow::Borrowed(GLOBAL_KEY)),
            Some(key) => key(head).map(Cow::Owned),
        }
    }
}

impl<S> Layer<S> for RateLimitLayer {
    type Service = RateLimit<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RateLimit {
            inner,
            layer: self.clone(),
        }
    }
}

/// The service [`RateLimitLayer`] makes.
#[derive(Clone, Debug)]
pub struct RateLimit<S> {
    inner: S,
    layer: RateLimitLayer,
}

type Checking = Pin<Box<dyn Future<Output = Outcome> + Send>>;

impl<S, B, ResBody> Service<Request<B>> for RateLimit<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone,
    ResBody: From<Bytes>,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone waits; the service that was polled ready serves this request.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let (head, body) = request.into_parts();
        let key = self.layer.key(&head);
        let request = Request::from_parts(head, body);
        let Some(key) = key else {
            return ResponseFuture {
                state: State::Calling {
                    future: inner.call(request),
                    headroom: None,
                },
                waiting: None,
                headers: false,
            };
        };
        let limiter = self.layer.limiter.clone();
        let throttle = self.layer.throttle;
        let quota = self.layer.quota;
        // The limiter's future borrows the keys: it is boxed with them.
        let check: Checking = Box::pin(async move {
            let throttle_key = stored_key("throttle:", &key);
            match quota {
                None => {
                    limiter
                        .check(&[Check::throttle(&throttle_key, throttle)])
                        .await
                }
                Some(quota) => {
                    let quota_key = stored_key("quota:", &key);
                    limiter
                        .check(&[
                            Check::throttle(&throttle_key, throttle),
                            Check::quota(&quota_key, quota),
                        ])
                        .await
                }
            }
        });
        ResponseFuture {
            state: State::Checking { check },
            waiting: Some((inner, request)),
            headers: self.layer.headers,
        }
    }
}

fn stored_key(prefix: &str, key: &str) -> Cow<'static, str> {
    if key == GLOBAL_KEY {
        Cow::Borrowed(if prefix == "quota:" {
            "quota:global"
        } else {
            "throttle:global"
        })
    } else {
        let mut stored = String::with_capacity(prefix.len() + key.len());
        stored.push_str(prefix);
        stored.push_str(key);
        Cow::Owned(stored)
    }
}

/// The response future of [`RateLimit`]: the check, then the inner service
/// (or the refusal).
#[pin_project]
pub struct ResponseFuture<S: Service<Request<B>>, B> {
    #[pin]
    state: State<S, B>,
    /// The service polled ready and the request, while checking.
    waiting: Option<(S, Request<B>)>,
    headers: bool,
}

impl<S: Service<Request<B>>, B> fmt::Debug for ResponseFuture<S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Checking { .. } => "checking",
            State::Calling { .. } => "calling",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

#[pin_project(project = StateProj)]
enum State<S: Service<Request<B>>, B> {
    Checking {
        check: Checking,
    },
    Calling {
        #[pin]
        future: S::Future,
        headroom: Option<Headroom>,
    },
}

impl<S, B, ResBody> Future for ResponseFuture<S, B>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    ResBody: From<Bytes>,
{
    type Output = Result<Response<ResBody>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut state = this.state;
        let headers = *this.headers;
        let waiting = this.waiting;
        loop {
            match state.as_mut().project() {
                StateProj::Checking { check } => {
                    let outcome = ready!(check.as_mut().poll(cx));
                    let (mut inner, request) =
                        waiting.take().expect("a rate-limit check completes once");
                    if let Some(refused) = outcome.refused {
                        return Poll::Ready(Ok(refusal(refused, &outcome, headers)));
                    }
                    let future = inner.call(request);
                    state.set(State::Calling {
                        future,
                        headroom: outcome.headroom,
                    });
                }
                StateProj::Calling { future, headroom } => {
                    let mut response = ready!(future.poll(cx))?;
                    if let (true, Some(headroom)) = (headers, headroom) {
                        add_headroom(response.headers_mut(), headroom);
                    }
                    return Poll::Ready(Ok(response));
                }
            }
        }
    }
}

/// API Gateway's 429: check 0 is the throttle, check 1 the quota.
fn refusal<ResBody: From<Bytes>>(
    refused: usize,
    outcome: &Outcome,
    headers: bool,
) -> Response<ResBody> {
    let (kind, body): (&str, &'static [u8]) = if refused == 0 {
        (
            "TooManyRequestsException",
            br#"{"message":"Too Many Requests"}"#,
        )
    } else {
        ("LimitExceededException", br#"{"message":"Limit Exceeded"}"#)
    };
    let mut response = Response::new(ResBody::from(Bytes::from_static(body)));
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    let map = response.headers_mut();
    map.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    map.insert(
        HeaderName::from_static("x-amzn-errortype"),
        HeaderValue::from_static(kind),
    );
    if headers {
        map.insert(header::RETRY_AFTER, seconds(outcome.retry_after));
        if let Some(headroom) = &outcome.headroom {
            add_headroom(map, headroom);
        }
    }
    response
}

fn add_headroom(map: &mut HeaderMap, headroom: &Headroom) {
    map.insert(
        HeaderName::from_static("ratelimit-limit"),
        HeaderValue::from(headroom.limit),
    );
    map.insert(
        HeaderName::from_static("ratelimit-remaining"),
        HeaderValue::from(headroom.remaining),
    );
    map.insert(
        HeaderName::from_static("ratelimit-reset"),
        seconds(headroom.reset),
    );
}

/// Whole seconds, rounded up.
fn seconds(duration: Duration) -> HeaderValue {
    HeaderValue::from(duration.as_secs() + u64::from(duration.subsec_nanos() > 0))
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use tower::{ServiceBuilder, ServiceExt, service_fn};

    use super::*;
    use crate::clock::ManualClock;
    use crate::rule::Period;
    use crate::{MemoryStore, OnFailure, Store, StoreError};

    const NOW: u64 = 20_793 * 86_400 * 1_000_000_000;

    fn limiter(clock: &Arc<ManualClock>) -> Arc<Limiter> {
        Arc::new(Limiter::new(MemoryStore::new()).with_clock(clock.clone()))
    }

    async fn hello(request: Request<String>) -> Result<Response<Bytes>, Infallible> {
        Ok(Response::new(Bytes::from(format!(
            "hello {}",
            request.uri().path()
        ))))
    }

    async fn send(layer: &RateLimitLayer, request: Request<String>) -> Response<Bytes> {
        ServiceBuilder::new()
            .layer(layer.clone())
            .service(service_fn(hello))
            .oneshot(request)
            .await
            .unwrap()
    }

    fn get(path: &str) -> Request<String> {
        Request::get(path).body(String::new()).unwrap()
    }

    fn header<'a>(response: &'a Response<Bytes>, name: &str) -> Option<&'a str> {
        response.headers().get(name).map(|v| v.to_str().unwrap())
    }

    #[tokio::test]
    async fn a_burst_then_aws_429s() {
        let clock = Arc::new(ManualClock::new(NOW));
        let layer = RateLimitLayer::new(limiter(&clock), Throttle::new(2.0, 3).unwrap());
        for _ in 0..3 {
            let response = send(&layer, get("/a")).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert_eq!(response.body(), "hello /a");
            assert!(response.headers().is_empty(), "AWS adds no headers");
        }
        // One bucket for everyone by default.
        let refused = send(&layer, get("/b")).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.body(), r#"{"message":"Too Many Requests"}"#);
        assert_eq!(header(&refused, "content-type"), Some("application/json"));
        assert_eq!(
            header(&refused, "x-amzn-ErrorType"),
            Some("TooManyRequestsException")
        );
        assert_eq!(header(&refused, "retry-after"), None);
        clock.advance(Duration::from_millis(500));
        assert_eq!(send(&layer, get("/b")).await.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn quotas_answer_limit_exceeded_with_headers() {
        let clock = Arc::new(ManualClock::new(NOW + 3_600 * 1_000_000_000));
        let layer = RateLimitLayer::new(limiter(&clock), Throttle::new(100.0, 100).unwrap())
            .quota(Quota::new(2, Period::Day))
            .rate_limit_headers(true);
        let first = send(&layer, get("/")).await;
        assert_eq!(header(&first, "ratelimit-limit"), Some("2"));
        assert_eq!(header(&first, "ratelimit-remaining"), Some("1"));
        assert_eq!(header(&first, "ratelimit-reset"), Some("82800"));
        assert_eq!(header(&first, "retry-after"), None);
        send(&layer, get("/")).await;
        let refused = send(&layer, get("/")).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.body(), r#"{"message":"Limit Exceeded"}"#);
        assert_eq!(
            header(&refused, "x-amzn-errortype"),
            Some("LimitExceededException")
        );
        assert_eq!(header(&refused, "retry-after"), Some("82800"));
        assert_eq!(header(&refused, "ratelimit-remaining"), Some("0"));
    }

    #[tokio::test]
    async fn throttle_headers_round_up() {
        let clock = Arc::new(ManualClock::new(NOW));
        let layer = RateLimitLayer::new(limiter(&clock), Throttle::new(0.4, 2).unwrap())
            .rate_limit_headers(true);
        let first = send(&layer, get("/")).await;
        assert_eq!(header(&first, "ratelimit-limit"), Some("2"));
        assert_eq!(header(&first, "ratelimit-remaining"), Some("1"));
        assert_eq!(header(&first, "ratelimit-reset"), Some("3"), "2.5 s");
        send(&layer, get("/")).await;
        clock.advance(Duration::from_millis(1));
        let refused = send(&layer, get("/")).await;
        assert_eq!(header(&refused, "retry-after"), Some("3"), "2.499 s");
        assert_eq!(header(&refused, "ratelimit-reset"), Some("5"), "4.999 s");
    }

    #[tokio::test]
    async fn keys_from_headers_and_client_addresses() {
        let clock = Arc::new(ManualClock::new(NOW));
        let throttle = Throttle::new(1.0, 1).unwrap();
        let by_key = RateLimitLayer::new(limiter(&clock), throttle)
            .key_by_header(HeaderName::from_static("x-api-key"));
        let with_key = |key: &str| {
            Request::get("/")
                .header("x-api-key", key)
                .body(String::new())
                .unwrap()
        };
        assert_eq!(send(&by_key, with_key("a")).await.status(), 200);
        assert_eq!(send(&by_key, with_key("a")).await.status(), 429);
        assert_eq!(send(&by_key, with_key("b")).await.status(), 200);
        // Without the header: not limited.
        for _ in 0..3 {
            assert_eq!(send(&by_key, get("/")).await.status(), 200);
        }

        let by_ip = RateLimitLayer::new(limiter(&clock), throttle).key_by_client_ip();
        let from = |peer: &str| {
            let mut request = get("/");
            request
                .extensions_mut()
                .insert(peer.parse::<SocketAddr>().unwrap());
            request
        };
        assert_eq!(send(&by_ip, from("10.0.0.1:1000")).await.status(), 200);
        assert_eq!(send(&by_ip, from("10.0.0.1:2000")).await.status(), 429);
        assert_eq!(send(&by_ip, from("[::1]:1000")).await.status(), 200);

        let by_path = RateLimitLayer::new(limiter(&clock), throttle)
            .key_by(|head| (head.uri.path() != "/free").then(|| head.uri.path().to_owned()));
        assert_eq!(send(&by_path, get("/x")).await.status(), 200);
        assert_eq!(send(&by_path, get("/x")).await.status(), 429);
        assert_eq!(send(&by_path, get("/free")).await.status(), 200);
        assert_eq!(send(&by_path, get("/free")).await.status(), 200);
    }

    #[derive(Debug)]
    struct Down;

    impl Store for Down {
        fn check<'a>(&'a self, _: &'a [Check<'a>], _: u64) -> crate::Pending<'a, Outcome> {
            crate::Pending::boxed(async { Err(StoreError::Unavailable("down".into())) })
        }

        fn counted<'a>(&'a self, _: &'a str, _: Period, _: u64) -> crate::Pending<'a, u64> {
            crate::Pending::ready(Err(StoreError::Unavailable("down".into())))
        }

        fn set_counted<'a>(
            &'a self,
            _: &'a str,
            _: Period,
            _: u64,
            _: u64,
        ) -> crate::Pending<'a, ()> {
            crate::Pending::ready(Err(StoreError::Unavailable("down".into())))
        }
    }

    #[tokio::test]
    async fn the_failure_policy_answers_when_the_store_cannot() {
        let throttle = Throttle::new(1.0, 1).unwrap();
        let open = RateLimitLayer::new(Arc::new(Limiter::new(Down)), throttle);
        assert_eq!(send(&open, get("/")).await.status(), 200);
        assert_eq!(send(&open, get("/")).await.status(), 200);
        let closed = RateLimitLayer::new(
            Arc::new(Limiter::new(Down).on_failure(OnFailure::Refuse)),
            throttle,
        )
        .rate_limit_headers(true);
        let refused = send(&closed, get("/")).await;
        assert_eq!(refused.status(), 429);
        assert_eq!(header(&refused, "retry-after"), Some("1"));
        assert_eq!(header(&refused, "ratelimit-limit"), None);
    }

    #[tokio::test]
    async fn the_service_polled_ready_serves_the_request() {
        // A service that must be polled ready before each call.
        #[derive(Clone, Default)]
        struct Strict {
            ready: bool,
        }
        impl Service<Request<String>> for Strict {
            type Response = Response<Bytes>;
            type Error = Infallible;
            type Future = std::future::Ready<Result<Response<Bytes>, Infallible>>;

            fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
                self.ready = true;
                Poll::Ready(Ok(()))
            }

            fn call(&mut self, _: Request<String>) -> Self::Future {
                assert!(self.ready, "called without poll_ready");
                self.ready = false;
                std::future::ready(Ok(Response::new(Bytes::from_static(b"ok"))))
            }
        }
        let clock = Arc::new(ManualClock::new(NOW));
        let mut service = RateLimitLayer::new(limiter(&clock), Throttle::new(1.0, 5).unwrap())
            .layer(Strict::default());
        for _ in 0..3 {
            let response = service.ready().await.unwrap().call(get("/")).await.unwrap();
            assert_eq!(response.body(), "ok");
        }
    }
}
