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
//! - `RateLimitLayer` (feature `tower`): a `tower` layer limiting any HTTP
//!   service (axum, hyper, tonic) per key and refusing as API Gateway does
//!   (429 `TooManyRequestsException` / `LimitExceededException`).
//!
//! This crate depends on no other part of Portcullis.
//!
//! # Example
//!
//! A bucket of 3 requests refilled at 1 per second, on a clock the example moves:
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use portcullis_ratelimit::{Check, Limiter, ManualClock, MemoryStore, Throttle};
//!
//! # async fn example() {
//! let clock = Arc::new(ManualClock::new(1_700_000_000_000_000_000));
//! let limiter = Limiter::new(MemoryStore::new()).with_clock(clock.clone());
//! let throttle = Throttle::new(1.0, 3).unwrap();
//! let checks = [Check::throttle("client-a", throttle)];
//!
//! // The burst is admitted at once...
//! for remaining in [2, 1, 0] {
//!     let outcome = limiter.check(&checks).await;
//!     assert!(outcome.is_admitted());
//!     assert_eq!(outcome.headroom.unwrap().remaining, remaining);
//! }
//! // ...then the bucket is empty: refused, retry in a second.
//! let outcome = limiter.check(&checks).await;
//! assert_eq!(outcome.refused, Some(0));
//! assert_eq!(outcome.retry_after, Duration::from_secs(1));
//! // Other keys have their own bucket.
//! assert!(limiter.check(&[Check::throttle("client-b", throttle)]).await.is_admitted());
//!
//! // A second later, one more token.
//! clock.advance(Duration::from_secs(1));
//! assert!(limiter.check(&checks).await.is_admitted());
//! assert!(!limiter.check(&checks).await.is_admitted());
//! # }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(example());
//! ```
//!
//! # Features
//!
//! - `tower`: module `layer`, with `RateLimitLayer`.
//! - `redis`: `RedisStore`, limits shared by every gateway node through one Redis.

#![warn(missing_docs, missing_debug_implementations)]

mod check;
mod clock;
#[cfg(feature = "tower")]
pub mod layer;
mod limiter;
mod memory;
mod rule;
mod store;

#[cfg(feature = "redis")]
pub mod redis;

pub use check::{Check, Headroom, Outcome, Rule};
pub use clock::{Clock, ManualClock, SystemClock};
#[cfg(feature = "tower")]
pub use layer::RateLimitLayer;
pub use limiter::{Limiter, OnFailure};
pub use memory::{DEFAULT_CAPACITY, DEFAULT_RETENTION, MemoryStore};
pub use rule::{Period, Quota, RuleError, Throttle, civil_from_days, days_from_civil};
pub use store::{Pending, Store, StoreError};

#[cfg(feature = "redis")]
pub use crate::redis::{RedisConfigError, RedisStore};
