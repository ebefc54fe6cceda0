//! The header names of HTTP/1 requests as the client spelled them.
//!
//! AWS passes REST (payload 1.0) Lambda events their header names verbatim
//! (`tEsT-HEADeR` stays `tEsT-HEADeR`); hyper lower-cases names and keeps no
//! public record of the original spelling. [`Recorder`] wraps a connection's
//! stream and follows its HTTP/1 framing (heads, `Content-Length` and chunked
//! bodies) as hyper reads it, queueing each head's header names; the service
//! takes one entry per request and attaches it as [`RawHeaderNames`] only when
//! its names match the parsed request's exactly.
//!
//! Anything the tracker does not follow with certainty (HTTP/2, upgrades,
//! malformed framing, a head over the size bound) switches it off for the rest
//! of the connection: names then fall back to Title-Case, never to a guess
//! that could belong to another request.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The header names of one request, as received, in order.
///
/// Held as one string (names joined by `\n`, which no name contains): one
/// allocation per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHeaderNames {
    joined: String,
    count: usize,
}

impl RawHeaderNames {
    /// Names as received (one entry per header line).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut joined = String::with_capacity(128);
        let mut count = 0;
        for name in names {
            if count > 0 {
                joined.push('\n');
            }
            joined.push_str(name);
            count += 1;
        }
        Self { joined, count }
    }

    /// The names, as received.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.joined.split('\n').take(self.count)
    }

    /// Whether these are the names of `headers`: the same names, ignoring
    /// case, each as many times as the map holds values for it.
    ///
    /// Without allocating (it runs for every HTTP/1 request): with equal
    /// totals, every distinct map name seen as often among these names as the
    /// map holds it leaves no name of these unaccounted for.
    pub fn matches(&self, headers: &http::HeaderMap) -> bool {
        self.count == headers.len()
            && headers.keys().all(|key| {
                let here = self
                    .names()
                    .filter(|n| n.eq_ignore_ascii_case(key.as_str()))
                    .count();
                here == headers.get_all(key).iter().count()
            })
    }
}

/// The queue of heads read on one connection, shared with its service.
#[derive(Debug, Default, Clone)]
pub struct Spellings(Arc<Mutex<VecDeque<RawHeaderNames>>>);

impl Spellings {
    /// The next request's names, if the tracker recorded them.
    pub fn take(&self) -> Option<RawHeaderNames> {
        self.0.lock().ok()?.pop_front()
    }

    fn push(&self, names: RawHeaderNames) {
        if let Ok(mut queue) = self.0.lock() {
            // Pipelined requests are few; a client flooding heads the
            // service never takes cannot grow this without bound.
            if queue.len() < MAX_QUEUED {
                queue.push_back(names);
            }
        }
    }
}

const MAX_QUEUED: usize = 64;
/// Longest chunk-size line (with extensions) or trailer line followed.
const MAX_LINE: usize = 4096;
/// Most header lines parsed in one head (hyper's own limit is 100).
const MAX_HEADERS: usize = 128;

/// Follows HTTP/1 request framing over the bytes of one connection.
#[derive(Debug)]
pub struct Tracker {
    state: State,
    head: Vec<u8>,
    max_head: usize,
    spellings: Spellings,
}

/// What parsing a request head found.
enum Parsed {
    /// A whole HTTP/1 head of this many bytes, and the state after it.
    Complete(usize, State),
    /// More bytes are needed.
    Partial,
    /// Not an HTTP/1 request head (or one over the bound).
    Invalid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a request head (into `head`).
    Head,
    /// Skipping this many body bytes.
    Body(u64),
    /// In a chunked body: reading a chunk-size line (into `head`).
    ChunkSize,
    /// Skipping chunk data, then its CRLF.
    ChunkData(u64),
    /// Expecting the CRLF after chunk data (`true`: the CR was seen).
    ChunkEnd(bool),
    /// Reading trailer lines (into `head`) until an empty one.
    Trailers,
    /// Not following this connection any more.
    Off,
}

impl Tracker {
    /// Whether it still follows the connection (it stops for good on what it
    /// cannot frame with certainty).
    pub fn is_following(&self) -> bool {
        self.state != State::Off
    }

    /// A tracker queueing into `spellings`; heads over `max_head` bytes switch it off.
    pub fn new(spellings: Spellings, max_head: usize) -> Self {
        Self {
            state: State::Head,
            head: Vec::new(),
            max_head,
            spellings,
        }
    }

