//! HTTP/1.1 connections to cleartext backends, pooled by the gateway itself.
//!
//! hyper-util's pooled client costs a request more than its exchange: a clone
//! of the client, a checkout future, a SipHash of the scheme and authority, an
//! idle map entry removed and inserted again (with its allocation) whenever
//! every connection is busy. Here a request takes an idle sender from a small
//! per-thread list, sends on it, and the answer's body puts the sender back
//! once it has been read to its end.
//!
//! Each connection is driven by a task of its own, as hyper's client does. (A
//! version where the request's task drove its connection was measured: it
//! cost more instructions, and writing to the backend at once instead of
//! after the current batch of requests woke the backend once per request;
//! docs/benchmarks.md, "Proxy path".)
//!
//! Idle connections are kept per worker thread, so with one runtime per core a
//! connection stays on the core whose runtime registered it.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::{Authority, PathAndQuery};
use http::{HeaderValue, Request, Response, Uri, header};
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::client::{TCP_KEEPALIVE, UpstreamBody};

/// How many idle connections a thread keeps per backend; more are closed.
const MAX_IDLE_PER_BACKEND: usize = 256;
/// How often idle connections are swept for age.
const SWEEP_EVERY: Duration = Duration::from_secs(15);
/// Shards of idle connections: worker threads pick one by their index.
const SHARDS: usize = 16;

type Sender = http1::SendRequest<UpstreamBody>;

struct Idle {
    sender: Sender,
    since: Instant,
}

type Shard = Mutex<HashMap<Authority, Vec<Idle>>>;

/// Idle HTTP/1.1 connections by backend, one shard per worker thread.
pub(crate) struct Http1Pool {
    shards: Box<[Shard]>,
    idle_timeout: Duration,
    sweeper: AtomicBool,
}

impl std::fmt::Debug for Http1Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http1Pool")
            .field("idle_timeout", &self.idle_timeout)
            .finish_non_exhaustive()
    }
}

/// Why an exchange failed: the connection could not be opened, or the
/// exchange on it broke off.
#[derive(Debug)]
pub(crate) enum ExchangeError {
    Connect(io::Error),
    Http(hyper::Error),
}

/// The shard of the calling thread: threads take indexes in turn.
fn shard_index() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static INDEX: usize = NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS;
    }
    INDEX.with(|index| *index)
}

impl Http1Pool {
    pub(crate) fn new(idle_timeout: Duration) -> Arc<Self> {
        Arc::new(Self {
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            idle_timeout,
            sweeper: AtomicBool::new(false),
        })
    }

    /// Sends `request` (absolute URI `http://authority/...`) on an idle or a
    /// new connection and returns the answer, its body still arriving. The
    /// caller bounds the time: nothing here waits on a timer.
    pub(crate) async fn send(
        self: &Arc<Self>,
        authority: &Authority,
        mut request: Request<UpstreamBody>,
    ) -> Result<Response<UpstreamResponseBody>, ExchangeError> {
        self.start_sweeper();
        to_origin_form(&mut request, authority);
        // An idle connection the backend closed as it was taken gives the
        // request back unsent: it goes out on the next one.
        while let Some(sender) = self.take(authority) {
            match self.exchange(sender, authority, request).await {
                Ok(response) => return Ok(response),
                Err(Failed::Unsent(returned)) => request = returned,
                Err(Failed::Sent(error)) => return Err(ExchangeError::Http(error)),
            }
        }
        let sender = connect(authority).await.map_err(ExchangeError::Connect)?;
        match self.exchange(sender, authority, request).await {
            Ok(response) => Ok(response),
            Err(Failed::Unsent(_)) => Err(ExchangeError::Connect(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the connection closed before the request was sent",
            ))),
            Err(Failed::Sent(error)) => Err(ExchangeError::Http(error)),
        }
    }

    async fn exchange(
        self: &Arc<Self>,
        mut sender: Sender,
        authority: &Authority,
        request: Request<UpstreamBody>,
    ) -> Result<Response<UpstreamResponseBody>, Failed> {
        match sender.try_send_request(request).await {
            Ok(response) => {
                let lease = Lease {
                    sender,
                    pool: Arc::downgrade(self),
                    authority: authority.clone(),
                };
                Ok(response.map(|body| UpstreamResponseBody {
                    body,
                    lease: Some(lease),
                }))
            }
            Err(mut error) => match error.take_message() {
                Some(request) => Err(Failed::Unsent(request)),
                None => Err(Failed::Sent(error.into_error())),
            },
        }
    }

    /// The most recently used idle connection to `authority` still open and
    /// not idle too long.
    fn take(&self, authority: &Authority) -> Option<Sender> {
        let mut shard = self.shards[shard_index()]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let list = shard.get_mut(authority)?;
        while let Some(idle) = list.pop() {
            if idle.sender.is_ready() && idle.since.elapsed() < self.idle_timeout {
                return Some(idle.sender);
            }
        }
        None
    }

    /// Keeps `sender` for the next request to `authority`.
    fn put(&self, authority: Authority, sender: Sender) {
        let mut shard = self.shards[shard_index()]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let list = shard.entry(authority).or_default();
        if list.len() < MAX_IDLE_PER_BACKEND {
            list.push(Idle {
                sender,
                since: Instant::now(),
            });
        }
    }

    /// Closes connections idle past the timeout or closed by their backend
    /// (dropping the sender ends the connection's task).
    fn sweep(&self) {
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            shard.retain(|_, list| {
                list.retain(|i| !i.sender.is_closed() && i.since.elapsed() < self.idle_timeout);
                !list.is_empty()
            });
        }
    }

    /// Starts the sweeper once, on the runtime of the first request; it ends
    /// with the pool.
    fn start_sweeper(self: &Arc<Self>) {
        if self.sweeper.load(Ordering::Relaxed) || self.sweeper.swap(true, Ordering::Relaxed) {
            return;
        }
        let pool = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            every.tick().await;
            loop {
                every.tick().await;
                match pool.upgrade() {
                    Some(pool) => pool.sweep(),
                    None => return,
                }
            }
        });
    }

    /// How many connections are idle (for tests).
    #[cfg(test)]
    fn idle_count(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap().values().map(Vec::len).sum::<usize>())
            .sum()
    }
}

