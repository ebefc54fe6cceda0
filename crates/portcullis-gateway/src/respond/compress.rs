//! Response compression for REST APIs with `minimumCompressionSize`
//! (api-gateway-receive-response-with-compressed-payload).
//!
//! The final response (after mapping templates, or a gateway response) is
//! compressed when all of these hold:
//! - the client's `Accept-Encoding` prefers a coding the gateway produces
//!   (`gzip`, `deflate`; `br` beyond AWS), read as [`coding::negotiate`] reads it;
//! - the response has no `Content-Encoding` (the integration encoded it already);
//! - its body has at least `minimumCompressionSize` bytes (and is not empty);
//! - it can carry a body: not an answer to HEAD, not 1xx, 204 or 304, and not
//!   a range (`Content-Range`).
//!
//! A compressed response gets `Content-Encoding`, loses `Content-Length` (the
//! new length is written by the server) and has a strong `ETag` weakened
//! (`W/`), since its bytes are no longer those the tag named. `Vary:
//! Accept-Encoding` is added whenever the answer depended on the header (the
//! response was eligible and large enough), compressed or not, so caches keep
//! the variants apart.
//!
//! Buffered bodies are compressed whole: inline up to 32 KiB, on tokio's
//! blocking pool above. A streamed body (`responseTransferMode: STREAM`) whose
//! size is unknown is compressed frame by frame, each frame flushed so the
//! client can decode it as it arrives; one whose size is known is compressed
//! only when that size reaches the minimum.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Response, header};
use http_body::{Body, Frame, SizeHint};

use crate::body::{BoxError, ResponseBody};
use crate::coding::{self, Coding, Encoder};

/// Bodies up to this size are compressed on the request's task (well under a
/// millisecond); larger ones on the blocking pool.
const INLINE_LIMIT: usize = 32 * 1024;

static ACCEPT_ENCODING: HeaderValue = HeaderValue::from_static("Accept-Encoding");

/// Compresses `response` for `request` when its API's `minimum` allows and the
/// client asks; leaves it as it is otherwise.
pub(crate) async fn apply(response: &mut Response<ResponseBody>, request: &Parts, minimum: u32) {
    if !can_compress(response, &request.method) {
        return;
    }
    let size = response.body().size_hint().exact();
    if size.is_some_and(|size| size == 0 || size < u64::from(minimum)) {
        return;
    }
    vary_on_accept_encoding(response.headers_mut());
    let accepted = request.headers.get_all(header::ACCEPT_ENCODING);
    let Some(coding) = coding::negotiate(accepted.iter().map(HeaderValue::as_bytes)) else {
        return;
    };
    let body = match std::mem::take(response.body_mut()).into_buffered() {
        Ok(bytes) => match compress_buffered(coding, bytes).await {
            Ok(packed) => ResponseBody::new(packed),
            Err(original) => {
                *response.body_mut() = ResponseBody::new(original);
                return;
            }
        },
        Err(stream) => ResponseBody::stream(Compressed::new(stream, coding)),
    };
    *response.body_mut() = body;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_ENCODING, coding.header_value());
    headers.remove(header::CONTENT_LENGTH);
    weaken_etag(headers);
}

/// Whether the response may be compressed at all, whatever its size.
fn can_compress(response: &Response<ResponseBody>, method: &Method) -> bool {
    let status = response.status();
    let headers = response.headers();
    *method != Method::HEAD
        && !status.is_informational()
        && status != http::StatusCode::NO_CONTENT
        && status != http::StatusCode::NOT_MODIFIED
        && !headers.contains_key(header::CONTENT_ENCODING)
        && !headers.contains_key(header::CONTENT_RANGE)
}

/// `body` compressed; the body back if the blocking pool lost the task.
async fn compress_buffered(coding: Coding, body: Bytes) -> Result<Bytes, Bytes> {
    if body.len() <= INLINE_LIMIT {
        return Ok(Bytes::from(coding::encode(coding, &body)));
    }
    let task_body = body.clone();
    tokio::task::spawn_blocking(move || coding::encode(coding, &task_body))
        .await
        .map(Bytes::from)
        .map_err(|_| body)
}