    /// Feeds the bytes just read.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let used = match self.state {
                State::Off => return,
                State::Head => self.head_bytes(bytes),
                State::Body(left) => {
                    let (n, rest) = skip(left, bytes);
                    self.state = rest.map_or(State::Head, State::Body);
                    n
                }
                State::ChunkSize => self.chunk_size_bytes(bytes),
                State::ChunkData(left) => {
                    let (n, rest) = skip(left, bytes);
                    self.state = rest.map_or(State::ChunkEnd(false), State::ChunkData);
                    n
                }
                State::ChunkEnd(cr) => {
                    self.state = match (cr, bytes[0]) {
                        (false, b'\r') => State::ChunkEnd(true),
                        (true, b'\n') => State::ChunkSize,
                        _ => State::Off,
                    };
                    1
                }
                State::Trailers => self.trailer_bytes(bytes),
            };
            bytes = &bytes[used..];
        }
    }

    /// Takes bytes into the head until it is complete; returns how many were
    /// used. Where a head ends is httparse's decision (as it is hyper's:
    /// bare `\n` line ends count), made the same way however reads split it.
    fn head_bytes(&mut self, bytes: &[u8]) -> usize {
        if self.head.is_empty() {
            // Blank lines before a request line are allowed (RFC 9112 §2.2).
            let skip = bytes
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            if skip > 0 {
                return skip;
            }
            // The usual case: the whole head in one read, parsed where it lies.
            return match self.parse(bytes) {
                Parsed::Complete(used, next) => {
                    self.state = next;
                    used
                }
                Parsed::Invalid => {
                    self.state = State::Off;
                    bytes.len()
                }
                Parsed::Partial => {
                    self.buffer(bytes);
                    bytes.len()
                }
            };
        }
        // Parsed again from its start on each read, as hyper parses it: the
        // verdict on a prefix is the same however the reads split it.
        let before = self.head.len();
        self.head.extend_from_slice(bytes);
        let head = std::mem::take(&mut self.head);
        let parsed = self.parse(&head);
        // Keep the buffer for the next head that spans reads.
        self.head = head;
        match parsed {
            Parsed::Complete(used, next) => {
                self.head.clear();
                self.state = next;
                used.saturating_sub(before).max(1)
            }
            Parsed::Invalid => {
                self.state = State::Off;
                bytes.len()
            }
            Parsed::Partial => {
                if self.head.len() > self.max_head {
                    self.state = State::Off;
                }
                bytes.len()
            }
        }
    }

    /// Keeps part of an incomplete head; past the size bound, stops following.
    fn buffer(&mut self, bytes: &[u8]) {
        self.head.extend_from_slice(bytes);
        if self.head.len() > self.max_head {
            self.state = State::Off;
        }
    }

    /// Parses the HTTP/1 request head at the start of `bytes`, recording
    /// its names when it is complete.
    fn parse(&self, bytes: &[u8]) -> Parsed {
        let mut headers = [const { std::mem::MaybeUninit::uninit() }; MAX_HEADERS];
        let mut request = httparse::Request::new(&mut []);
        match request.parse_with_uninit_headers(bytes, &mut headers) {
            Ok(httparse::Status::Complete(used)) if used > self.max_head => Parsed::Invalid,
            Ok(httparse::Status::Complete(used)) => {
                let next = framing(request.method, request.headers);
                self.spellings
                    .push(RawHeaderNames::new(request.headers.iter().map(|h| h.name)));
                Parsed::Complete(used, next)
            }
            Ok(httparse::Status::Partial) => Parsed::Partial,
            // Not HTTP/1.x (an HTTP/2 preface), or not a request head.
            Err(_) => Parsed::Invalid,
        }
    }

    fn chunk_size_bytes(&mut self, bytes: &[u8]) -> usize {
        let Some(line) = self.line(bytes) else {
            return bytes.len();
        };
        let used = line;
        let text = std::mem::take(&mut self.head);
        let digits = text
            .strip_suffix(b"\r\n")
            .map(|l| l.split(|&b| b == b';').next().unwrap_or_default())
            .map(|d| d.trim_ascii());
        self.state = match digits.and_then(parse_hex) {
            Some(0) => State::Trailers,
            Some(size) => State::ChunkData(size),
            None => State::Off,
        };
        used
    }

    fn trailer_bytes(&mut self, bytes: &[u8]) -> usize {
        let Some(used) = self.line(bytes) else {
            return bytes.len();
        };
        if self.head == b"\r\n" {
            self.state = State::Head;
        }
        self.head.clear();
        used
    }

    /// Collects one CRLF-terminated line into `head`; `Some(used)` once it
    /// is complete, `None` (everything used) while it is not.
    fn line(&mut self, bytes: &[u8]) -> Option<usize> {
        let end = bytes.iter().position(|&b| b == b'\n');
        let used = end.map_or(bytes.len(), |i| i + 1);
        self.head.extend_from_slice(&bytes[..used]);
        if self.head.len() > MAX_LINE {
            self.state = State::Off;
            return None;
        }
        match end {
            Some(_) if self.head.ends_with(b"\r\n") => Some(used),
            Some(_) => {
                self.state = State::Off;
                None
            }
            None => None,
        }
    }
}

/// Skips up to `left` body bytes of `bytes`: how many, and how many are
/// still to come (`None` once all were skipped).
fn skip(left: u64, bytes: &[u8]) -> (usize, Option<u64>) {
    let n = left.min(bytes.len() as u64);
    (n as usize, (n < left).then(|| left - n))
}

