//! Lambda for API Gateway.
//!
//! - [`event`]: the proxy events API Gateway sends (REST payload 1.0, HTTP API 1.0 and 2.0).
//! - [`response`]: reading a function's proxy result back into an HTTP response.
//! - [`local`]: running functions as local processes behind a hosted Lambda Runtime API.
//! - [`remote`]: calling functions through Lambda's Invoke API, signed with SigV4.
//!
//! Both kinds of function answer through one type, [`Function`], so a caller
//! (the gateway, or a Lambda authorizer) does not care where a function runs.

pub mod event;
pub mod local;
pub mod remote;
pub mod response;

mod invoke;

pub use invoke::{Function, InvokeError, Outcome};