/// Adds `Vary: Accept-Encoding` unless `Vary` already names it or is `*`.
fn vary_on_accept_encoding(headers: &mut HeaderMap) {
    let covered = headers.get_all(header::VARY).iter().any(|value| {
        value.as_bytes().split(|&b| b == b',').any(|name| {
            let name = name.trim_ascii();
            name == b"*" || name.eq_ignore_ascii_case(b"accept-encoding")
        })
    });
    if !covered {
        headers.append(header::VARY, ACCEPT_ENCODING.clone());
    }
}

/// A strong `ETag` becomes weak: the compressed bytes differ from the ones it named.
fn weaken_etag(headers: &mut HeaderMap) {
    if let Some(tag) = headers.get(header::ETAG)
        && tag.as_bytes().starts_with(b"\"")
    {
        let mut weak = Vec::with_capacity(tag.len() + 2);
        weak.extend_from_slice(b"W/");
        weak.extend_from_slice(tag.as_bytes());
        if let Ok(weak) = HeaderValue::from_bytes(&weak) {
            headers.insert(header::ETAG, weak);
        }
    }
}

/// A streamed body compressed frame by frame.
struct Compressed {
    inner: ResponseBody,
    /// `None` once the stream is finished.
    encoder: Option<Encoder>,
    /// Trailers of the inner body, sent after the last compressed bytes.
    trailers: Option<HeaderMap>,
}

impl Compressed {
    fn new(inner: ResponseBody, coding: Coding) -> Self {
        Self {
            inner,
            encoder: Some(Encoder::new(coding)),
            trailers: None,
        }
    }
}

