//! The warm pool: which process serves an invocation, how many may run, and
//! what happens when one times out, crashes or fails to initialise.
//!
//! Concurrency is a semaphore of `reserved_concurrency` permits. An
//! invocation holds its permit until its process is back in the idle pool or
//! has been reaped, so the number of live processes never exceeds the
//! reservation. Each invocation runs in a task of its own, so a caller that
//! stops waiting (the gateway's integration timeout) leaves the process to
//! finish — or be killed at the function's own timeout — and return cleanly.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::HeaderValue;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, TryAcquireError, oneshot, watch};

use super::documents::{self, MAX_REQUEST_BYTES};
use super::ids::{RequestId, trace_id};
use super::process::{
    Completion, Dispatched, FUNCTION_TARGET, Invocation, Live, Process, until_true,
};
use super::spec::Resolved;
use crate::{InvokeError, Outcome};

/// How long a new process may take to initialise (until its first `/next`)
/// before it is killed: Lambda's 10-second init limit. It is not counted
/// against the function timeout, as in Lambda.
const INIT_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub(super) struct Pool {
    function: Arc<Resolved>,
    permits: Arc<Semaphore>,
    /// Places in the opt-in queue (`None`: throttle at once).
    queue: Option<(Semaphore, Duration)>,
    /// Warm processes, most recently used last (reused first: it is the
    /// warmest, and the others can be left alone).
    idle: Mutex<Vec<Process>>,
    closed: AtomicBool,
    shutdown: watch::Sender<bool>,
    live: Arc<Live>,
}

impl Pool {
    pub(super) fn new(function: Resolved) -> Self {
        let queue = function
            .queue
            .map(|queue| (Semaphore::new(queue.depth), queue.max_wait));
        Self {
            permits: Arc::new(Semaphore::new(function.reserved_concurrency)),
            queue,
            idle: Mutex::new(Vec::with_capacity(function.reserved_concurrency)),
            closed: AtomicBool::new(false),
            shutdown: watch::Sender::new(false),
            live: Arc::default(),
            function: Arc::new(function),
        }
    }

    pub(super) fn function(&self) -> &Resolved {
        &self.function
    }

