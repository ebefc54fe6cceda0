//! [`Tiered`]: a near store (this process's memory) in front of a far one
//! (Redis shared by every node), and [`AnyStore`], the store a gateway
//! picks from its configuration at run time.

use std::sync::Arc;
use std::time::Duration;

use crate::store::{Store, StoreError};
use crate::{CacheKey, CachedResponse, MemoryStore, RedisStore};

/// How long, by default, a copy of a far entry stays in the near store.
pub const DEFAULT_NEAR_TTL: Duration = Duration::from_secs(5);

/// Two stores: lookups read `near` first, then `far` (copying its hits
/// near); writes and flushes go to both.
///
/// # How long a copy stays near
///
/// A hit in the far store is copied near so the next lookups skip the
/// round trip. The far store does not say how long its entry has left, so
/// the copy is kept for the tier's `near_ttl` (a cap, 5 s by default);
/// an entry written through the tier is kept near for
/// `min(near_ttl, its TTL)`. So a node may answer with an entry up to
/// `near_ttl` after it expired in Redis, or after another node flushed the
/// partition (a flush reaches only this node's near store and Redis).
/// Keep `near_ttl` small next to the TTLs: it bounds that staleness.
#[derive(Debug, Clone)]
pub struct Tiered<Near, Far> {
    near: Near,
    far: Far,
    near_ttl: Duration,
}

impl<Near: Store, Far: Store> Tiered<Near, Far> {
    /// `near` in front of `far`, near copies kept at most [`DEFAULT_NEAR_TTL`].
    pub fn new(near: Near, far: Far) -> Self {
        Self {
            near,
            far,
            near_ttl: DEFAULT_NEAR_TTL,
        }
    }

    /// Keeps near copies at most `near_ttl`: how long a node may answer
    /// with an entry after it expired or was flushed elsewhere.
    pub fn near_ttl(mut self, near_ttl: Duration) -> Self {
        self.near_ttl = near_ttl;
        self
    }

    /// The near store.
    pub fn near(&self) -> &Near {
        &self.near
    }

    /// The far store.
    pub fn far(&self) -> &Far {
        &self.far
    }

    /// The cap on a near copy's lifetime.
    pub fn near_ttl_cap(&self) -> Duration {
        self.near_ttl
    }
}

impl<Near: Store, Far: Store> Store for Tiered<Near, Far> {
    async fn get(&self, key: &CacheKey) -> Result<Option<Arc<CachedResponse>>, StoreError> {
        match self.near.get(key).await {
            Ok(Some(entry)) => return Ok(Some(entry)),
            Ok(None) => {}
            // A near store failing should not hide the far one.
            Err(error) => tracing::debug!(%error, "near cache store failed; reading the far one"),
        }
        let found = self.far.get(key).await?;
        if let Some(entry) = &found
            && !self.near_ttl.is_zero()
            && let Err(error) = self
                .near
                .put(key.clone(), entry.clone(), self.near_ttl)
                .await
        {
            tracing::debug!(%error, "near cache store failed to keep a far hit");
        }
        Ok(found)
    }

    async fn put(
        &self,
        key: CacheKey,
        entry: Arc<CachedResponse>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let near_ttl = ttl.min(self.near_ttl);
        let near = if near_ttl.is_zero() {
            Ok(())
        } else {
            self.near.put(key.clone(), entry.clone(), near_ttl).await
        };
        // Both are attempted; the far store's error matters most (other
        // nodes do not see the entry), so it is the one reported.
        self.far.put(key, entry, ttl).await.and(near)
    }

    async fn flush(&self, partition: &str) -> Result<(), StoreError> {
        let near = self.near.flush(partition).await;
        self.far.flush(partition).await.and(near)
    }
}

/// One of the stores, chosen at run time (from a gateway's configuration)
/// while [`Cache`](crate::Cache) stays one type.
#[derive(Debug, Clone)]
pub enum AnyStore {
    /// This process's memory only.
    Memory(MemoryStore),
    /// Redis only: every lookup is a round trip.
    Redis(RedisStore),
    /// Memory in front of Redis.
    Tiered(Tiered<MemoryStore, RedisStore>),
}

impl From<MemoryStore> for AnyStore {
    fn from(store: MemoryStore) -> Self {
        Self::Memory(store)
    }
}

impl From<RedisStore> for AnyStore {
    fn from(store: RedisStore) -> Self {
        Self::Redis(store)
    }
}

impl From<Tiered<MemoryStore, RedisStore>> for AnyStore {
    fn from(store: Tiered<MemoryStore, RedisStore>) -> Self {
        Self::Tiered(store)
    }
}

impl Store for AnyStore {
    async fn get(&self, key: &CacheKey) -> Result<Option<Arc<CachedResponse>>, StoreError> {
        match self {
            Self::Memory(store) => Ok(store.get_now(key)),
            Self::Redis(store) => store.get(key).await,
            Self::Tiered(store) => store.get(key).await,
        }
    }

    async fn put(
        &self,
        key: CacheKey,
        entry: Arc<CachedResponse>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        match self {
            Self::Memory(store) => {
                store.put_now(key, entry, ttl);
                Ok(())
            }
            Self::Redis(store) => store.put(key, entry, ttl).await,
            Self::Tiered(store) => store.put(key, entry, ttl).await,
        }
    }

