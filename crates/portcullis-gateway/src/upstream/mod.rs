//! Connections to HTTP backends: the pooled client used by the HTTP and HTTP
//! proxy integrations, its errors, and the header rules of a proxy.
//!
//! One [`UpstreamClient`] serves the whole gateway; build it once from
//! [`UpstreamSettings`](crate::config::model::UpstreamSettings) and clone it
//! freely. Requests carry an [`UpstreamBody`] (`Full<Bytes>`).

mod client;
mod error;
mod fetch;
pub mod headers;
mod pool;
mod roots;

pub use client::{POOL_IDLE_TIMEOUT, UpstreamBody, UpstreamClient, UpstreamRequestOptions};
pub use error::{UpstreamBuildError, UpstreamError};
pub use headers::{
    X_FORWARDED_FOR, X_FORWARDED_PORT, X_FORWARDED_PROTO, append_forwarded_for, strip_hop_by_hop,
};
pub use pool::UpstreamResponseBody;
