//! The body of every response the gateway writes: buffered bytes, or a stream.
//!
//! Buffered answers (AWS's mapped responses, errors, MOCKs) cost what
//! `Full<Bytes>` costs; a streamed body (a proxied response passed on as it
//! arrives, an upgrade) is boxed once.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;

/// Errors a streamed body may end with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A response body: buffered or streamed.
#[derive(Debug)]
pub struct ResponseBody {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// `None` once sent, or from the start when empty.
    Buffered(Option<Bytes>),
    Streamed(BoxBody<Bytes, BoxError>),
}

impl ResponseBody {
    /// A buffered body.
    pub fn new(bytes: Bytes) -> Self {
        Self {
            kind: Kind::Buffered((!bytes.is_empty()).then_some(bytes)),
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self {
            kind: Kind::Buffered(None),
        }
    }

    /// A body streamed from `body`, frame by frame.
    pub fn stream<B>(body: B) -> Self
    where
        B: Body<Data = Bytes> + Send + Sync + 'static,
        B::Error: Into<BoxError>,
    {
        Self {
            kind: Kind::Streamed(body.map_err(Into::into).boxed()),
        }
    }

    /// The bytes of a buffered body not yet sent; the body back when it is a stream.
    pub(crate) fn into_buffered(self) -> Result<Bytes, Self> {
        match self.kind {
            Kind::Buffered(bytes) => Ok(bytes.unwrap_or_default()),
            kind @ Kind::Streamed(_) => Err(Self { kind }),
        }
    }

    /// The bytes of a buffered body not yet sent; `None` for a stream.
    pub fn buffered(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Buffered(bytes) => Some(bytes.as_deref().unwrap_or_default()),
            Kind::Streamed(_) => None,
        }
    }
}

/// A response body's length when it is known before it is sent: exact for
/// buffered bodies, else the `Content-Length` the response declares (a stream
/// of unknown length has none).
pub(crate) fn known_length(response: &http::Response<ResponseBody>) -> Option<u64> {
    response.body().size_hint().exact().or_else(|| {
        response
            .headers()
            .get(http::header::CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    })
}

impl Default for ResponseBody {
    fn default() -> Self {
        Self::empty()
    }
}

impl From<Bytes> for ResponseBody {
    fn from(bytes: Bytes) -> Self {
        Self::new(bytes)
    }
}

impl From<&'static str> for ResponseBody {
    fn from(text: &'static str) -> Self {
        Self::new(Bytes::from_static(text.as_bytes()))
    }
}

impl From<String> for ResponseBody {
    fn from(text: String) -> Self {
        Self::new(Bytes::from(text))
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match &mut self.get_mut().kind {
            Kind::Buffered(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Kind::Streamed(body) => Pin::new(body).poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Buffered(bytes) => bytes.is_none(),
            Kind::Streamed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Buffered(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Kind::Streamed(body) => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full, StreamBody};

    #[tokio::test]
    async fn buffered_body_is_one_frame_of_known_size() {
        let body = ResponseBody::from("hello");
        assert_eq!(body.size_hint().exact(), Some(5));
        assert_eq!(body.buffered(), Some(&b"hello"[..]));
        assert_eq!(&body.collect().await.unwrap().to_bytes()[..], b"hello");
        assert!(ResponseBody::new(Bytes::new()).is_end_stream());
    }

    #[tokio::test]
    async fn streamed_body_passes_every_frame() {
        let frames = futures_util::stream::iter(
            ["a", "b", "c"].map(|s| Ok::<_, std::io::Error>(Frame::data(Bytes::from(s)))),
        );
        let body = ResponseBody::stream(StreamBody::new(frames));
        assert_eq!(body.buffered(), None);
        assert_eq!(&body.collect().await.unwrap().to_bytes()[..], b"abc");
        let full = ResponseBody::stream(Full::new(Bytes::from_static(b"xyz")));
        assert_eq!(full.size_hint().exact(), Some(3));
    }
}
