//! The in-memory store: bounded by bytes, W-TinyLFU admission and eviction
//! (`moka`), a TTL per entry.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::sync::Cache as Moka;

use crate::store::{Store, StoreError};
use crate::{CacheKey, CachedResponse};

/// Entries in this process's memory, at most `capacity` bytes of them.
///
/// Bodies are [`Bytes`](bytes::Bytes) behind an `Arc`: a hit clones a
/// pointer. Cheap to clone; clones share the entries.
#[derive(Clone)]
pub struct MemoryStore {
    entries: Moka<CacheKey, Stored>,
    capacity: u64,
}

#[derive(Clone)]
struct Stored {
    entry: Arc<CachedResponse>,
    ttl: Duration,
}

/// Reads each entry's own TTL.
struct PerEntryTtl;

impl moka::Expiry<CacheKey, Stored> for PerEntryTtl {
    fn expire_after_create(&self, _: &CacheKey, stored: &Stored, _: Instant) -> Option<Duration> {
        Some(stored.ttl)
    }

    fn expire_after_update(
        &self,
        _: &CacheKey,
        stored: &Stored,
        _: Instant,
        _: Option<Duration>,
    ) -> Option<Duration> {
        Some(stored.ttl)
    }
}

impl MemoryStore {
    /// A store holding at most `capacity` bytes of entries (keys, headers,
    /// bodies and [`ENTRY_OVERHEAD`](crate::ENTRY_OVERHEAD) each).
    pub fn new(capacity: u64) -> Self {
        let entries = Moka::builder()
            .max_capacity(capacity)
            .weigher(|key: &CacheKey, stored: &Stored| {
                u32::try_from(key.len() + stored.entry.weight()).unwrap_or(u32::MAX)
            })
            .expire_after(PerEntryTtl)
            .support_invalidation_closures()
            .build();
        Self { entries, capacity }
    }

    /// The bound, in bytes.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Bytes charged for the entries held now (after pending evictions run).
    pub fn weighted_size(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.weighted_size()
    }

    /// Entries held now (after pending evictions run).
    pub fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    /// The entry under `key`, without a future (the memory store never waits).
    pub fn get_now(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        self.entries.get(key).map(|stored| stored.entry)
    }

    /// Keeps `entry` under `key` for `ttl`, without a future.
    pub fn put_now(&self, key: CacheKey, entry: Arc<CachedResponse>, ttl: Duration) {
        self.entries.insert(key, Stored { entry, ttl });
    }

    /// Drops every entry of `partition`, without a future.
    pub fn flush_now(&self, partition: &str) {
        let prefix = crate::key::partition_prefix(partition);
        // Registered predicates hide matching entries from `get` at once;
        // moka removes them in the background.
        if self
            .entries
            .invalidate_entries_if(move |key, _| key.partition_prefix() == prefix.as_slice())
            .is_err()
        {
            // Only when invalidation closures are not enabled, which `new` does.
            self.entries.invalidate_all();
        }
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

impl Store for MemoryStore {
    async fn get(&self, key: &CacheKey) -> Result<Option<Arc<CachedResponse>>, StoreError> {
        Ok(self.get_now(key))
    }

    async fn put(
        &self,
        key: CacheKey,
        entry: Arc<CachedResponse>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        self.put_now(key, entry, ttl);
        Ok(())
    }

    async fn flush(&self, partition: &str) -> Result<(), StoreError> {
        self.flush_now(partition);
        Ok(())
    }

    fn get_at_once(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        self.get_now(key)
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use http::StatusCode;

    use super::*;

    fn entry(size: usize) -> Arc<CachedResponse> {
        Arc::new(CachedResponse::new(
            StatusCode::OK,
            Bytes::from(vec![b'x'; size]),
        ))
    }

    fn key(partition: &str, n: usize) -> CacheKey {
        CacheKey::builder(partition).text(&n.to_string()).build()
    }

    #[test]
    fn holds_and_expires() {
        let store = MemoryStore::new(1 << 20);
        store.put_now(key("a", 1), entry(10), Duration::from_millis(50));
        assert_eq!(store.get_now(&key("a", 1)).unwrap().body.len(), 10);
        assert!(store.get_now(&key("a", 2)).is_none());
        std::thread::sleep(Duration::from_millis(80));
        assert!(store.get_now(&key("a", 1)).is_none());
    }

    #[test]
    fn stays_within_its_bound_under_churn() {
        let store = MemoryStore::new(64 * 1024);
        for n in 0..2_000 {
            store.put_now(key("a", n), entry(1024), Duration::from_secs(60));
            // Readers make some keys popular, as real traffic does.
            store.get_now(&key("a", n % 10));
        }
        assert!(
            store.weighted_size() <= 64 * 1024,
            "{}",
            store.weighted_size()
        );
        assert!(store.entry_count() > 10);
    }

    #[test]
    fn flush_empties_one_partition() {
        let store = MemoryStore::new(1 << 20);
        for n in 0..5 {
            store.put_now(key("prod", n), entry(1), Duration::from_secs(60));
            store.put_now(key("beta", n), entry(1), Duration::from_secs(60));
        }
        store.flush_now("prod");
        for n in 0..5 {
            assert!(store.get_now(&key("prod", n)).is_none());
            assert!(store.get_now(&key("beta", n)).is_some());
        }
        // Entries written after the flush are kept.
        store.put_now(key("prod", 1), entry(1), Duration::from_secs(60));
        assert!(store.get_now(&key("prod", 1)).is_some());
    }
}