    async fn flush(&self, partition: &str) -> Result<(), StoreError> {
        match self {
            Self::Memory(store) => {
                store.flush_now(partition);
                Ok(())
            }
            Self::Redis(store) => store.flush(partition).await,
            Self::Tiered(store) => store.flush(partition).await,
        }
    }

    fn get_at_once(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        match self {
            Self::Memory(store) => store.get_now(key),
            Self::Redis(_) => None,
            Self::Tiered(store) => store.near().get_at_once(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bytes::Bytes;
    use http::StatusCode;

    use super::*;

    /// A far store that counts its reads and can be made to fail.
    #[derive(Default)]
    struct Far {
        inner: Option<MemoryStore>,
        reads: AtomicUsize,
    }

    impl Far {
        fn working() -> Self {
            Self {
                inner: Some(MemoryStore::new(1 << 20)),
                reads: AtomicUsize::new(0),
            }
        }

        fn store(&self) -> Result<&MemoryStore, StoreError> {
            self.inner.as_ref().ok_or(StoreError::Unavailable {
                store: "test",
                reason: "down".to_owned(),
            })
        }
    }

    impl Store for Far {
        async fn get(&self, key: &CacheKey) -> Result<Option<Arc<CachedResponse>>, StoreError> {
            self.reads.fetch_add(1, Ordering::Relaxed);
            Ok(self.store()?.get_now(key))
        }

        async fn put(
            &self,
            key: CacheKey,
            entry: Arc<CachedResponse>,
            ttl: Duration,
        ) -> Result<(), StoreError> {
            self.store()?.put_now(key, entry, ttl);
            Ok(())
        }

        async fn flush(&self, partition: &str) -> Result<(), StoreError> {
            self.store()?.flush_now(partition);
            Ok(())
        }
    }

    fn key(n: u32) -> CacheKey {
        CacheKey::builder("stage").text(&n.to_string()).build()
    }

    fn entry(body: &'static str) -> Arc<CachedResponse> {
        Arc::new(CachedResponse::new(
            StatusCode::OK,
            Bytes::from_static(body.as_bytes()),
        ))
    }

    const TTL: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn far_hits_are_copied_near() {
        let tiered = Tiered::new(MemoryStore::new(1 << 20), Far::working());
        tiered.far().put(key(1), entry("far"), TTL).await.unwrap();
        assert_eq!(tiered.get(&key(1)).await.unwrap().unwrap().body, "far");
        assert_eq!(tiered.get(&key(1)).await.unwrap().unwrap().body, "far");
        assert_eq!(tiered.far().reads.load(Ordering::Relaxed), 1);
        assert!(tiered.near().get_now(&key(1)).is_some());
        assert!(tiered.get(&key(2)).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn writes_and_flushes_reach_both() {
        let tiered = Tiered::new(MemoryStore::new(1 << 20), Far::working());
        tiered.put(key(1), entry("both"), TTL).await.unwrap();
        assert!(tiered.near().get_now(&key(1)).is_some());
        assert!(tiered.far().store().unwrap().get_now(&key(1)).is_some());
        tiered.flush("stage").await.unwrap();
        assert!(tiered.near().get_now(&key(1)).is_none());
        assert!(tiered.far().store().unwrap().get_now(&key(1)).is_none());
    }

    #[tokio::test]
    async fn near_copies_are_capped() {
        let tiered = Tiered::new(MemoryStore::new(1 << 20), Far::working())
            .near_ttl(Duration::from_millis(40));
        tiered.put(key(1), entry("a"), TTL).await.unwrap();
        tiered.far().put(key(2), entry("b"), TTL).await.unwrap();
        tiered.get(&key(2)).await.unwrap();
        // Shorter TTLs than the cap are kept as given.
        tiered
            .put(key(3), entry("c"), Duration::from_millis(10))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(tiered.near().get_now(&key(3)).is_none());
        assert!(tiered.near().get_now(&key(1)).is_some());
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert!(tiered.near().get_now(&key(1)).is_none());
        assert!(tiered.near().get_now(&key(2)).is_none());
        // The far store still has them.
        assert!(tiered.get(&key(1)).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn a_failing_far_store_is_reported_but_near_still_serves() {
        let tiered = Tiered::new(MemoryStore::new(1 << 20), Far::default());
        assert!(tiered.put(key(1), entry("near"), TTL).await.is_err());
        assert_eq!(tiered.get(&key(1)).await.unwrap().unwrap().body, "near");
        assert!(tiered.get(&key(2)).await.is_err());
        assert!(tiered.flush("stage").await.is_err());
        assert!(tiered.near().get_now(&key(1)).is_none());
    }

    #[tokio::test]
    async fn any_store_delegates() {
        let store = AnyStore::from(MemoryStore::new(1 << 20));
        store.put(key(1), entry("m"), TTL).await.unwrap();
        assert_eq!(store.get(&key(1)).await.unwrap().unwrap().body, "m");
        store.flush("stage").await.unwrap();
        assert!(store.get(&key(1)).await.unwrap().is_none());
        let cache = crate::Cache::new(store);
        assert!(matches!(cache.lookup(key(1)).await, crate::Lookup::Miss(_)));
    }
}
