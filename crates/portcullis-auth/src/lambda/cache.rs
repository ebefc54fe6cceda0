//! The result cache: an authorizer's checked answers, by identity, until
//! their TTL passes. A hit is a hash lookup and an `Arc` clone; the policy
//! is evaluated again by the caller, for the method at hand.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Instant;

use super::output::Grant;

/// How many results one authorizer keeps. When full, expired results are
/// dropped; if none has expired, all are.
pub const RESULT_CACHE_CAPACITY: usize = 10_000;

#[derive(Debug)]
struct Entry {
    expires: Instant,
    grant: Arc<Grant>,
}

#[derive(Debug, Default)]
pub(super) struct ResultCache {
    entries: RwLock<HashMap<Box<[u8]>, Entry>>,
}

impl ResultCache {
    /// The result for `key`, while it has not expired at `now`.
    pub(super) fn get(&self, key: &[u8], now: Instant) -> Option<Arc<Grant>> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|entry| entry.expires > now)
            .map(|entry| entry.grant.clone())
    }

    /// Keeps `grant` for `key` until `expires`.
    pub(super) fn insert(&self, key: &[u8], grant: Arc<Grant>, now: Instant, expires: Instant) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= RESULT_CACHE_CAPACITY && !entries.contains_key(key) {
            entries.retain(|_, entry| entry.expires > now);
            if entries.len() >= RESULT_CACHE_CAPACITY {
                // Still full of live results: start over rather than grow.
                entries.clear();
            }
        }
        entries.insert(key.into(), Entry { expires, grant });
    }

    /// How many results are kept, expired ones included.
    pub(super) fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::Map;

    use super::super::output::Verdict;
    use super::*;

    fn grant() -> Arc<Grant> {
        Arc::new(Grant {
            principal_id: None,
            decision: Verdict::Simple(true),
            context: Map::new(),
            usage_identifier_key: None,
        })
    }

    #[test]
    fn entries_expire() {
        let cache = ResultCache::default();
        let now = Instant::now();
        cache.insert(b"k", grant(), now, now + Duration::from_secs(5));
        assert!(cache.get(b"k", now + Duration::from_secs(4)).is_some());
        assert!(cache.get(b"k", now + Duration::from_secs(5)).is_none());
        assert!(cache.get(b"other", now).is_none());
    }

    #[test]
    fn stays_bounded() {
        let cache = ResultCache::default();
        let now = Instant::now();
        let soon = now + Duration::from_secs(1);
        let later = now + Duration::from_secs(60);
        for i in 0..RESULT_CACHE_CAPACITY {
            let expires = if i % 2 == 0 { soon } else { later };
            cache.insert(&i.to_le_bytes(), grant(), now, expires);
        }
        assert_eq!(cache.len(), RESULT_CACHE_CAPACITY);
        // Full: the expired half goes.
        cache.insert(b"new", grant(), soon, later);
        assert_eq!(cache.len(), RESULT_CACHE_CAPACITY / 2 + 1);
        // Full again with nothing expired: everything goes.
        for i in 0..RESULT_CACHE_CAPACITY / 2 - 1 {
            cache.insert(&(i + 1_000_000).to_le_bytes(), grant(), soon, later);
        }
        assert_eq!(cache.len(), RESULT_CACHE_CAPACITY);
        cache.insert(b"last", grant(), soon, later);
        assert_eq!(cache.len(), 1);
        assert!(cache.get(b"new", soon).is_none());
        assert!(cache.get(b"last", soon).is_some());
    }
}