/// An exchange that failed before the request left (it comes back, to go out
/// on another connection) or after.
// Returned once per exchange, on the stack: boxing the request would cost an allocation each time.
#[allow(clippy::large_enum_variant)]
enum Failed {
    Unsent(Request<UpstreamBody>),
    Sent(hyper::Error),
}

/// HTTP/1.1 wants the origin form (`/path?query`) and a `Host` header.
fn to_origin_form(request: &mut Request<UpstreamBody>, authority: &Authority) {
    if !request.headers().contains_key(header::HOST) {
        let host = match authority.port_u16() {
            Some(80) | None => HeaderValue::from_str(authority.host()),
            Some(port) => HeaderValue::from_str(&format!("{}:{port}", authority.host())),
        };
        if let Ok(host) = host {
            request.headers_mut().insert(header::HOST, host);
        }
    }
    let origin = request
        .uri()
        .path_and_query()
        .cloned()
        .unwrap_or_else(|| PathAndQuery::from_static("/"));
    *request.uri_mut() = Uri::from(origin);
}

/// Opens a connection to `authority` (names resolved by the system resolver)
/// and starts the task that drives it.
async fn connect(authority: &Authority) -> io::Result<Sender> {
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let stream = TcpStream::connect((host, authority.port_u16().unwrap_or(80))).await?;
    stream.set_nodelay(true)?;
    let keepalive = socket2::TcpKeepalive::new().with_time(TCP_KEEPALIVE);
    socket2::SockRef::from(&stream).set_tcp_keepalive(&keepalive)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(io::Error::other)?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "backend connection ended with an error");
        }
    });
    Ok(sender)
}

/// The connection an answer arrived on, going back to its pool.
struct Lease {
    sender: Sender,
    pool: Weak<Http1Pool>,
    authority: Authority,
}

impl Lease {
    /// Puts the connection back once it can take a request: at once when its
    /// task has already finished the answer, else when it has.
    fn release(self) {
        let Some(pool) = self.pool.upgrade() else {
            return;
        };
        if self.sender.is_ready() {
            pool.put(self.authority, self.sender);
        } else if !self.sender.is_closed() {
            let Self {
                mut sender,
                authority,
                ..
            } = self;
            tokio::spawn(async move {
                if sender.ready().await.is_ok() {
                    pool.put(authority, sender);
                }
            });
        }
    }
}

/// The body of a backend's answer, streaming as it arrives. From the gateway's
/// own pool, its end gives the connection back; dropped before its end, the
/// connection is closed (its rest cannot be skipped safely). From hyper-util's
/// client (HTTPS, h2c) it has no connection to give back.
pub struct UpstreamResponseBody {
    body: Incoming,
    lease: Option<Lease>,
}

impl UpstreamResponseBody {
    /// A body with no pooled connection behind it.
    pub(super) fn unpooled(body: Incoming) -> Self {
        Self { body, lease: None }
    }
}

impl std::fmt::Debug for UpstreamResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamResponseBody")
            .field("pooled", &self.lease.is_some())
            .finish_non_exhaustive()
    }
}

