//! The layer's response body: cached bytes, or the service's body.

use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};

use crate::{FillingBody, Store};

/// The body of a [`CacheService`](super::CacheService) response: the
/// cached bytes of a hit, or the service's body, kept as it streams past
/// when the response is to be kept.
///
/// A body of the service must be `Unpin` to be read through this one
/// (hyper's, axum's and `http-body-util`'s bodies are); wrap another in
/// `Box::pin` first.
pub struct CacheBody<B, S: Store> {
    pub(super) kind: Kind<B, S>,
}

pub(super) enum Kind<B, S: Store> {
    /// A hit; `None` once sent.
    Cached(Option<Bytes>),
    /// A miss being kept.
    Filling(FillingBody<B, S>),
    /// Not kept.
    Passing(B),
}

impl<B, S: Store> CacheBody<B, S> {
    pub(super) fn cached(body: Bytes) -> Self {
        Self {
            kind: Kind::Cached((!body.is_empty()).then_some(body)),
        }
    }

    pub(super) fn filling(body: FillingBody<B, S>) -> Self {
        Self {
            kind: Kind::Filling(body),
        }
    }

    pub(super) fn passing(body: B) -> Self {
        Self {
            kind: Kind::Passing(body),
        }
    }

    /// Whether the body comes from the cache.
    pub fn is_cached(&self) -> bool {
        matches!(self.kind, Kind::Cached(_))
    }
}

impl<B, S: Store> fmt::Debug for CacheBody<B, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.kind {
            Kind::Cached(_) => "cached",
            Kind::Filling(_) => "filling",
            Kind::Passing(_) => "passing",
        };
        f.debug_struct("CacheBody")
            .field("kind", &kind)
            .finish_non_exhaustive()
    }
}

impl<B, S> Body for CacheBody<B, S>
where
    B: Body<Data = Bytes> + Unpin,
    S: Store,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        match &mut self.get_mut().kind {
            Kind::Cached(body) => Poll::Ready(body.take().map(|data| Ok(Frame::data(data)))),
            Kind::Filling(body) => Pin::new(body).poll_frame(cx),
            Kind::Passing(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Cached(body) => body.is_none(),
            Kind::Filling(body) => body.is_end_stream(),
            Kind::Passing(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Cached(body) => SizeHint::with_exact(body.as_ref().map_or(0, |b| b.len() as u64)),
            Kind::Filling(body) => body.size_hint(),
            Kind::Passing(body) => body.size_hint(),
        }
    }
}
