//! API Gateway's response cache, usable alone or inside the Portcullis gateway.
//!
//! - [`CacheKey`]: a partition (what a flush empties: a stage) and the
//!   values that choose an entry (method, resource, the cache key
//!   parameters), encoded so different values never make one key.
//! - [`CachedResponse`]: status, headers and body ([`Bytes`](bytes::Bytes):
//!   a hit from memory copies nothing), with a binary form for shared stores.
//! - [`Store`]: where entries live. [`MemoryStore`] is bounded by bytes
//!   (W-TinyLFU through `moka`); `RedisStore` (feature `redis`) shares
//!   entries between gateway nodes, optionally encrypted with AES-256-GCM.
//! - [`Cache`]: lookups, one backend call per cold key while other
//!   requests for it wait (coalescing, which API Gateway does not do), hit
//!   and miss counts. Errors are never kept.
//! - [`FillingBody`]: passes a fetched body on as it arrives and keeps it
//!   when it ends.
//! - [`control`]: `Cache-Control` as the cache reads it.
//! - [`CacheLayer`] (feature `tower`, module [`layer`]): caching in front
//!   of any HTTP service, AWS's rules by default (GET and HEAD, 300 s,
//!   never a 5xx, `Cache-Control: max-age=0` refreshes), the backend's
//!   `Cache-Control` honoured and an optional `X-Cache` header.
//!
//! This crate depends on no other part of Portcullis.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//!
//! use bytes::Bytes;
//! use http::StatusCode;
//! use portcullis_cache::{Cache, CacheKey, CachedResponse, Lookup, MemoryStore};
//!
//! # async fn example() {
//! // 10 MB of entries at most.
//! let cache = Cache::new(MemoryStore::new(10_000_000));
//! let key = || {
//!     CacheKey::builder("petstore/prod")
//!         .text("GET")
//!         .text("/pets/{id}")
//!         .part(Some(b"42")) // method.request.path.id
//!         .build()
//! };
//!
//! // The first lookup misses: fetch, then complete the fill.
//! match cache.lookup(key()).await {
//!     Lookup::Miss(fill) => {
//!         let fetched = CachedResponse::new(StatusCode::OK, Bytes::from("{\"id\":42}"));
//!         fill.complete(fetched, Duration::from_secs(300));
//!     }
//!     Lookup::Hit(_) => unreachable!("the cache starts empty"),
//! }
//!
//! // The next one is answered from memory.
//! let Lookup::Hit(entry) = cache.lookup(key()).await else { panic!("kept") };
//! assert_eq!(entry.body, "{\"id\":42}");
//! assert_eq!((cache.stats().hits, cache.stats().misses), (1, 1));
//!
//! // Flushing the stage empties it.
//! cache.flush("petstore/prod").await.unwrap();
//! assert!(matches!(cache.lookup(key()).await, Lookup::Miss(_)));
//! # }
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(example());
//! ```
//!
//! # Features
//!
//! - `tower`: module [`layer`], with [`CacheLayer`]: a `tower` layer
//!   caching an `http` service's responses (hyper, axum).
//! - `redis`: `RedisStore` (entries shared through Redis, optionally
//!   encrypted with an `EncryptionKey`), `Tiered` (memory in front of
//!   Redis) and `AnyStore` (the store chosen at run time).

#![warn(missing_docs, missing_debug_implementations)]

mod body;
mod cache;
#[cfg(feature = "redis")]
mod cipher;
pub mod control;
mod entry;
mod key;
#[cfg(feature = "tower")]
pub mod layer;
mod memory;
#[cfg(feature = "redis")]
mod redis;
mod store;
#[cfg(feature = "redis")]
mod tiered;

pub use body::FillingBody;
pub use cache::{
    Cache, CacheSettings, CacheStats, DEFAULT_COALESCE_WAIT, Fill, Lookup, MAX_ENTRY_BYTES,
};
pub use entry::{CachedResponse, DecodeError, ENTRY_OVERHEAD};
pub use key::{CacheKey, KeyBuilder};
#[cfg(feature = "tower")]
pub use layer::CacheLayer;
pub use memory::MemoryStore;
pub use store::{Store, StoreError};

#[cfg(feature = "redis")]
pub use cipher::{EncryptionKey, EncryptionKeyError};
#[cfg(feature = "redis")]
pub use redis::{DEFAULT_PREFIX, DEFAULT_TIMEOUT, RedisConfig, RedisConfigError, RedisStore};
#[cfg(feature = "redis")]
pub use tiered::{AnyStore, DEFAULT_NEAR_TTL, Tiered};
