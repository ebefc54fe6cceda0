//! Functions run as local processes behind a hosted Lambda Runtime API.
//!
//! A handler written against an official runtime client (Python's
//! `awslambdaric`, Rust's `lambda_runtime`, Node's `aws-lambda-ric`, or a
//! custom `bootstrap`) runs unchanged: each process is started with
//! `AWS_LAMBDA_RUNTIME_API` pointing at an endpoint of its own on 127.0.0.1,
//! and sees the invocation lifecycle Lambda gives it:
//!
//! - **On-demand init.** [`LocalFunction::new`] only validates; the first
//!   invocation starts the first process (a cold start), as Lambda's
//!   `on-demand` initialisation does. Init may take up to 10 s, not counted
//!   against the timeout.
//! - **Warm reuse.** A process that answered goes back to an idle pool and
//!   serves later invocations, one at a time.
//! - **Concurrency.** At most `reserved_concurrency` processes exist; calls
//!   beyond it get [`InvokeError::Throttled`] at once, or wait in the opt-in
//!   bounded [`QueueSpec`].
//! - **Failures.** A timeout kills the process and answers Lambda's
//!   "Task timed out" document; a process that exits mid-invocation answers
//!   `Runtime.ExitError`; an `/init/error` answers the runtime's own document
//!   (e.g. `Runtime.ImportModuleError`). In each case the process is replaced
//!   by a fresh one on the next call.
//! - **Logs.** Each line the process writes to stdout or stderr becomes one
//!   `tracing` event, target `portcullis::function`, with fields `function`,
//!   `request_id` (the caller's), `aws_request_id` (Lambda's), `stream` and `pid`.
//! - **Lifetime.** Dropping the [`LocalFunction`], or [`LocalFunction::shutdown`],
//!   kills its processes.

mod documents;
mod ids;
mod pool;
mod process;
mod runtime_api;
mod spec;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

pub use spec::{
    DEFAULT_ACCOUNT_ID, DEFAULT_MEMORY_MB, DEFAULT_REGION, DEFAULT_RESERVED_CONCURRENCY,
    DEFAULT_TIMEOUT, LocalError, LocalSpec, MAX_TIMEOUT, QueueSpec,
};

use crate::{InvokeError, Outcome};

/// A function run as local processes behind a hosted Runtime API.
///
/// Cheap to share behind an `Arc` (as [`Function::Local`](crate::Function::Local)
/// does); all methods take `&self`.
#[derive(Debug)]
pub struct LocalFunction {
    name: String,
    pool: Arc<pool::Pool>,
}

impl LocalFunction {
    /// Validates `spec` (name, command, program on `PATH`, working directory,
    /// environment, limits). Starts nothing: the first invocation starts the
    /// first process, so configuring many functions costs nothing until used.
    pub fn new(spec: LocalSpec) -> Result<Self, LocalError> {
        let resolved = spec::Resolved::new(spec)?;
        Ok(Self {
            name: resolved.name.clone(),
            pool: Arc::new(pool::Pool::new(resolved)),
        })
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The function's timeout, so a caller can size its own wait above it.
    pub fn timeout(&self) -> Duration {
        self.pool.function().timeout
    }

    /// How many processes may run at once.
    pub fn reserved_concurrency(&self) -> usize {
        self.pool.function().reserved_concurrency
    }

    /// Invokes the function synchronously with `payload` (the event JSON).
    ///
    /// `request_id` is the caller's request id, attached to the function's log
    /// lines. The invocation runs in a task owned by the function: dropping
    /// this future abandons the answer, not the invocation.
    pub async fn invoke(&self, payload: Bytes, request_id: &str) -> Result<Outcome, InvokeError> {
        self.pool.invoke(payload, request_id, None).await
    }

    /// Invokes the function as [`invoke`](Self::invoke) does; its runtime
    /// receives `trace` (an `X-Amzn-Trace-Id` value) as
    /// `Lambda-Runtime-Trace-Id` instead of a new trace.
    pub async fn invoke_traced(
        &self,
        payload: Bytes,
        request_id: &str,
        trace: Option<http::HeaderValue>,
    ) -> Result<Outcome, InvokeError> {
        self.pool.invoke(payload, request_id, trace).await
    }

    /// Stops taking invocations, kills every process (in-flight invocations
    /// answer `Runtime.ExitError`), and waits until all have been reaped.
    pub async fn shutdown(&self) {
        self.pool.close();
        self.pool.all_reaped().await;
    }
}

impl Drop for LocalFunction {
    /// Kills the processes without waiting: idle ones through their monitor
    /// tasks, busy ones through their invocation tasks, and any left when the
    /// Tokio runtime itself goes away through `kill_on_drop`.
    fn drop(&mut self) {
        self.pool.close();
    }
}
