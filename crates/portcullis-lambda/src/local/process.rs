//! One runtime process: its child, its own Runtime API endpoint, its output,
//! and the state the Runtime API and the pool share about it.
//!
//! Each process gets its own listener so the Runtime API knows, from the
//! socket alone, which process is asking: no process can answer another's
//! invocation, and a process that dies takes only its own endpoint down.
//!
//! Tasks per process: a monitor (owns the `Child`, reaps it, kills it when
//! the pool drops its handle), the Runtime API's accept loop and its
//! connections, and one line reader per output stream.

use std::io;
use std::net::Ipv4Addr;
use std::process::{ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::HeaderValue;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Notify, mpsc, oneshot, watch};

use super::documents::describe_exit;
use super::ids::{RequestId, log_stream_name, unix_millis};
use super::runtime_api;
use super::spec::Resolved;

/// The tracing target of the function's own output (one event per line).
pub(super) const FUNCTION_TARGET: &str = "portcullis::function";

/// Longest log line forwarded as one event; longer lines are split, as
/// CloudWatch Logs splits events above 256 KiB.
const MAX_LINE: usize = 256 * 1024;

/// How an invocation ended, as the Runtime API (or the monitor) reports it.
#[derive(Debug)]
pub(super) enum Completion {
    /// `/invocation/{id}/response`.
    Returned(Bytes),
    /// `/invocation/{id}/error`, or a response Lambda turns into an error
    /// (too large, cut off). The process stays usable.
    Failed(Bytes),
    /// `/init/error`: the process cannot serve and is discarded.
    InitFailed(Bytes),
    /// The process ended; Lambda's words for how.
    Exited(String),
}

/// What `/invocation/next` hands the runtime.
#[derive(Debug)]
pub(super) struct Invocation {
    pub(super) id: RequestId,
    pub(super) payload: Bytes,
    pub(super) trace: HeaderValue,
}

/// Why the Runtime API refuses a call, as Lambda answers it.
#[derive(Debug)]
pub(super) enum Reject {
    /// 400 `InvalidRequestID`: not the invocation this process holds.
    InvalidRequestId,
    /// 403 `InvalidStateTransition`: the call is out of order (e.g. `/next`
    /// again before answering, `/init/error` after init).
    InvalidState {
        from: &'static str,
        to: &'static str,
    },
    /// The process is being torn down.
    Gone,
}

#[derive(Debug)]
struct Inflight {
    id: RequestId,
    delivered: bool,
    done: Option<oneshot::Sender<Completion>>,
    delivered_tx: Option<oneshot::Sender<Instant>>,
}

#[derive(Debug, Default)]
struct ProcState {
    inflight: Option<Inflight>,
    /// The runtime has called `/next` (its init is over).
    ready: bool,
    init_error: Option<Bytes>,
    exit: Option<String>,
}

impl ProcState {
    fn name(&self) -> &'static str {
        match &self.inflight {
            Some(inflight) if inflight.delivered => "Running",
            _ if self.ready => "Ready",
            _ => "Started",
        }
    }
}

/// Which invocation the process is serving, for its log lines.
#[derive(Debug, Clone)]
struct LogContext {
    request_id: Arc<str>,
    aws_request_id: Option<RequestId>,
}

/// Counts live (not yet reaped) processes so `shutdown` can wait for all.
#[derive(Debug, Default)]
pub(super) struct Live {
    count: AtomicUsize,
    zero: Notify,
}

impl Live {
    fn up(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    fn down(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.zero.notify_waiters();
        }
    }

