//! A response body that is passed on as it arrives and kept, whole, when it ends.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http::{HeaderMap, StatusCode};
use http_body::{Body, Frame, SizeHint};

use crate::store::Store;
use crate::{CachedResponse, Fill};

/// Wraps a fetched response's body: each frame goes on to the client at
/// once, and a copy of the data (shared [`Bytes`], not copied) is kept
/// until the body ends, when the whole response completes the [`Fill`].
///
/// Nothing is kept when the body grows past the cache's bound, carries
/// trailers, fails, or is dropped before its end.
#[derive(Debug)]
pub struct FillingBody<B, S: Store> {
    inner: B,
    pending: Option<Pending<S>>,
}

#[derive(Debug)]
struct Pending<S: Store> {
    fill: Fill<S>,
    status: StatusCode,
    headers: HeaderMap,
    ttl: Duration,
    chunks: Vec<Bytes>,
    len: usize,
}

impl<B, S: Store> FillingBody<B, S> {
    /// Passes `body` on, completing `fill` with `status`, `headers` and the
    /// body's bytes for `ttl` when it ends.
    pub fn new(
        body: B,
        fill: Fill<S>,
        status: StatusCode,
        headers: HeaderMap,
        ttl: Duration,
    ) -> Self {
        Self {
            inner: body,
            pending: Some(Pending {
                fill,
                status,
                headers,
                ttl,
                chunks: Vec::new(),
                len: 0,
            }),
        }
    }
}

impl<S: Store> Pending<S> {
    fn complete(self) {
        let body = match self.chunks.len() {
            0 => Bytes::new(),
            1 => self.chunks.into_iter().next().unwrap_or_default(),
            _ => {
                let mut joined = BytesMut::with_capacity(self.len);
                for chunk in &self.chunks {
                    joined.extend_from_slice(chunk);
                }
                joined.freeze()
            }
        };
        let response = CachedResponse {
            status: self.status,
            headers: self.headers,
            body,
        };
        self.fill.complete(response, self.ttl);
    }
}

impl<B, S> Body for FillingBody<B, S>
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
        let this = self.get_mut();
        let frame = std::task::ready!(Pin::new(&mut this.inner).poll_frame(cx));
        match &frame {
            Some(Ok(frame)) => match frame.data_ref() {
                Some(data) => {
                    if let Some(pending) = &mut this.pending {
                        pending.len += data.len();
                        if pending.len > pending.fill.max_entry_bytes() {
                            this.pending = None;
                        } else {
                            pending.chunks.push(data.clone());
                        }
                    }
                }
                // Trailers: not kept (a cached answer could not replay them).
                None => this.pending = None,
            },
            Some(Err(_)) => this.pending = None,
            None => {
                if let Some(pending) = this.pending.take() {
                    pending.complete();
                }
            }
        }
        if this.inner.is_end_stream()
            && let Some(pending) = this.pending.take()
        {
            pending.complete();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::{BodyExt, Full};

    use super::*;
    use crate::{Cache, CacheKey, Lookup, MemoryStore};

    const TTL: Duration = Duration::from_secs(60);

    async fn miss(cache: &Cache<MemoryStore>) -> Fill<MemoryStore> {
        match cache.lookup(CacheKey::builder("p").build()).await {
            Lookup::Miss(fill) => fill,
            Lookup::Hit(_) => panic!("expected a miss"),
        }
    }

    #[tokio::test]
    async fn keeps_a_streamed_body_when_it_ends() {
        let cache = Cache::new(MemoryStore::new(1 << 20));
        let fill = miss(&cache).await;
        let stream = Chunks(
            ["ab", "cd", "e"]
                .map(|c| Bytes::from_static(c.as_bytes()))
                .into(),
        );
        let body = FillingBody::new(stream, fill, StatusCode::OK, HeaderMap::new(), TTL);
        let sent = body.collect().await.unwrap().to_bytes();
        assert_eq!(sent, "abcde");
        let Lookup::Hit(entry) = cache.lookup(CacheKey::builder("p").build()).await else {
            panic!("not kept")
        };
        assert_eq!(entry.body, "abcde");
    }

    #[tokio::test]
    async fn keeps_nothing_past_the_bound_or_when_dropped() {
        let settings = crate::CacheSettings {
            max_entry_bytes: 4,
            ..Default::default()
        };
        let cache = Cache::with_settings(MemoryStore::new(1 << 20), settings);
        let fill = miss(&cache).await;
        let body = FillingBody::new(
            Full::new(Bytes::from("12345")),
            fill,
            StatusCode::OK,
            HeaderMap::new(),
            TTL,
        );
        assert_eq!(body.collect().await.unwrap().to_bytes(), "12345");
        let fill = miss(&cache).await;
        drop(FillingBody::new(
            Full::new(Bytes::from("1")),
            fill,
            StatusCode::OK,
            HeaderMap::new(),
            TTL,
        ));
        let _still_cold = miss(&cache).await;
    }

    /// A body sent in the given chunks.
    struct Chunks(std::collections::VecDeque<Bytes>);

    impl Body for Chunks {
        type Data = Bytes;
        type Error = std::convert::Infallible;
        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
            Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
        }
    }
}