/// How the body after a head is framed, as hyper frames it; `Off` for what
/// this tracker does not follow (upgrades, CONNECT, unusual codings,
/// conflicting lengths: hyper refuses or hands over such connections).
fn framing(method: Option<&str>, headers: &[httparse::Header<'_>]) -> State {
    if method == Some("CONNECT") {
        return State::Off;
    }
    let mut length: Option<u64> = None;
    let mut chunked = false;
    for header in headers {
        if header.name.eq_ignore_ascii_case("upgrade") {
            return State::Off;
        }
        if header.name.eq_ignore_ascii_case("transfer-encoding") {
            let last = header
                .value
                .rsplit(|&b| b == b',')
                .next()
                .map(<[u8]>::trim_ascii)
                .unwrap_or_default();
            if !last.eq_ignore_ascii_case(b"chunked") {
                return State::Off;
            }
            chunked = true;
        }
        if header.name.eq_ignore_ascii_case("content-length") {
            let Some(value) = std::str::from_utf8(header.value)
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
            else {
                return State::Off;
            };
            if length.is_some_and(|l| l != value) {
                return State::Off;
            }
            length = Some(value);
        }
    }
    match (chunked, length) {
        (true, _) => State::ChunkSize,
        (false, Some(0) | None) => State::Head,
        (false, Some(n)) => State::Body(n),
    }
}

fn parse_hex(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 15 {
        return None;
    }
    let text = std::str::from_utf8(digits).ok()?;
    u64::from_str_radix(text, 16).ok()
}

/// A stream whose reads are fed to a [`Tracker`].
#[derive(Debug)]
pub(crate) struct Recorder<S> {
    inner: S,
    tracker: Tracker,
}

impl<S> Recorder<S> {
    pub(crate) fn new(inner: S, tracker: Tracker) -> Self {
        Self { inner, tracker }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Recorder<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = &poll {
            this.tracker.feed(&buf.filled()[before..]);
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Recorder<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn track(chunks: &[&[u8]]) -> (Vec<Vec<String>>, bool) {
        let spellings = Spellings::default();
        let mut tracker = Tracker::new(spellings.clone(), 64 * 1024);
        for chunk in chunks {
            tracker.feed(chunk);
        }
        let mut heads = Vec::new();
        while let Some(names) = spellings.take() {
            heads.push(names.names().map(str::to_owned).collect());
        }
        (heads, tracker.state != State::Off)
    }

    fn split_everywhere(stream: &[u8]) -> Vec<Vec<Vec<String>>> {
        (1..stream.len())
            .map(|cut| track(&[&stream[..cut], &stream[cut..]]).0)
            .collect()
    }

    #[test]
    fn follows_pipelined_requests_with_bodies() {
        let stream = b"GET /a HTTP/1.1\r\nHost: x\r\ntEsT-HEADeR: 1\r\n\r\n\
            POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 18\r\n\r\nX-Fake: in a body\n\
            POST /c HTTP/1.1\r\nHOST: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer-One: t\r\n\r\n\
            GET /d HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";
        let expected: Vec<Vec<String>> = [
            &["Host", "tEsT-HEADeR"][..],
            &["Host", "Content-Length"],
            &["HOST", "Transfer-Encoding"],
            &["Host", "Accept"],
        ]
        .iter()
        .map(|names| names.iter().map(|n| (*n).to_owned()).collect())
        .collect();
        let (heads, on) = track(&[stream]);
        assert_eq!(heads, expected);
        assert!(on);
        // However the reads split the stream, the same heads come out.
        for (cut, heads) in split_everywhere(stream).into_iter().enumerate() {
            assert_eq!(heads, expected, "split at {}", cut + 1);
        }
        // One byte at a time too.
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(track(&bytes).0, expected);
    }

    #[test]
    fn stops_following_what_it_cannot_frame() {
        for stream in [
            &b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nUpgrade: websocket\r\nHost: x\r\n\r\n",
            b"CONNECT a:1 HTTP/1.1\r\nHost: a\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab",
            b"garbage\r\n\r\n",
        ] {
            let (_, on) = track(&[stream]);
            assert!(!on, "{:?}", String::from_utf8_lossy(stream));
        }
        // A head that is not HTTP/1 is decided at its blank line, whatever the split.
        for odd in [
            &b"GET /a HTTP/0.7\r\nH\xff\rHT"[..],
            b"U\x004",
            b"GET /a HTTP/1.1\r\nX\x00",
            b"T /c HTTP/1.1\r\ning: hc(un\n\n\re\r\r\n\r\n",
        ] {
            for cut in 0..=odd.len() {
                assert_eq!(track(&[odd]), track(&[&odd[..cut], &odd[cut..]]), "{cut}");
            }
        }
        // A head over the bound.
        let spellings = Spellings::default();
        let mut tracker = Tracker::new(spellings, 16);
        tracker.feed(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(tracker.state, State::Off);
    }

    #[test]
    fn names_match_only_the_same_headers() {
        let names = RawHeaderNames::new(["Host", "X-A", "x-a"]);
        let mut headers = http::HeaderMap::new();
        headers.insert("host", "h".parse().unwrap());
        headers.append("x-a", "1".parse().unwrap());
        headers.append("x-a", "2".parse().unwrap());
        assert!(names.matches(&headers));
        headers.insert("x-b", "3".parse().unwrap());
        assert!(!names.matches(&headers));
    }
}
