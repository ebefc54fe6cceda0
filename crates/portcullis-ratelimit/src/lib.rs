//! API Gateway's throttling and quotas, usable alone or inside the Portcullis gateway.
//!
//! - [`Throttle`]: a token bucket (rate per second, fractional allowed, and
//!   burst), enforced as GCRA: one timestamp per key, updated atomically.
//! - [`Quota`]: a number of requests per UTC day, week or month, with AWS's
//!   `offset` (requests taken off the first period).
//! - [`Store`]: where the state lives. [`MemoryStore`] on one node;
//!   `RedisStore` (feature `redis`) shared by many nodes.
//! - [`Limiter`]: runs a request's checks against a store, in order, and
//!   applies the failure policy when the store cannot answer.
//!
//! This crate depends on no other part of Portcullis.

#![warn(missing_docs, missing_debug_implementations)]

mod check;
mod clock;
mod limiter;
mod rule;
mod store;

#[cfg(feature = "redis")]
pub mod redis;

pub use check::{Check, Headroom, Outcome, Rule};
pub use clock::{Clock, ManualClock, SystemClock};
pub use limiter::{Limiter, OnFailure};
pub use rule::{Period, Quota, RuleError, Throttle};
pub use store::{Pending, Store, StoreError};

#[cfg(feature = "redis")]
pub use crate::redis::{RedisConfigError, RedisStore};