    /// Resolves once every process counted has been reaped.
    pub(super) async fn all_reaped(&self) {
        loop {
            let notified = self.zero.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// What the Runtime API handlers and the pool share about one process.
#[derive(Debug)]
pub(super) struct ProcShared {
    pub(super) function: Arc<Resolved>,
    pid: u32,
    state: Mutex<ProcState>,
    invocations: tokio::sync::Mutex<mpsc::Receiver<Invocation>>,
    exited: watch::Sender<bool>,
    log: Mutex<LogContext>,
}

impl ProcShared {
    fn state(&self) -> MutexGuard<'_, ProcState> {
        // A poisoned lock only means a panic elsewhere; the state is still consistent.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Resolves once the process has ended (and been reaped).
    pub(super) fn exited(&self) -> watch::Receiver<bool> {
        self.exited.subscribe()
    }

    /// `GET /invocation/next`: waits for the pool to dispatch an invocation.
    /// Returns it with its deadline in Unix milliseconds.
    pub(super) async fn next(&self) -> Result<(Invocation, u64), Reject> {
        {
            let mut state = self.state();
            if matches!(&state.inflight, Some(inflight) if inflight.delivered) {
                return Err(Reject::InvalidState {
                    from: "Running",
                    to: "Ready",
                });
            }
            state.ready = true;
        }
        let mut exited = self.exited();
        let received = tokio::select! {
            invocation = async { self.invocations.lock().await.recv().await } => invocation,
            () = until_true(&mut exited) => None,
        };
        let invocation = received.ok_or(Reject::Gone)?;
        let now = Instant::now();
        let deadline = unix_millis(SystemTime::now() + self.function.timeout);
        let mut state = self.state();
        if let Some(inflight) = state.inflight.as_mut()
            && inflight.id == invocation.id
        {
            inflight.delivered = true;
            if let Some(delivered) = inflight.delivered_tx.take() {
                let _ = delivered.send(now);
            }
        }
        Ok((invocation, deadline))
    }

    /// Checks that `id` is the invocation this process is running, before
    /// its answer's body is read.
    pub(super) fn check(&self, id: &str) -> Result<RequestId, Reject> {
        let state = self.state();
        match &state.inflight {
            Some(inflight) if inflight.id.as_bytes() == id.as_bytes() => {
                if inflight.delivered {
                    Ok(inflight.id)
                } else {
                    Err(Reject::InvalidState {
                        from: state.name(),
                        to: "InvocationResponse",
                    })
                }
            }
            _ => Err(Reject::InvalidRequestId),
        }
    }

    /// `/invocation/{id}/response` or `/error`: completes the invocation.
    pub(super) fn complete(&self, id: &str, completion: Completion) -> Result<(), Reject> {
        self.check(id)?;
        let inflight = self.state().inflight.take();
        if let Some(done) = inflight.and_then(|mut inflight| inflight.done.take()) {
            let _ = done.send(completion);
        }
        Ok(())
    }

    /// `/init/error`: records the document and fails the waiting invocation.
    pub(super) fn init_error(&self, document: Bytes) -> Result<(), Reject> {
        let mut state = self.state();
        if state.ready {
            return Err(Reject::InvalidState {
                from: state.name(),
                to: "InitError",
            });
        }
        state.init_error = Some(document.clone());
        if let Some(done) = state
            .inflight
            .take()
            .and_then(|mut inflight| inflight.done.take())
        {
            let _ = done.send(Completion::InitFailed(document));
        }
        Ok(())
    }

    fn on_exit(&self, status: Option<ExitStatus>) {
        let exit = describe_exit(status);
        tracing::debug!(function = %self.function.name, pid = self.pid, "{exit}");
        {
            let mut state = self.state();
            state.exit = Some(exit.clone());
            if let Some(done) = state
                .inflight
                .take()
                .and_then(|mut inflight| inflight.done.take())
            {
                let _ = done.send(Completion::Exited(exit));
            }
        }
        self.exited.send_replace(true);
    }

    fn log_context(&self) -> LogContext {
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// The pool's handle on a process. Dropping it kills the process.
#[derive(Debug)]
pub(super) struct Process {
    shared: Arc<ProcShared>,
    invocations: mpsc::Sender<Invocation>,
    /// Dropping this tells the monitor to kill the child.
    _kill: oneshot::Sender<()>,
}

/// The receivers of one dispatched invocation.
pub(super) struct Dispatched {
    pub(super) done: oneshot::Receiver<Completion>,
    pub(super) delivered: oneshot::Receiver<Instant>,
}

impl Process {
    /// Starts the program with its own Runtime API endpoint.
    pub(super) async fn spawn(function: &Arc<Resolved>, live: &Arc<Live>) -> io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let address = listener.local_addr()?;
        let mut command = Command::new(&function.program);
        command
            .args(&function.args)
            .current_dir(&function.cwd)
            .envs(
                function
                    .env
                    .iter()
                    .map(|(key, value)| (key.as_str(), value.as_str())),
            )
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_LOG_STREAM_NAME", log_stream_name())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // The monitor kills on purpose; this covers a runtime torn down
            // before the monitor runs again.
            .kill_on_drop(true);
        // Its own process group, so that killing it also kills what it
        // started: `npx aws-lambda-ric` runs the client two processes down.
        #[cfg(unix)]
        command.process_group(0);
        let mut child = command.spawn()?;
        let pid = child.id().unwrap_or_default();
        tracing::debug!(function = %function.name, pid, api = %address, "started runtime process");
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();

        let (invocations_tx, invocations_rx) = mpsc::channel(1);
        let (kill_tx, kill_rx) = oneshot::channel();
        let shared = Arc::new(ProcShared {
            function: Arc::clone(function),
            pid,
            state: Mutex::new(ProcState::default()),
            invocations: tokio::sync::Mutex::new(invocations_rx),
            exited: watch::Sender::new(false),
            log: Mutex::new(LogContext {
                request_id: Arc::from(""),
                aws_request_id: None,
            }),
        });
        live.up();
        tokio::spawn(monitor(
            child,
            kill_rx,
            Arc::clone(&shared),
            Arc::clone(live),
        ));
        tokio::spawn(runtime_api::serve(listener, Arc::clone(&shared)));
        if let Some(stdout) = stdout {
            tokio::spawn(forward_lines(stdout, "stdout", Arc::clone(&shared)));
        }
        if let Some(stderr) = stderr {
            tokio::spawn(forward_lines(stderr, "stderr", Arc::clone(&shared)));
        }
        Ok(Self {
            shared,
            invocations: invocations_tx,
            _kill: kill_tx,
        })
    }

    pub(super) fn pid(&self) -> u32 {
        self.shared.pid
    }

    /// Whether the process can take an invocation: it has not ended nor
    /// reported an init error.
    pub(super) fn is_usable(&self) -> bool {
        let state = self.shared.state();
        state.exit.is_none() && state.init_error.is_none()
    }

    /// Hands an invocation to the process: `/next` (now or once init is
    /// over) returns it. Fails at once if the process ended or failed init.
    pub(super) fn dispatch(
        &self,
        invocation: Invocation,
        request_id: Arc<str>,
    ) -> Result<Dispatched, Completion> {
        let (done_tx, done) = oneshot::channel();
        let (delivered_tx, delivered) = oneshot::channel();
        let id = invocation.id;
        {
            let mut state = self.shared.state();
            if let Some(exit) = &state.exit {
                return Err(Completion::Exited(exit.clone()));
            }
            if let Some(document) = &state.init_error {
                return Err(Completion::InitFailed(document.clone()));
            }
            state.inflight = Some(Inflight {
                id,
                delivered: false,
                done: Some(done_tx),
                delivered_tx: Some(delivered_tx),
            });
        }
        *self
            .shared
            .log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = LogContext {
            request_id,
            aws_request_id: Some(id),
        };
        if self.invocations.try_send(invocation).is_err() {
            // The channel holds one undelivered invocation at most, and a
            // process whose invocation was never delivered is not reused.
            self.shared.state().inflight = None;
            return Err(Completion::Exited(
                "Runtime exited with error: not accepting invocations".to_owned(),
            ));
        }
        Ok(Dispatched { done, delivered })
    }

    /// Kills the process and waits until it has been reaped.
    pub(super) async fn kill(self) {
        let mut exited = self.shared.exited();
        drop(self);
        until_true(&mut exited).await;
    }
}

/// Resolves once the flag in `receiver` is (or becomes) true, or its sender
/// is gone. Holds no `watch::Ref` across an await, so futures using it stay `Send`.
pub(super) async fn until_true(receiver: &mut watch::Receiver<bool>) {
    let _ = receiver.wait_for(|flag| *flag).await;
}

async fn monitor(
    mut child: Child,
    mut kill: oneshot::Receiver<()>,
    shared: Arc<ProcShared>,
    live: Arc<Live>,
) {
    // Kills what is left of the group however the monitor ends, dropped
    // with the runtime included.
    let _group = ProcessGroup(child.id());
    let status = tokio::select! {
        status = child.wait() => status.ok(),
        _ = &mut kill => {
            ProcessGroup(child.id()).kill();
            let _ = child.start_kill();
            child.wait().await.ok()
        }
    };
    shared.on_exit(status);
    live.down();
}

/// The process group a runtime process leads (its pid), killed on drop.
struct ProcessGroup(Option<u32>);

impl ProcessGroup {
    /// SIGKILL to every process of the group; nothing when it is empty.
    fn kill(&self) {
        #[cfg(unix)]
        if let Some(pid) = self
            .0
            .and_then(|pid| i32::try_from(pid).ok())
            .and_then(rustix::process::Pid::from_raw)
        {
            // ESRCH (the group is gone) is the usual answer.
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Forwards one output stream to `tracing`, one event per line, tagged with
/// the function and the invocation the process is serving.
async fn forward_lines(
    stream: impl AsyncRead + Unpin,
    stream_name: &'static str,
    shared: Arc<ProcShared>,
) {
    let mut reader = BufReader::new(stream);
    let mut line: Vec<u8> = Vec::new();
    loop {
        let (consumed, complete) = match reader.fill_buf().await {
            Ok([]) | Err(_) => break,
            Ok(buffer) => match buffer.iter().position(|&b| b == b'\n') {
                Some(end) => {
                    line.extend_from_slice(&buffer[..end]);
                    (end + 1, true)
                }
                None => {
                    line.extend_from_slice(buffer);
                    (buffer.len(), line.len() >= MAX_LINE)
                }
            },
        };
        reader.consume(consumed);
        if complete {
            emit(&shared, stream_name, &line);
            line.clear();
        }
    }
    if !line.is_empty() {
        emit(&shared, stream_name, &line);
    }
}

fn emit(shared: &ProcShared, stream: &'static str, line: &[u8]) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let text = String::from_utf8_lossy(line);
    let context = shared.log_context();
    let aws_request_id = context
        .aws_request_id
        .as_ref()
        .map_or("", RequestId::as_str);
    tracing::info!(
        target: FUNCTION_TARGET,
        function = %shared.function.name,
        request_id = %context.request_id,
        aws_request_id,
        stream,
        pid = shared.pid,
        "{text}"
    );
}