    fn idle(&self) -> MutexGuard<'_, Vec<Process>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) async fn invoke(
        self: &Arc<Self>,
        payload: Bytes,
        request_id: &str,
        trace: Option<HeaderValue>,
    ) -> Result<Outcome, InvokeError> {
        if payload.len() > MAX_REQUEST_BYTES {
            // Lambda refuses the call itself (413 RequestTooLargeException).
            return Err(InvokeError::Remote {
                function: self.function.name.clone(),
                status: 413,
                message: format!(
                    "RequestTooLargeException: {} byte request payload; Request must be smaller than \
                     {MAX_REQUEST_BYTES} bytes for the InvokeFunction operation",
                    payload.len()
                ),
            });
        }
        let permit = self.acquire().await?;
        let request_id: Arc<str> = Arc::from(request_id);
        let (answer_tx, answer_rx) = oneshot::channel();
        let pool = Arc::clone(self);
        tokio::spawn(async move {
            let result = pool.run(payload, request_id, trace).await;
            // Free the slot before answering, so a caller that invokes again
            // straight away finds it free.
            drop(permit);
            let _ = answer_tx.send(result);
        });
        answer_rx.await.unwrap_or_else(|_| {
            Err(InvokeError::Transport {
                function: self.function.name.clone(),
                message:
                    "the invocation's task ended without an answer; is the runtime shutting down?"
                        .to_owned(),
            })
        })
    }

    async fn acquire(&self) -> Result<OwnedSemaphorePermit, InvokeError> {
        match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => return Ok(permit),
            Err(TryAcquireError::Closed) => return Err(self.closed_error()),
            Err(TryAcquireError::NoPermits) => {}
        }
        let Some((places, max_wait)) = &self.queue else {
            return Err(self.throttled());
        };
        let Ok(_place) = places.try_acquire() else {
            return Err(self.throttled());
        };
        match tokio::time::timeout(*max_wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(self.closed_error()),
            Err(_) => Err(self.throttled()),
        }
    }

    fn throttled(&self) -> InvokeError {
        InvokeError::Throttled {
            function: self.function.name.clone(),
            limit: self.function.reserved_concurrency,
        }
    }

    fn start_error(&self, source: io::Error) -> InvokeError {
        InvokeError::Start {
            function: self.function.name.clone(),
            program: self.function.program_name.clone(),
            source,
        }
    }

    fn closed_error(&self) -> InvokeError {
        self.start_error(io::Error::other("the function has been shut down"))
    }

    fn take_idle(&self) -> Option<Process> {
        let mut idle = self.idle();
        while let Some(process) = idle.pop() {
            if process.is_usable() {
                return Some(process);
            }
            // It ended while idle; dropping the handle is all that is left.
        }
        None
    }

    /// Serves one invocation; runs in its own task, holding a permit.
    async fn run(
        &self,
        payload: Bytes,
        request_id: Arc<str>,
        trace: Option<HeaderValue>,
    ) -> Result<Outcome, InvokeError> {
        let mut shutdown = self.shutdown.subscribe();
        let mut warm = self.take_idle();
        loop {
            let reused = warm.is_some();
            let process = match warm.take() {
                Some(process) => process,
                None => {
                    let process = Process::spawn(&self.function, &self.live)
                        .await
                        .map_err(|source| self.start_error(source))?;
                    if self.closed.load(Ordering::Acquire) {
                        process.kill().await;
                        return Err(self.closed_error());
                    }
                    process
                }
            };
            let id = RequestId::new();
            // The caller's trace, else a new one (as Lambda starts one).
            let trace = trace.clone().unwrap_or_else(|| {
                HeaderValue::from_bytes(&trace_id())
                    .unwrap_or(HeaderValue::from_static("Sampled=0"))
            });
            let invocation = Invocation {
                id,
                payload: payload.clone(),
                trace,
            };
            let Dispatched {
                mut done,
                mut delivered,
            } = match process.dispatch(invocation, Arc::clone(&request_id)) {
                Ok(dispatched) => dispatched,
                Err(Completion::Exited(_)) if reused => {
                    process.kill().await;
                    continue;
                }
                Err(completion) => return Ok(self.settle(process, id, completion).await),
            };

            // Until the runtime takes the invocation from `/next`: at once when
            // warm, after its init when cold.
            let started = tokio::select! {
                biased;
                completion = &mut done => {
                    let completion = completed(completion);
                    let undelivered = delivered.try_recv().is_err();
                    if reused && undelivered && matches!(completion, Completion::Exited(_)) {
                        // A warm process that ended between invocations (a
                        // runtime client may exit after an error report) never
                        // took this one: like Lambda, give it to a fresh process.
                        process.kill().await;
                        continue;
                    }
                    return Ok(self.settle(process, id, completion).await);
                }
                at = &mut delivered => at.unwrap_or_else(|_| Instant::now()),
                () = tokio::time::sleep(INIT_LIMIT) => return Ok(self.time_out(process, id, &request_id).await),
                () = until_true(&mut shutdown) => return Ok(self.killed(process, id).await),
            };
            let deadline = tokio::time::Instant::from_std(started + self.function.timeout);
            return tokio::select! {
                biased;
                completion = &mut done => Ok(self.settle(process, id, completed(completion)).await),
                () = tokio::time::sleep_until(deadline) => Ok(self.time_out(process, id, &request_id).await),
                () = until_true(&mut shutdown) => Ok(self.killed(process, id).await),
            };
        }
    }

    async fn settle(&self, process: Process, id: RequestId, completion: Completion) -> Outcome {
        match completion {
            Completion::Returned(body) => {
                self.release(process).await;
                Outcome::Returned(body)
            }
            Completion::Failed(document) => {
                self.release(process).await;
                Outcome::Failed(document)
            }
            Completion::InitFailed(document) => {
                // Lambda discards an environment whose init failed.
                process.kill().await;
                Outcome::Failed(document)
            }
            Completion::Exited(exit) => {
                tracing::warn!(
                    target: FUNCTION_TARGET,
                    function = %self.function.name,
                    aws_request_id = %id,
                    pid = process.pid(),
                    "RequestId: {id} Error: {exit}"
                );
                process.kill().await;
                Outcome::Failed(documents::exit_error(id, &exit))
            }
        }
    }

    async fn time_out(&self, process: Process, id: RequestId, request_id: &str) -> Outcome {
        let now = SystemTime::now();
        tracing::warn!(
            target: FUNCTION_TARGET,
            function = %self.function.name,
            request_id,
            aws_request_id = %id,
            pid = process.pid(),
            "{}",
            documents::timed_out_line(id, self.function.timeout, now)
        );
        process.kill().await;
        Outcome::Failed(documents::timed_out(id, self.function.timeout, now))
    }

    async fn killed(&self, process: Process, id: RequestId) -> Outcome {
        process.kill().await;
        Outcome::Failed(documents::exit_error(
            id,
            "Runtime exited with error: signal: killed",
        ))
    }

    /// Returns a process that answered to the idle pool, or kills it if the
    /// function is shutting down.
    async fn release(&self, process: Process) {
        if self.closed.load(Ordering::Acquire) {
            process.kill().await;
            return;
        }
        let mut idle = self.idle();
        // Checked again under the lock: `close` drains the pool under it.
        if self.closed.load(Ordering::Acquire) {
            drop(idle);
            process.kill().await;
        } else {
            idle.push(process);
        }
    }

    /// Stops taking invocations and kills every process (idle ones at once,
    /// busy ones through their tasks). Needs no runtime: `Drop` calls it.
    pub(super) fn close(&self) {
        let idle = {
            let mut idle = self.idle();
            self.closed.store(true, Ordering::Release);
            std::mem::take(&mut *idle)
        };
        self.permits.close();
        self.shutdown.send_replace(true);
        drop(idle);
    }

    /// Resolves once every process has been reaped.
    pub(super) async fn all_reaped(&self) {
        self.live.all_reaped().await;
    }
}

/// A completion channel that closed without a value means the process state
/// was torn down with it.
fn completed(received: Result<Completion, oneshot::error::RecvError>) -> Completion {
    received.unwrap_or_else(|_| {
        Completion::Exited("Runtime exited with error: unknown status".to_owned())
    })
}
