//! Per-core serving: one current-thread runtime per core, each accepting on
//! its own `SO_REUSEPORT` socket of every listener, so a connection and every
//! request on it stay on one thread (no work-stealing, no cross-thread
//! wake-ups, no atomics contended between cores). The kernel spreads new
//! connections over the sockets.
//!
//! The calling runtime is the first core: it also runs the admin listener,
//! reloads and the local functions. The others keep their runtimes until
//! [`Lingering::release`], after the gateway has shut down what it runs, so
//! whatever a request started on them (a function process, a connection)
//! outlives the drain.

use std::future::Future;
use std::net::TcpListener as StdListener;
use std::num::NonZeroUsize;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use super::{BoundListener, ServerError, serve};
use crate::pipeline::Pipeline;

/// How the gateway spreads connections over threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threading {
    /// One multi-thread runtime: idle workers steal queued tasks from busy ones.
    WorkStealing,
    /// `cores` current-thread runtimes, one per core, each with its own
    /// `SO_REUSEPORT` sockets. The calling runtime must be a current-thread one.
    PerCore {
        /// How many runtimes (the calling one included).
        cores: NonZeroUsize,
    },
}

/// The other cores' runtimes, kept until the gateway has stopped.
#[derive(Debug, Default)]
pub struct Lingering {
    exits: Vec<oneshot::Sender<()>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Lingering {
    /// Ends the other cores' runtimes and waits for their threads.
    pub async fn release(self) {
        drop(self.exits);
        let threads = self.threads;
        let _ = tokio::task::spawn_blocking(move || {
            for thread in threads {
                let _ = thread.join();
            }
        })
        .await;
    }
}

/// Serves `listeners` as `threading` says until `shutdown` resolves, then
/// drains every core (up to `grace`) before returning.
///
/// # Errors
/// When a core's sockets cannot be bound or its runtime cannot start.
pub async fn serve_threaded(
    threading: Threading,
    listeners: Vec<BoundListener>,
    pipeline: Pipeline,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) -> Result<Lingering, ServerError> {
    let cores = match threading {
        Threading::WorkStealing => {
            serve(listeners, pipeline, shutdown, grace).await;
            return Ok(Lingering::default());
        }
        Threading::PerCore { cores } => cores.get(),
    };
    // Every other core's sockets are bound before any core serves: a failure
    // stops the start, not a running gateway.
    let mut siblings = Vec::with_capacity(cores - 1);
    for _ in 1..cores {
        let mut sockets = Vec::with_capacity(listeners.len());
        for bound in &listeners {
            sockets.push((bound.sibling()?, bound.tls.clone(), bound.local));
        }
        siblings.push(sockets);
    }
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut lingering = Lingering::default();
    let mut drained = Vec::with_capacity(cores - 1);
    for (index, sockets) in siblings.into_iter().enumerate() {
        let (drained_tx, drained_rx) = oneshot::channel::<()>();
        let (exit_tx, exit_rx) = oneshot::channel::<()>();
        let pipeline = pipeline.clone();
        let mut stop = stop_rx.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| ServerError::Runtime { source })?;
        let thread = std::thread::Builder::new()
            .name(format!("portcullis-core-{}", index + 1))
            .spawn(move || {
                runtime.block_on(async move {
                    let listeners = adopt(sockets);
                    serve(
                        listeners,
                        pipeline,
                        async move {
                            let _ = stop.wait_for(|stopped| *stopped).await;
                        },
                        grace,
                    )
                    .await;
                    let _ = drained_tx.send(());
                    // Whatever requests started here lives until the gateway has stopped.
                    let _ = exit_rx.await;
                });
            })
            .map_err(|source| ServerError::Runtime { source })?;
        lingering.exits.push(exit_tx);
        lingering.threads.push(thread);
        drained.push(drained_rx);
    }
    serve(
        listeners,
        pipeline,
        async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        },
        grace,
    )
    .await;
    for core in drained {
        let _ = core.await;
    }
    Ok(lingering)
}

/// Registers a core's sockets with its own runtime.
fn adopt(
    sockets: Vec<(
        StdListener,
        Option<tokio_rustls::TlsAcceptor>,
        std::net::SocketAddr,
    )>,
) -> Vec<BoundListener> {
    sockets
        .into_iter()
        .filter_map(|(socket, tls, local)| match TcpListener::from_std(socket) {
            Ok(listener) => Some(BoundListener {
                listener,
                tls,
                local,
            }),
            Err(error) => {
                tracing::warn!(%local, %error, "a core cannot accept on its socket");
                None
            }
        })
        .collect()
}
