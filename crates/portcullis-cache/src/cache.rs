//! The cache: lookups against a [`Store`], one backend call per cold key
//! (request coalescing), and the hit and miss counts.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Waker};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::watch;

use crate::store::Store;
use crate::{CacheKey, CachedResponse};

/// API Gateway's largest cacheable response: 1,048,576 bytes.
pub const MAX_ENTRY_BYTES: usize = 1024 * 1024;

/// How long, by default, a request waits for another request's backend
/// call for the same key before making its own.
pub const DEFAULT_COALESCE_WAIT: Duration = Duration::from_secs(10);

/// How a [`Cache`] behaves beyond its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSettings {
    /// Bodies longer than this are passed on and not kept (AWS: 1 MiB).
    pub max_entry_bytes: usize,
    /// How long a request for a key another request is already fetching
    /// waits for that result; then it calls the backend itself. Zero turns
    /// coalescing off.
    pub coalesce_wait: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            max_entry_bytes: MAX_ENTRY_BYTES,
            coalesce_wait: DEFAULT_COALESCE_WAIT,
        }
    }
}

/// A response cache over a [`Store`]. Cheap to clone; clones share
/// entries, in-flight fetches and counts.
///
/// [`lookup`](Self::lookup) answers a hit, or a [`Fill`]: the caller
/// fetches the response and hands it to [`Fill::complete`]. While one
/// request for a key fetches, other requests for that key wait for its
/// result (up to [`CacheSettings::coalesce_wait`]) instead of calling the
/// backend too. A fetch that fails or is not cacheable is never kept: the
/// waiting requests then fetch for themselves.
pub struct Cache<S> {
    inner: Arc<Inner<S>>,
}

struct Inner<S> {
    store: S,
    settings: CacheSettings,
    /// Keys being fetched now, with the channel their result arrives on.
    flights: DashMap<CacheKey, Flight, foldhash::fast::RandomState>,
    next_flight: AtomicU64,
    stats: Counters,
}

struct Flight {
    id: u64,
    result: watch::Receiver<Option<Arc<CachedResponse>>>,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    coalesced: AtomicU64,
    store_errors: AtomicU64,
    too_large: AtomicU64,
}

/// Counts since the cache was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Requests answered from the cache (AWS's `CacheHitCount`), including
    /// those answered by another request's fetch.
    pub hits: u64,
    /// Requests that went to the backend (AWS's `CacheMissCount`).
    pub misses: u64,
    /// Hits that waited for another request's fetch.
    pub coalesced: u64,
    /// Store operations that failed (each turned into a miss or a skipped write).
    pub store_errors: u64,
    /// Responses not kept because their body exceeded the size bound.
    pub too_large: u64,
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup<S: Store> {
    /// The entry: answer with it.
    Hit(Arc<CachedResponse>),
    /// Fetch the response, then hand it to the fill (or drop the fill
    /// when the response must not be kept).
    Miss(Fill<S>),
}

impl<S> Clone for Cache<S> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<S> std::fmt::Debug for Cache<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cache")
            .field("settings", &self.inner.settings)
            .field("in_flight", &self.inner.flights.len())
            .finish_non_exhaustive()
    }
}

impl<S: Store> Cache<S> {
    /// A cache over `store` with default settings.
    pub fn new(store: S) -> Self {
        Self::with_settings(store, CacheSettings::default())
    }

