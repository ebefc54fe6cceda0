//! The layer's response future: a hit, or a lookup and then the wrapped
//! service, whose response is kept when it may be.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderValue, Request, Response};
use http_body::Body;
use pin_project::pin_project;
use tower_service::Service;

use super::{CacheBody, Looking, Policy, X_CACHE};
use crate::control::ResponseDirectives;
use crate::{CachedResponse, Fill, FillingBody, Lookup, Store};

/// The response future of [`CacheService`](super::CacheService): a hit,
/// or the lookup and then the wrapped service.
#[pin_project]
pub struct ResponseFuture<Inner, S, ReqBody>
where
    Inner: Service<Request<ReqBody>>,
    S: Store,
{
    #[pin]
    pub(super) state: State<Inner, S, ReqBody>,
    pub(super) policy: Policy,
    pub(super) head_only: bool,
}

#[pin_project(project = StateProj)]
pub(super) enum State<Inner, S, ReqBody>
where
    Inner: Service<Request<ReqBody>>,
    S: Store,
{
    /// Found at once.
    Hit { entry: Option<Arc<CachedResponse>> },
    /// Waiting for the store or another request's fetch, with the service
    /// polled ready and the request.
    Looking {
        lookup: Looking<S>,
        waiting: Option<(Inner, Request<ReqBody>)>,
    },
    /// At the service; `fill` is `None` when the response is not to be kept.
    Calling {
        #[pin]
        future: Inner::Future,
        fill: Option<Fill<S>>,
    },
}

impl<Inner, S, ReqBody> fmt::Debug for ResponseFuture<Inner, S, ReqBody>
where
    Inner: Service<Request<ReqBody>>,
    S: Store,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Hit { .. } => "hit",
            State::Looking { .. } => "looking",
            State::Calling { .. } => "calling",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl<Inner, S, ReqBody, ResBody> Future for ResponseFuture<Inner, S, ReqBody>
where
    Inner: Service<Request<ReqBody>, Response = Response<ResBody>>,
    S: Store,
    ResBody: Body<Data = Bytes>,
{
    type Output = Result<Response<CacheBody<ResBody, S>>, Inner::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut state = this.state;
        let (policy, head_only) = (*this.policy, *this.head_only);
        loop {
            match state.as_mut().project() {
                StateProj::Hit { entry } => {
                    let entry = entry
                        .take()
                        .expect("a cache response future completes once");
                    return Poll::Ready(Ok(hit(&entry, head_only, policy)));
                }
                StateProj::Looking { lookup, waiting } => {
                    let found = ready!(lookup.as_mut().poll(cx));
                    let (mut inner, request) =
                        waiting.take().expect("a cache lookup completes once");
                    match found {
                        Lookup::Hit(entry) => {
                            return Poll::Ready(Ok(hit(&entry, head_only, policy)));
                        }
                        Lookup::Miss(fill) => state.set(State::Calling {
                            future: inner.call(request),
                            fill: Some(fill),
                        }),
                    }
                }
                StateProj::Calling { future, fill } => {
                    let result = ready!(future.poll(cx));
                    // On an error the fill drops now, releasing the requests waiting for it.
                    let fill = fill.take();
                    let response = result?;
                    return Poll::Ready(Ok(fetched(response, fill, policy, head_only)));
                }
            }
        }
    }
}

/// A cached entry as a response: the head is built, the body shared.
fn hit<B, S: Store>(
    entry: &CachedResponse,
    head_only: bool,
    policy: Policy,
) -> Response<CacheBody<B, S>> {
    let body = if head_only {
        Bytes::new()
    } else {
        entry.body.clone()
    };
    let mut response = Response::new(CacheBody::cached(body));
    *response.status_mut() = entry.status;
    *response.headers_mut() = entry.headers.clone();
    if policy.x_cache {
        response
            .headers_mut()
            .insert(X_CACHE, HeaderValue::from_static("Hit"));
    }
    response
}

/// The service's response, on its way to the client; `fill`, when there,
/// keeps it if it may be kept.
fn fetched<B, S>(
    response: Response<B>,
    fill: Option<Fill<S>>,
    policy: Policy,
    head_only: bool,
) -> Response<CacheBody<B, S>>
where
    B: Body<Data = Bytes>,
    S: Store,
{
    let (mut head, body) = response.into_parts();
    let Some(fill) = fill else {
        return Response::from_parts(head, CacheBody::passing(body));
    };
    let too_large =
        body.size_hint().lower() > u64::try_from(fill.max_entry_bytes()).unwrap_or(u64::MAX);
    let body = match keep_for(&head, policy) {
        // Dropping the fill releases the requests waiting for it.
        None => CacheBody::passing(body),
        Some(ttl) if head_only => {
            let mut headers = head.headers.clone();
            // A server derives a HEAD response's Content-Length from the
            // body it does not send; the cached answer has no such body.
            if !headers.contains_key(CONTENT_LENGTH)
                && let Some(len) = body.size_hint().exact()
            {
                headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
            }
            let entry = CachedResponse {
                status: head.status,
                headers,
                body: Bytes::new(),
            };
            fill.complete(entry, ttl);
            CacheBody::passing(body)
        }
        // Known too large from its length: waiters need not wait for its end.
        Some(_) if too_large => CacheBody::passing(body),
        Some(ttl) => CacheBody::filling(FillingBody::new(
            body,
            fill,
            head.status,
            head.headers.clone(),
            ttl,
        )),
    };
    if policy.x_cache {
        head.headers
            .insert(X_CACHE, HeaderValue::from_static("Miss"));
    }
    Response::from_parts(head, body)
}

/// How long a fetched response may be kept; `None` when it must not be.
fn keep_for(head: &http::response::Parts, policy: Policy) -> Option<Duration> {
    if head.status.as_u16() >= 500 {
        return None;
    }
    if policy.cache_control {
        ResponseDirectives::from_headers(&head.headers).ttl(policy.ttl)
    } else {
        Some(policy.ttl)
    }
}
