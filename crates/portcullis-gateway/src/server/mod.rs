//! Listeners: accept TCP (and TLS) connections, serve HTTP/1.1 and HTTP/2
//! (h2c or ALPN) through the pipeline, and drain them on shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

use crate::config::Listener;
use crate::pipeline::{Connection, Pipeline};

pub mod admin;
mod cores;
pub mod spellings;

pub use cores::{Lingering, Threading, serve_threaded};

pub use spellings::RawHeaderNames;
use spellings::{Recorder, Spellings, Tracker};

/// How long a client may take to send a request head (slow-loris bound).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a TLS handshake may take.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Read buffer bound: heads beyond it get 431 from hyper (AWS's own limit, 10,240 bytes
/// of header values, is checked by the pipeline).
const MAX_HEAD_BYTES: usize = 64 * 1024;

/// Errors starting a listener.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The address could not be bound.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The TLS certificate or key could not be loaded.
    #[error(transparent)]
    Tls(#[from] crate::tls::TlsError),
    /// A core's runtime or thread could not start.
    #[error("cannot start a serving thread: {source}")]
    Runtime {
        /// Why.
        source: std::io::Error,
    },
}

/// Pending connections a listening socket holds before they are accepted.
const BACKLOG: i32 = 1024;

/// A bound listener, ready to serve.
pub struct BoundListener {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    local: SocketAddr,
}

impl std::fmt::Debug for BoundListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundListener")
            .field("local", &self.local)
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl BoundListener {
    /// Binds `config`'s address and loads its TLS files.
    ///
    /// # Errors
    /// When the address cannot be bound or the TLS files are unusable.
    pub async fn bind(config: &Listener) -> Result<Self, ServerError> {
        Self::bind_as(config, false)
    }

    /// As [`bind`](Self::bind); with `reuse_port`, the socket lets other
    /// sockets bind the same address ([`Threading::PerCore`] gives each core
    /// one; Linux shares a port only between sockets of the same user).
    ///
    /// # Errors
    /// As [`bind`](Self::bind).
    pub fn bind_as(config: &Listener, reuse_port: bool) -> Result<Self, ServerError> {
        let tls = match &config.tls {
            Some(files) => Some(TlsAcceptor::from(crate::tls::load_server_config(files)?)),
            None => None,
        };
        let bind_error = |source| ServerError::Bind {
            address: config.address,
            source,
        };
        let socket = listening_socket(config.address, reuse_port).map_err(bind_error)?;
        let listener = TcpListener::from_std(socket).map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        Ok(Self {
            listener,
            tls,
            local,
        })
    }

    /// Another socket on this listener's address (bound with `reuse_port`),
    /// for another core's runtime to accept on.
    fn sibling(&self) -> Result<std::net::TcpListener, ServerError> {
        listening_socket(self.local, true).map_err(|source| ServerError::Bind {
            address: self.local,
            source,
        })
    }

    /// The bound address (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// Whether this listener speaks TLS.
    pub fn is_tls(&self) -> bool {
        self.tls.is_some()
    }
}

/// A non-blocking listening socket on `address`, as tokio binds them
/// (`SO_REUSEADDR`), plus `SO_REUSEPORT` when asked.
fn listening_socket(
    address: SocketAddr,
    reuse_port: bool,
) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    #[cfg(unix)]
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    #[cfg(not(unix))]
    let _ = reuse_port;
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// Serves `listeners` until `shutdown` resolves, then stops accepting and waits up to
/// `grace` for in-flight requests before closing what remains.
pub async fn serve(
    listeners: Vec<BoundListener>,
    pipeline: Pipeline,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let graceful = Arc::new(GracefulShutdown::new());
    // Shared, not cloned, per request: one reference count instead of one per field.
    let pipeline = Arc::new(pipeline);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut accept_tasks = Vec::new();
    for bound in listeners {
        let pipeline = pipeline.clone();
        let graceful = graceful.clone();
        let mut stop = stop_rx.clone();
        accept_tasks.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    accepted = bound.listener.accept() => match accepted {
                        Ok((stream, peer)) => {
                            let connection = Connection { peer, local: bound.local, tls: bound.tls.is_some() };
                            spawn_connection(stream, bound.tls.clone(), connection, pipeline.clone(), &graceful);
                        }
                        Err(error) => {
                            // Out of file descriptors and the like: back off instead of spinning.
                            tracing::warn!(%error, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    },
                }
            }
        }));
    }
    shutdown.await;
    tracing::info!("shutting down: no new connections; draining in-flight requests");
    let _ = stop_tx.send(true);
    for task in accept_tasks {
        let _ = task.await;
    }
    let graceful =
        Arc::try_unwrap(graceful).unwrap_or_else(|_| unreachable!("accept tasks have ended"));
    match tokio::time::timeout(grace, graceful.shutdown()).await {
        Ok(()) => tracing::info!("all connections drained"),
        Err(_) => tracing::warn!(
            grace_secs = grace.as_secs(),
            "grace period over; closing remaining connections"
        ),
    }
}

fn spawn_connection(
    stream: TcpStream,
    tls: Option<TlsAcceptor>,
    connection: Connection,
    pipeline: Arc<Pipeline>,
    graceful: &GracefulShutdown,
) {
    let _ = stream.set_nodelay(true);
    // Header names as the client spelled them, for REST Lambda events.
    let spellings = Spellings::default();
    let tracker = Tracker::new(spellings.clone(), MAX_HEAD_BYTES);
    let service = service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
        let pipeline = pipeline.clone();
        if request.version() != hyper::Version::HTTP_2
            && let Some(names) = spellings.take()
            && names.matches(request.headers())
        {
            request.extensions_mut().insert(names);
        }
        async move { Ok::<_, std::convert::Infallible>(pipeline.handle(request, connection).await) }
    });
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(MAX_HEAD_BYTES as u32);
    match tls {
        None => {
            let conn = builder
                .serve_connection(TokioIo::new(Recorder::new(stream, tracker)), service)
                .into_owned();
            let conn = graceful.watch(conn);
            tokio::spawn(async move {
                if let Err(error) = conn.await {
                    tracing::debug!(peer = %connection.peer, %error, "connection ended with an error");
                }
            });
        }
        Some(acceptor) => {
            // The handshake runs in the task; the drained connection is watched once it exists.
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let stream = match tokio::time::timeout(
                    TLS_HANDSHAKE_TIMEOUT,
                    acceptor.accept(stream),
                )
                .await
                {
                    Ok(Ok(stream)) => stream,
                    Ok(Err(error)) => {
                        tracing::debug!(peer = %connection.peer, %error, "TLS handshake failed");
                        return;
                    }
                    Err(_) => return,
                };
                let conn = builder
                    .serve_connection(TokioIo::new(Recorder::new(stream, tracker)), service)
                    .into_owned();
                if let Err(error) = watcher.watch(conn).await {
                    tracing::debug!(peer = %connection.peer, %error, "connection ended with an error");
                }
            });
        }
    }
}