    /// A cache over `store`.
    pub fn with_settings(store: S, settings: CacheSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                settings,
                flights: DashMap::default(),
                next_flight: AtomicU64::new(0),
                stats: Counters::default(),
            }),
        }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.inner.store
    }

    /// The settings.
    pub fn settings(&self) -> CacheSettings {
        self.inner.settings
    }

    /// Counts since the cache was made.
    pub fn stats(&self) -> CacheStats {
        let c = &self.inner.stats;
        CacheStats {
            hits: c.hits.load(Ordering::Relaxed),
            misses: c.misses.load(Ordering::Relaxed),
            coalesced: c.coalesced.load(Ordering::Relaxed),
            store_errors: c.store_errors.load(Ordering::Relaxed),
            too_large: c.too_large.load(Ordering::Relaxed),
        }
    }

    /// The entry under `key`, or a [`Fill`] for the caller to fetch it.
    pub async fn lookup(&self, key: CacheKey) -> Lookup<S> {
        if let Some(entry) = self.read(&key).await {
            return self.hit(entry, false);
        }
        let follow = match self.inner.flights.entry(key.clone()) {
            dashmap::Entry::Occupied(flight) => flight.get().result.clone(),
            dashmap::Entry::Vacant(slot) => {
                let (sender, result) = watch::channel(None);
                let id = self.inner.next_flight.fetch_add(1, Ordering::Relaxed);
                slot.insert(Flight { id, result });
                // A fetch that finished between our read and now has stored
                // its entry before leaving the flights: read once more.
                if let Some(entry) = self.read(&key).await {
                    self.finish_flight(&key, id);
                    sender.send_replace(Some(entry.clone()));
                    return self.hit(entry, false);
                }
                return Lookup::Miss(self.fill(key, Some((id, sender))));
            }
        };
        match self.follow(follow).await {
            Some(entry) => self.hit(entry, true),
            None => Lookup::Miss(self.fill(key, None)),
        }
    }

    /// The entry under `key` if the store can answer at once (memory, see
    /// [`Store::get_at_once`]), counted as a hit; `None` when it cannot or
    /// holds nothing: then [`lookup`](Self::lookup) decides (and counts).
    ///
    /// Answers a hit without a future, which a caller that must name its
    /// futures (a `tower` service) would otherwise have to box.
    pub fn lookup_at_once(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        let entry = self.inner.store.get_at_once(key)?;
        self.inner.stats.hits.fetch_add(1, Ordering::Relaxed);
        Some(entry)
    }

    /// A [`Fill`] for `key` without reading the store: the client asked
    /// for a fresh response (`Cache-Control: max-age=0`) and may have one.
    /// The fetched response replaces the entry.
    pub fn refresh(&self, key: CacheKey) -> Fill<S> {
        self.fill(key, None)
    }

    /// Drops every entry of `partition` from the store.
    pub async fn flush(&self, partition: &str) -> Result<(), crate::StoreError> {
        self.inner.store.flush(partition).await
    }

    async fn read(&self, key: &CacheKey) -> Option<Arc<CachedResponse>> {
        match self.inner.store.get(key).await {
            Ok(found) => found,
            Err(error) => {
                self.inner
                    .stats
                    .store_errors
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%error, "cache read failed: treated as a miss");
                None
            }
        }
    }

    fn hit(&self, entry: Arc<CachedResponse>, coalesced: bool) -> Lookup<S> {
        self.inner.stats.hits.fetch_add(1, Ordering::Relaxed);
        if coalesced {
            self.inner.stats.coalesced.fetch_add(1, Ordering::Relaxed);
        }
        Lookup::Hit(entry)
    }

    fn fill(
        &self,
        key: CacheKey,
        flight: Option<(u64, watch::Sender<Option<Arc<CachedResponse>>>)>,
    ) -> Fill<S> {
        self.inner.stats.misses.fetch_add(1, Ordering::Relaxed);
        Fill {
            cache: self.clone(),
            key: Some(key),
            flight,
        }
    }

    /// Waits, within the bound, for another request's fetch; `None` when
    /// it failed, was not kept, or took too long.
    async fn follow(
        &self,
        mut result: watch::Receiver<Option<Arc<CachedResponse>>>,
    ) -> Option<Arc<CachedResponse>> {
        let wait = self.inner.settings.coalesce_wait;
        if wait.is_zero() {
            return None;
        }
        let arrived = tokio::time::timeout(wait, result.wait_for(Option::is_some)).await;
        match arrived {
            Ok(Ok(entry)) => entry.clone(),
            _ => None,
        }
    }

    fn finish_flight(&self, key: &CacheKey, id: u64) {
        self.inner
            .flights
            .remove_if(key, |_, flight| flight.id == id);
    }
}

/// The right, and duty, to fetch a missed key's response.
///
/// Hand the response to [`complete`](Self::complete); dropping the fill
/// instead (an error, a response that must not be kept, a cancelled
/// request) releases the requests waiting for it to fetch for themselves.
#[derive(Debug)]
pub struct Fill<S: Store> {
    cache: Cache<S>,
    /// `None` once completed.
    key: Option<CacheKey>,
    /// This request's flight, when others may be waiting on it.
    flight: Option<(u64, watch::Sender<Option<Arc<CachedResponse>>>)>,
}

impl<S: Store> Fill<S> {
    /// The key being filled.
    pub fn key(&self) -> &CacheKey {
        self.key
            .as_ref()
            .expect("a fill has its key until completed")
    }

    /// The largest body the cache keeps.
    pub fn max_entry_bytes(&self) -> usize {
        self.cache.inner.settings.max_entry_bytes
    }

