//! Portcullis: Amazon API Gateway's data plane, self-hosted and embeddable.
//!
//! This facade re-exports the Portcullis crates behind features:
//! - `router` (default): [`router`], AWS routing with AWS precedence.
//! - `mapping` (default): [`mapping`], Velocity (VTL) mapping templates as API Gateway runs them.
//! - `lambda` (default): [`lambda`], Lambda proxy events and responses, local functions behind a
//!   hosted Runtime API, and the SigV4 Invoke client.
//! - `auth` (default): [`auth`], authorizers: JWT and Cognito, IAM policies, SigV4, and a
//!   `tower` layer guarding any service with a JWT authorizer.
//! - `ratelimit` (default): [`ratelimit`], throttling and quotas: GCRA token buckets and
//!   usage-plan quotas, in memory or shared through Redis, and a `tower` layer.
//! - `cache` (default): [`cache`], response caching: AWS's cache keys and TTLs, bounded
//!   memory, request coalescing, and a `tower` layer caching any HTTP service.
//! - `gateway` (default): [`gateway`], configuration, OpenAPI import, the pipeline and the server.

#![forbid(unsafe_code)]

#[cfg(feature = "router")]
pub use portcullis_router as router;

#[cfg(feature = "gateway")]
pub use portcullis_gateway as gateway;

#[cfg(feature = "mapping")]
pub use portcullis_mapping as mapping;

#[cfg(feature = "lambda")]
pub use portcullis_lambda as lambda;

#[cfg(feature = "auth")]
pub use portcullis_auth as auth;

#[cfg(feature = "ratelimit")]
pub use portcullis_ratelimit as ratelimit;

#[cfg(feature = "cache")]
pub use portcullis_cache as cache;
