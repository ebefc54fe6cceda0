//! What every function, local or remote, answers.

use bytes::Bytes;
use http::HeaderValue;

/// A function's answer, as Lambda's Invoke API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The handler returned; the payload is its (JSON) result.
    Returned(Bytes),
    /// The function failed: it raised, timed out, crashed or could not
    /// initialise. The payload is Lambda's error document,
    /// `{"errorMessage": ..., "errorType": ..., ...}` (the Invoke API's
    /// `X-Amz-Function-Error` case).
    Failed(Bytes),
}

/// Why a function could not be called at all (no [`Outcome`] exists).
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// No function of that name is configured.
    #[error("no function named {0:?} is configured")]
    UnknownFunction(String),
    /// The function's reserved concurrency is in use (Lambda's 429 `TooManyRequestsException`).
    #[error(
        "function {function:?} is throttled: all {limit} of its reserved concurrency is in use"
    )]
    Throttled {
        /// The function.
        function: String,
        /// Its reserved concurrency.
        limit: usize,
    },
    /// The function's process could not be started.
    #[error("function {function:?} could not start {program:?}: {source}")]
    Start {
        /// The function.
        function: String,
        /// The program its command names.
        program: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The Invoke API answered with an error status (not a function error).
    #[error("Lambda answered {status} for function {function:?}: {message}")]
    Remote {
        /// The function.
        function: String,
        /// The HTTP status of the Invoke API's answer.
        status: u16,
        /// Lambda's error type and message.
        message: String,
    },
    /// The Invoke API could not be reached or its answer could not be read.
    #[error("calling function {function:?} failed: {message}")]
    Transport {
        /// The function.
        function: String,
        /// What went wrong.
        message: String,
    },
    /// Credentials for signing the Invoke request could not be found.
    #[error("no AWS credentials to sign the call to {function:?}: {message}")]
    Credentials {
        /// The function.
        function: String,
        /// Which sources were tried and why they failed.
        message: String,
    },
}

/// A function that can be invoked: a local process pool or a remote Lambda.
#[derive(Debug, Clone)]
pub enum Function {
    /// Run as local processes behind a hosted Runtime API.
    Local(std::sync::Arc<crate::local::LocalFunction>),
    /// Called through the Invoke API.
    Remote(std::sync::Arc<crate::remote::RemoteFunction>),
}

impl Function {
    /// Invokes the function synchronously (`RequestResponse`) with `payload`.
    ///
    /// `request_id` is the caller's request id, attached to the function's log lines.
    pub async fn invoke(&self, payload: Bytes, request_id: &str) -> Result<Outcome, InvokeError> {
        self.invoke_traced(payload, request_id, None).await
    }

    /// Invokes the function as [`invoke`](Self::invoke) does, within the
    /// caller's X-Ray trace: `trace` is an `X-Amzn-Trace-Id` value
    /// (`Root=1-…;Parent=…;Sampled=…`). A local function's runtime receives
    /// it as `Lambda-Runtime-Trace-Id` (its runtime client sets
    /// `_X_AMZN_TRACE_ID` from it); a remote call carries it as
    /// `X-Amzn-Trace-Id`. Without one, a local function gets a new trace, as
    /// Lambda starts one.
    pub async fn invoke_traced(
        &self,
        payload: Bytes,
        request_id: &str,
        trace: Option<HeaderValue>,
    ) -> Result<Outcome, InvokeError> {
        match self {
            Self::Local(function) => function.invoke_traced(payload, request_id, trace).await,
            Self::Remote(function) => function.invoke_traced(payload, request_id, trace).await,
        }
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Local(function) => function.name(),
            Self::Remote(function) => function.name(),
        }
    }
}