    /// Keeps `response` for `ttl` and hands it to the requests waiting for
    /// it. A zero TTL or a body over the bound keeps nothing (the waiting
    /// requests then fetch for themselves). The store is written without
    /// waiting: at once for memory, on a spawned task for a remote store
    /// (which needs a Tokio runtime).
    pub fn complete(mut self, response: CachedResponse, ttl: Duration) {
        if response.body.len() > self.max_entry_bytes() {
            self.cache
                .inner
                .stats
                .too_large
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        if ttl.is_zero() {
            return;
        }
        let Some(key) = self.key.take() else { return };
        let entry = Arc::new(response);
        let flight = self.flight.take();
        if let Some((_, sender)) = &flight {
            sender.send_replace(Some(entry.clone()));
        }
        let cache = self.cache.clone();
        // The flight stays listed until the store holds the entry, so a
        // request arriving meanwhile joins it instead of fetching again.
        let write = async move {
            if let Err(error) = cache.inner.store.put(key.clone(), entry, ttl).await {
                cache
                    .inner
                    .stats
                    .store_errors
                    .fetch_add(1, Ordering::Relaxed);
                tracing::debug!(%error, "cache write failed: the entry is not kept");
            }
            if let Some((id, _)) = flight {
                cache.finish_flight(&key, id);
            }
        };
        run_or_spawn(write);
    }
}

impl<S: Store> Drop for Fill<S> {
    fn drop(&mut self) {
        if let (Some(key), Some((id, _sender))) = (&self.key, &self.flight) {
            // The sender drops with the fill: waiting requests see the fetch end without a result.
            self.cache.finish_flight(key, *id);
        }
    }
}

/// Polls `future` once; if it is not done (a remote store's write), it
/// finishes on a spawned task.
fn run_or_spawn<F>(future: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut boxed = Box::pin(future);
    let mut context = Context::from_waker(Waker::noop());
    if pin!(&mut boxed).poll(&mut context).is_pending() {
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(boxed);
            }
            Err(_) => tracing::warn!("cache write needs a Tokio runtime: the entry is not kept"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use bytes::Bytes;
    use http::StatusCode;

    use super::*;
    use crate::MemoryStore;

    fn response(body: &'static str) -> CachedResponse {
        CachedResponse::new(StatusCode::OK, Bytes::from_static(body.as_bytes()))
    }

    fn key(n: u32) -> CacheKey {
        CacheKey::builder("stage").text(&n.to_string()).build()
    }

    const TTL: Duration = Duration::from_secs(60);

    #[tokio::test]
    async fn miss_then_hit() {
        let cache = Cache::new(MemoryStore::new(1 << 20));
        let Lookup::Miss(fill) = cache.lookup(key(1)).await else {
            panic!("cold key hit")
        };
        fill.complete(response("one"), TTL);
        let Lookup::Hit(entry) = cache.lookup(key(1)).await else {
            panic!("warm key missed")
        };
        assert_eq!(entry.body, "one");
        assert!(matches!(cache.lookup(key(2)).await, Lookup::Miss(_)));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses), (1, 2));
    }

    #[tokio::test]
    async fn dropped_or_oversized_fills_keep_nothing() {
        let settings = CacheSettings {
            max_entry_bytes: 3,
            ..CacheSettings::default()
        };
        let cache = Cache::with_settings(MemoryStore::new(1 << 20), settings);
        let Lookup::Miss(fill) = cache.lookup(key(1)).await else {
            panic!()
        };
        drop(fill);
        let Lookup::Miss(fill) = cache.lookup(key(1)).await else {
            panic!()
        };
        fill.complete(response("four"), TTL);
        let Lookup::Miss(fill) = cache.lookup(key(1)).await else {
            panic!()
        };
        fill.complete(response("abc"), Duration::ZERO);
        assert!(matches!(cache.lookup(key(1)).await, Lookup::Miss(_)));
        assert_eq!(cache.stats().too_large, 1);
        assert!(cache.inner.flights.is_empty());
    }

    #[tokio::test]
    async fn concurrent_misses_make_one_fetch() {
        let cache = Cache::new(MemoryStore::new(1 << 20));
        let fetches = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let cache = cache.clone();
                let fetches = fetches.clone();
                tokio::spawn(async move {
                    match cache.lookup(key(7)).await {
                        Lookup::Hit(entry) => entry.body.clone(),
                        Lookup::Miss(fill) => {
                            fetches.fetch_add(1, Ordering::SeqCst);
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            fill.complete(response("fetched"), TTL);
                            Bytes::from_static(b"fetched")
                        }
                    }
                })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap(), "fetched");
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses), (99, 1));
        assert!(stats.coalesced >= 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_releases_the_waiters() {
        let cache = Cache::new(MemoryStore::new(1 << 20));
        let Lookup::Miss(leader) = cache.lookup(key(3)).await else {
            panic!()
        };
        let follower = tokio::spawn({
            let cache = cache.clone();
            async move { matches!(cache.lookup(key(3)).await, Lookup::Miss(_)) }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(leader);
        assert!(follower.await.unwrap(), "the waiter fetches for itself");
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_is_bounded() {
        let settings = CacheSettings {
            coalesce_wait: Duration::from_millis(100),
            ..CacheSettings::default()
        };
        let cache = Cache::with_settings(MemoryStore::new(1 << 20), settings);
        let Lookup::Miss(_leader) = cache.lookup(key(4)).await else {
            panic!()
        };
        let started = tokio::time::Instant::now();
        assert!(matches!(cache.lookup(key(4)).await, Lookup::Miss(_)));
        assert_eq!(started.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test]
    async fn refresh_replaces_the_entry() {
        let cache = Cache::new(MemoryStore::new(1 << 20));
        let Lookup::Miss(fill) = cache.lookup(key(5)).await else {
            panic!()
        };
        fill.complete(response("old"), TTL);
        cache.refresh(key(5)).complete(response("new"), TTL);
        let Lookup::Hit(entry) = cache.lookup(key(5)).await else {
            panic!()
        };
        assert_eq!(entry.body, "new");
    }
}