impl Body for Compressed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        loop {
            let Some(encoder) = this.encoder.as_mut() else {
                return Poll::Ready(this.trailers.take().map(|t| Ok(Frame::trailers(t))));
            };
            match ready!(Pin::new(&mut this.inner).poll_frame(cx)) {
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => {
                        let packed = encoder.push(&data);
                        if !packed.is_empty() {
                            return Poll::Ready(Some(Ok(Frame::data(packed))));
                        }
                    }
                    Err(frame) => {
                        if let Ok(trailers) = frame.into_trailers() {
                            this.trailers = Some(trailers);
                        }
                    }
                },
                Some(Err(error)) => {
                    this.encoder = None;
                    return Poll::Ready(Some(Err(error)));
                }
                None => {
                    let last = this.encoder.take().map(Encoder::finish).unwrap_or_default();
                    if !last.is_empty() {
                        return Poll::Ready(Some(Ok(Frame::data(last))));
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.encoder.is_none() && self.trailers.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, StreamBody};

    fn request(method: Method, accept: Option<&str>) -> Parts {
        let mut builder = http::Request::builder().method(method).uri("/");
        if let Some(accept) = accept {
            builder = builder.header(header::ACCEPT_ENCODING, accept);
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn response(body: &'static str) -> Response<ResponseBody> {
        Response::new(ResponseBody::from(body))
    }

    async fn bytes(response: Response<ResponseBody>) -> Vec<u8> {
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    #[tokio::test]
    async fn compresses_at_the_minimum_and_not_below() {
        let gzip = request(Method::GET, Some("gzip"));
        let mut at = response("0123456789");
        at.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from_static("10"));
        at.headers_mut()
            .insert(header::ETAG, HeaderValue::from_static("\"v1\""));
        apply(&mut at, &gzip, 10).await;
        assert_eq!(at.headers()[header::CONTENT_ENCODING], "gzip");
        assert_eq!(at.headers()[header::VARY], "Accept-Encoding");
        assert_eq!(at.headers()[header::ETAG], "W/\"v1\"");
        assert!(!at.headers().contains_key(header::CONTENT_LENGTH));
        let packed = bytes(at).await;
        assert_eq!(
            coding::decode(Coding::Gzip, &packed, 100).unwrap(),
            b"0123456789"
        );

        let mut below = response("0123456789");
        apply(&mut below, &gzip, 11).await;
        assert!(below.headers().is_empty(), "{:?}", below.headers());
        assert_eq!(bytes(below).await, b"0123456789");
    }

    #[tokio::test]
    async fn leaves_alone_what_it_must_not_compress() {
        let gzip = request(Method::GET, Some("gzip"));
        let mut encoded = response("already");
        encoded
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        apply(&mut encoded, &gzip, 0).await;
        assert_eq!(encoded.headers()[header::CONTENT_ENCODING], "br");
        assert_eq!(bytes(encoded).await, b"already");

        for status in [204, 304, 101] {
            let mut r = response("x");
            *r.status_mut() = http::StatusCode::from_u16(status).unwrap();
            apply(&mut r, &gzip, 0).await;
            assert!(
                !r.headers().contains_key(header::CONTENT_ENCODING),
                "{status}"
            );
        }
        let mut head = response("body of a HEAD");
        apply(&mut head, &request(Method::HEAD, Some("gzip")), 0).await;
        assert!(!head.headers().contains_key(header::CONTENT_ENCODING));
        let mut empty = response("");
        apply(&mut empty, &gzip, 0).await;
        assert!(empty.headers().is_empty());
    }

    #[tokio::test]
    async fn vary_is_added_when_the_client_decides() {
        // No Accept-Encoding: not compressed, but another client could be answered compressed.
        let mut plain = response("0123456789");
        apply(&mut plain, &request(Method::GET, None), 0).await;
        assert_eq!(plain.headers()[header::VARY], "Accept-Encoding");
        assert!(!plain.headers().contains_key(header::CONTENT_ENCODING));

        let mut varied = response("0123456789");
        varied.headers_mut().insert(
            header::VARY,
            HeaderValue::from_static("Origin, accept-encoding"),
        );
        apply(&mut varied, &request(Method::GET, Some("deflate")), 0).await;
        assert_eq!(varied.headers().get_all(header::VARY).iter().count(), 1);
        assert_eq!(varied.headers()[header::CONTENT_ENCODING], "deflate");
        let packed = bytes(varied).await;
        assert_eq!(
            coding::decode(Coding::Deflate, &packed, 100).unwrap(),
            b"0123456789"
        );
    }

    #[tokio::test]
    async fn large_bodies_are_compressed_off_the_runtime() {
        let text: &'static str = "{\"id\": 1, \"type\": \"dog\"}, ".repeat(4000).leak();
        let mut large = response(text);
        apply(&mut large, &request(Method::GET, Some("gzip")), 1024).await;
        let packed = bytes(large).await;
        assert!(packed.len() < text.len() / 10);
        assert_eq!(
            coding::decode(Coding::Gzip, &packed, 1 << 20).unwrap(),
            text.as_bytes()
        );
    }

    #[tokio::test]
    async fn streams_of_unknown_size_are_compressed_frame_by_frame() {
        let frames = futures_util::stream::iter(
            ["data: 1\n\n", "data: 2\n\n"]
                .map(|s| Ok::<_, std::io::Error>(Frame::data(Bytes::from(s)))),
        );
        let mut streamed = Response::new(ResponseBody::stream(StreamBody::new(frames)));
        apply(
            &mut streamed,
            &request(Method::GET, Some("gzip")),
            1_000_000,
        )
        .await;
        assert_eq!(streamed.headers()[header::CONTENT_ENCODING], "gzip");
        let mut body = streamed.into_body();
        let mut wire = Vec::new();
        let mut data_frames = 0;
        while let Some(frame) = body.frame().await {
            wire.extend_from_slice(&frame.unwrap().into_data().unwrap());
            data_frames += 1;
        }
        // Each input frame gave its own output (flushed), then the end of the stream.
        assert_eq!(data_frames, 3);
        assert_eq!(
            coding::decode(Coding::Gzip, &wire, 100).unwrap(),
            b"data: 1\n\ndata: 2\n\n"
        );

        // A stream that says its size is held to the minimum.
        let sized = ResponseBody::stream(http_body_util::Full::new(Bytes::from_static(b"small")));
        let mut small = Response::new(sized);
        apply(&mut small, &request(Method::GET, Some("gzip")), 6).await;
        assert!(!small.headers().contains_key(header::CONTENT_ENCODING));
    }
}