impl Body for UpstreamResponseBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let frame = std::task::ready!(Pin::new(&mut self.body).poll_frame(cx));
        let finished = match &frame {
            // The whole answer is read: the connection can take the next request.
            None => true,
            Some(Ok(_)) => self.body.is_end_stream(),
            // A broken answer leaves the connection unusable.
            Some(Err(_)) => {
                self.lease = None;
                false
            }
        };
        if finished && let Some(lease) = self.lease.take() {
            lease.release();
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{BodyExt, Full};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A backend answering `per_connection` requests on each connection (the
    /// request line echoed as the body), then closing it; counts connections.
    async fn backend(per_connection: usize) -> (Authority, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let authority: Authority = listener.local_addr().unwrap().to_string().parse().unwrap();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            loop {
                let (mut stream, _) = listener.accept().await.unwrap();
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    for _ in 0..per_connection {
                        let mut seen = Vec::new();
                        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                            let n = stream.read(&mut buf).await.unwrap_or(0);
                            if n == 0 {
                                return;
                            }
                            seen.extend_from_slice(&buf[..n]);
                        }
                        let text = String::from_utf8_lossy(&seen).to_string();
                        let mut lines = text.lines();
                        let line = lines.next().unwrap_or_default().to_owned();
                        let host = lines
                            .find_map(|l| l.strip_prefix("host: "))
                            .unwrap_or("-")
                            .to_owned();
                        let body = format!("{line} {host}");
                        let reply = format!(
                            "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}",
                            body.len()
                        );
                        if stream.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (authority, accepted)
    }

    fn get(authority: &Authority, path: &str) -> Request<UpstreamBody> {
        Request::get(format!("http://{authority}{path}"))
            .body(Full::new(Bytes::new()))
            .unwrap()
    }

    async fn read(pool: &Arc<Http1Pool>, authority: &Authority, path: &str) -> String {
        let response = pool.send(authority, get(authority, path)).await.unwrap();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(body.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn a_read_answer_gives_its_connection_back() {
        let (authority, accepted) = backend(100).await;
        let pool = Http1Pool::new(Duration::from_secs(90));
        for i in 0..5 {
            let body = read(&pool, &authority, &format!("/n{i}?q=1")).await;
            // The backend saw the origin form and the Host header.
            assert_eq!(body, format!("GET /n{i}?q=1 HTTP/1.1 {authority}"));
            assert_eq!(pool.idle_count(), 1);
        }
        assert_eq!(
            accepted.load(Ordering::SeqCst),
            1,
            "one connection served all five"
        );
    }

    #[tokio::test]
    async fn a_connection_the_backend_closed_is_replaced() {
        // Each connection answers one request, then the backend closes it.
        let (authority, accepted) = backend(1).await;
        let pool = Http1Pool::new(Duration::from_secs(90));
        for _ in 0..3 {
            read(&pool, &authority, "/").await;
            // Let the close arrive before the next request.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn an_unread_body_closes_its_connection() {
        let (authority, accepted) = backend(100).await;
        let pool = Http1Pool::new(Duration::from_secs(90));
        let response = pool.send(&authority, get(&authority, "/")).await.unwrap();
        drop(response);
        assert_eq!(pool.idle_count(), 0);
        read(&pool, &authority, "/").await;
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn idle_connections_expire() {
        let (authority, accepted) = backend(100).await;
        let pool = Http1Pool::new(Duration::from_millis(30));
        read(&pool, &authority, "/").await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        pool.sweep();
        assert_eq!(pool.idle_count(), 0);
        read(&pool, &authority, "/").await;
        assert_eq!(accepted.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn concurrent_requests_open_connections_and_keep_them() {
        let (authority, accepted) = backend(1000).await;
        let pool = Http1Pool::new(Duration::from_secs(90));
        for _ in 0..3 {
            let answers = futures_util::future::join_all((0..4).map(|i| {
                let pool = pool.clone();
                let authority = authority.clone();
                async move { read(&pool, &authority, &format!("/c{i}")).await }
            }))
            .await;
            assert_eq!(answers.len(), 4);
        }
        assert_eq!(accepted.load(Ordering::SeqCst), 4);
        assert_eq!(pool.idle_count(), 4);
    }

    #[tokio::test]
    async fn nothing_listening_is_a_connect_error() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let authority: Authority = listener.local_addr().unwrap().to_string().parse().unwrap();
        drop(listener);
        let pool = Http1Pool::new(Duration::from_secs(90));
        let error = pool
            .send(&authority, get(&authority, "/"))
            .await
            .unwrap_err();
        assert!(matches!(error, ExchangeError::Connect(_)), "{error:?}");
    }
}
