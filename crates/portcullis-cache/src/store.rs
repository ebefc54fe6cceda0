//! Where entries live: the [`Store`] trait and the error a store may answer with.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::{CacheKey, CachedResponse};

/// A place cache entries are kept: in memory ([`MemoryStore`](crate::MemoryStore)),
/// in Redis (`RedisStore`, feature `redis`), or both (`Tiered`).
///
/// A store never decides what is cached; [`Cache`](crate::Cache) does. A
/// store that cannot answer returns an error, which the cache turns into
/// a miss: a store outage costs backend calls, never failed requests.
pub trait Store: Send + Sync + 'static {
    /// The entry under `key`, if present and not expired.
    fn get(
        &self,
        key: &CacheKey,
    ) -> impl Future<Output = Result<Option<Arc<CachedResponse>>, StoreError>> + Send;

    /// Keeps `entry` under `key` for `ttl`, replacing what was there.
    fn put(
        &self,
        key: CacheKey,
        entry: Arc<CachedResponse>,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Drops every entry of `partition` (API Gateway's "flush the stage cache").
    fn flush(&self, partition: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The entry under `key` when the store holds it and can say so
    /// without waiting (memory); `None` sends the caller to [`get`](Self::get).
    ///
    /// Lets a hit be answered without creating, and so without boxing, a
    /// future (the `tower` layer's hit path). The default answers `None`.
    fn get_at_once(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        let _ = key;
        None
    }
}

/// Why a store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store did not answer within its time budget.
    #[error("cache store {store} did not answer within {timeout:?}")]
    Timeout {
        /// Which store.
        store: &'static str,
        /// Its budget.
        timeout: Duration,
    },
    /// The store is unreachable or refused the command.
    #[error("cache store {store} is unavailable: {reason}")]
    Unavailable {
        /// Which store.
        store: &'static str,
        /// What it said (never a credential).
        reason: String,
    },
    /// The store held bytes that are not an entry (written by another
    /// release, corrupted, or failing authentication when encrypted).
    #[error("cache store {store} holds an unreadable entry: {reason}")]
    Corrupt {
        /// Which store.
        store: &'static str,
        /// Why it cannot be read.
        reason: String,
    },
}

impl<S: Store> Store for Arc<S> {
    fn get(
        &self,
        key: &CacheKey,
    ) -> impl Future<Output = Result<Option<Arc<CachedResponse>>, StoreError>> + Send {
        (**self).get(key)
    }

    fn put(
        &self,
        key: CacheKey,
        entry: Arc<CachedResponse>,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).put(key, entry, ttl)
    }

    fn flush(&self, partition: &str) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).flush(partition)
    }

    fn get_at_once(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        (**self).get_at_once(key)
    }
}
