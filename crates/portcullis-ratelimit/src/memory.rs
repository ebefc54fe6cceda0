//! [`MemoryStore`]: throttle and quota state in this process's memory.

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use dashmap::DashMap;
use dashmap::mapref::entry::Entry;

use crate::check::{Check, Headroom, Outcome, Rule};
use crate::rule::{Period, Quota, Throttle};
use crate::store::{Pending, Store, StoreError};

/// How many keys a store made by [`MemoryStore::new`] holds at most.
pub const DEFAULT_CAPACITY: usize = 4_000_000;

/// How long a store made by [`MemoryStore::new`] keeps a counter after its period ends.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(90 * 86_400);

/// Below this many keys the store does not sweep on its own.
const FIRST_SWEEP_AT: usize = 1 << 16;

/// A store at its capacity sweeps on its own at most this often (nanoseconds
/// of the checks' clock), so that a flood of new keys cannot make every
/// request walk the whole map.
const FULL_SWEEP_INTERVAL: u64 = 1_000_000_000;

/// Throttle and quota state held in this process: limits per node.
///
/// Keys are not stored: each is hashed to 64 bits with a hasher
/// ([`foldhash::quality`]) seeded at random for each store, and the hash is
/// the map's key. Each throttle key costs one `u64` hash and one `AtomicU64`
/// TAT: a 17-byte bucket with the hash table's control byte, 19 to 39 bytes
/// a key with its load factor and power-of-two growth (36 measured at a
/// million keys: `tests/footprint.rs`); each counter 8 bytes more. Two
/// distinct keys share state only if their hashes collide:
/// among `n` keys the chance that any two do is about `n² / 2⁶⁵`, about
/// 1 in 37 million for a million keys and 1 in 2.3 million at the default
/// capacity of four million. Colliding keys share one bucket or counter
/// (they are limited together). The seed is random for each store and never
/// revealed, so an outsider cannot tell which keys collide.
///
/// A check takes a shard's read lock, finds its key and updates it with a
/// compare-and-swap loop ([`Throttle::step`] for throttles, a count below
/// the [allowance](Quota::allowance) for quotas): no two requests take the
/// same token and no request waits for a mutex. Only a key seen for the
/// first time takes a shard's write lock.
///
/// The store is bounded. Idle throttle keys (TAT at or before now: a full
/// bucket, exactly what an unknown key gets) and counters of periods that
/// ended more than the [retention](Self::with_retention) ago are swept away
/// by a new key when the store holds twice as many keys as the last sweep
/// left (and at least 65,536), when it is full (then at most once a second),
/// and whenever [`sweep`](Self::sweep) is called. When the store
/// is still full after sweeping, a check on a new key fails with
/// [`StoreError::Full`] (the [`Limiter`](crate::Limiter)'s failure policy
/// then answers). Swept memory is kept for new keys, not returned.
pub struct MemoryStore {
    throttles: DashMap<u64, AtomicU64, PreHashed>,
    counters: DashMap<u64, Counter, PreHashed>,
    hasher: foldhash::quality::RandomState,
    capacity: usize,
    retention: u64,
    /// Keys in both maps, kept exact by reserving before inserting.
    len: AtomicUsize,
    /// The number of keys at which a new key sweeps first.
    sweep_at: AtomicUsize,
    /// When the last sweep ran (the checks' clock).
    last_sweep: AtomicU64,
    sweeping: AtomicBool,
}

/// A quota's count for one period.
#[derive(Debug)]
struct Counter {
    count: AtomicU64,
    /// When the counter may be swept: its period's end plus the retention.
    expires: u64,
}

impl MemoryStore {
    /// A store of at most [`DEFAULT_CAPACITY`] keys, keeping counters for
    /// [`DEFAULT_RETENTION`] after their period ends.
    pub fn new() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY)
    }

    /// A store of at most `capacity` keys (throttles and counters together).
    ///
    /// Memory is taken as keys arrive, not up front.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            throttles: DashMap::with_hasher(PreHashed),
            counters: DashMap::with_hasher(PreHashed),
            hasher: foldhash::quality::RandomState::default(),
            capacity,
            retention: duration_nanos(DEFAULT_RETENTION),
            len: AtomicUsize::new(0),
            sweep_at: AtomicUsize::new(FIRST_SWEEP_AT.min(capacity)),
            last_sweep: AtomicU64::new(0),
            sweeping: AtomicBool::new(false),
        }
    }

    /// Keeps each counter for `retention` after its period ends (so that
    /// [`counted`](Store::counted) still answers for recent periods, as
    /// AWS's GetUsage does), instead of [`DEFAULT_RETENTION`].
    pub fn with_retention(mut self, retention: Duration) -> Self {
        self.retention = duration_nanos(retention);
        self
    }

    /// The most keys the store holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long counters are kept after their period ends.
    pub fn retention(&self) -> Duration {
        Duration::from_nanos(self.retention)
    }

    /// Keys held: throttles and counters.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes idle throttle keys (TAT at or before `now`, nanoseconds since
    /// the Unix epoch) and counters whose period ended more than the
    /// retention before `now`. Checks after a sweep answer exactly as they
    /// would have without it.
    pub fn sweep(&self, now: u64) {
        let mut removed = 0usize;
        self.throttles.retain(|_, tat| {
            let keep = *tat.get_mut() > now;
            removed += usize::from(!keep);
            keep
        });
        self.counters.retain(|_, counter| {
            let keep = counter.expires > now;
            removed += usize::from(!keep);
            keep
        });
        let len = self.len.fetch_sub(removed, Ordering::AcqRel) - removed;
        self.sweep_at.store(
            len.saturating_mul(2).max(FIRST_SWEEP_AT).min(self.capacity),
            Ordering::Release,
        );
        self.last_sweep.fetch_max(now, Ordering::AcqRel);
    }

    /// Runs `checks` at `now` at once: [`Store::check`] without the future.
    pub fn check_now(&self, checks: &[Check<'_>], now: u64) -> Result<Outcome, StoreError> {
        let mut headroom: Option<Headroom> = None;
        for (index, check) in checks.iter().enumerate() {
            let answer = match check.rule {
                Rule::Throttle(throttle) => self.throttle(check.key, &throttle, now)?,
                Rule::Quota(quota) => self.quota(check.key, &quota, now)?,
            };
            let (room, refusal) = match answer {
                Ok(room) => (room, None),
                Err((room, retry_after)) => (room, Some(retry_after)),
            };
            if let Some(room) = room {
                headroom = Some(match headroom {
                    Some(least) if !is_tighter(&room, &least) => least,
                    _ => room,
                });
            }
            if let Some(retry_after) = refusal {
                return Ok(Outcome {
                    refused: Some(index),
                    retry_after,
                    headroom,
                });
            }
        }
        Ok(Outcome::admitted(headroom))
    }

    /// The current count of the quota (or counter) on `key` in period
    /// `index`: [`Store::counted`] without the future.
    pub fn counted_now(&self, key: &str, period: Period, index: u64) -> u64 {
        self.counters
            .get(&self.counter_hash(key, period, index))
            .map_or(0, |counter| counter.count.load(Ordering::Acquire))
    }

    /// Sets that count: [`Store::set_counted`] without the future.
    pub fn set_counted_now(
        &self,
        key: &str,
        period: Period,
        index: u64,
        count: u64,
    ) -> Result<(), StoreError> {
        let hash = self.counter_hash(key, period, index);
        if let Some(counter) = self.counters.get(&hash) {
            counter.count.store(count, Ordering::Release);
            return Ok(());
        }
        // No clock here: an administrative write never sweeps.
        self.reserve(None)?;
        match self.counters.entry(hash) {
            Entry::Occupied(entry) => {
                self.release();
                entry.get().count.store(count, Ordering::Release);
            }
            Entry::Vacant(entry) => {
                entry.insert(Counter {
                    count: AtomicU64::new(count),
                    expires: self.expiry(period, index),
                });
            }
        }
        Ok(())
    }

    /// One throttle check: its headroom, and on refusal how long to wait.
    fn throttle(&self, key: &str, throttle: &Throttle, now: u64) -> Result<Answer, StoreError> {
        let refused = |tat: u64, wait: Duration| {
            let room = Headroom {
                limit: throttle.burst(),
                remaining: 0,
                reset: if throttle.refuses_all() {
                    wait
                } else {
                    Duration::from_nanos(tat.saturating_sub(now))
                },
            };
            Ok(Err((Some(room), wait)))
        };
        let admitted = |tat: u64| {
            Ok(Ok(Some(Headroom {
                limit: throttle.burst(),
                remaining: throttle.remaining(tat, now),
                reset: Duration::from_nanos(tat.saturating_sub(now)),
            })))
        };
        if throttle.refuses_all() {
            // Nothing to remember: every request is refused.
            return match throttle.step(0, now) {
                Ok(tat) => admitted(tat),
                Err(wait) => refused(0, wait),
            };
        }
        let hash = self.hasher.hash_one(key);
        if let Some(tat) = self.throttles.get(&hash) {
            return match step(&tat, throttle, now) {
                Ok(new_tat) => admitted(new_tat),
                Err((tat, wait)) => refused(tat, wait),
            };
        }
        // A new key: a full bucket. The step is taken under the shard's
        // write lock, so a key inserted meanwhile by another thread is
        // stepped, not overwritten.
        self.reserve(Some(now))?;
        match self.throttles.entry(hash) {
            Entry::Occupied(entry) => {
                self.release();
                match step(entry.get(), throttle, now) {
                    Ok(new_tat) => admitted(new_tat),
                    Err((tat, wait)) => refused(tat, wait),
                }
            }
            Entry::Vacant(entry) => match throttle.step(0, now) {
                Ok(new_tat) => {
                    entry.insert(AtomicU64::new(new_tat));
                    admitted(new_tat)
                }
                Err(wait) => {
                    self.release();
                    refused(0, wait)
                }
            },
        }
    }

    /// One quota check: its headroom (none for an unlimited counter), and on
    /// refusal how long to wait.
    ///
    /// Not inlined: inlined, its calendar arithmetic (which depends on `now`
    /// only) is hoisted out of [`check_now`](Self::check_now)'s loop and
    /// computed for throttle-only checks too, a third of their cost.
    #[inline(never)]
    fn quota(&self, key: &str, quota: &Quota, now: u64) -> Result<Answer, StoreError> {
        let period = quota.period();
        let index = period.index(now);
        let allowance = quota.allowance(index);
        let reset = period.until_next(now);
        let room = |count: u64| {
            (quota.limit() != u64::MAX).then(|| Headroom {
                limit: allowance,
                remaining: allowance.saturating_sub(count),
                reset,
            })
        };
        if allowance == 0 {
            return Ok(Err((room(0), reset)));
        }
        let hash = self.counter_hash(key, period, index);
        if let Some(counter) = self.counters.get(&hash) {
            return Ok(match count(&counter.count, allowance) {
                Ok(count) => Ok(room(count)),
                Err(_) => Err((room(allowance), reset)),
            });
        }
        self.reserve(Some(now))?;
        let counter = match self.counters.entry(hash) {
            Entry::Occupied(entry) => {
                self.release();
                entry.into_ref().downgrade()
            }
            Entry::Vacant(entry) => entry
                .insert(Counter {
                    count: AtomicU64::new(0),
                    expires: self.expiry(period, index),
                })
                .downgrade(),
        };
        Ok(match count(&counter.count, allowance) {
            Ok(count) => Ok(room(count)),
            Err(_) => Err((room(allowance), reset)),
        })
    }

    /// Takes a place for a new key, sweeping first when the map has grown
    /// past its threshold; fails when the store is full.
    fn reserve(&self, now: Option<u64>) -> Result<(), StoreError> {
        let len = self.len.load(Ordering::Acquire);
        if let Some(now) = now
            && len >= self.sweep_at.load(Ordering::Acquire)
            && (len < self.capacity
                || now
                    >= self
                        .last_sweep
                        .load(Ordering::Acquire)
                        .saturating_add(FULL_SWEEP_INTERVAL))
            && !self.sweeping.swap(true, Ordering::AcqRel)
        {
            self.sweep(now);
            self.sweeping.store(false, Ordering::Release);
        }
        self.len
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |len| {
                (len < self.capacity).then_some(len + 1)
            })
            .map(drop)
            .map_err(|_| StoreError::Full(self.capacity))
    }

    /// Gives back a place taken for a key another thread inserted first.
    fn release(&self) {
        self.len.fetch_sub(1, Ordering::AcqRel);
    }

    fn counter_hash(&self, key: &str, period: Period, index: u64) -> u64 {
        let period: u8 = match period {
            Period::Day => 1,
            Period::Week => 2,
            Period::Month => 3,
        };
        self.hasher.hash_one((key, period, index))
    }

    fn expiry(&self, period: Period, index: u64) -> u64 {
        period
            .start(index.saturating_add(1))
            .saturating_add(self.retention)
    }
}

/// A check's headroom (if it has one) and, refused, how long to wait.
type Answer = Result<Option<Headroom>, (Option<Headroom>, Duration)>;

/// One GCRA step on a stored TAT: the new TAT, or the TAT that refused and the wait.
fn step(tat: &AtomicU64, throttle: &Throttle, now: u64) -> Result<u64, (u64, Duration)> {
    let mut current = tat.load(Ordering::Acquire);
    loop {
        let next = throttle
            .step(current, now)
            .map_err(|wait| (current, wait))?;
        match tat.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return Ok(next),
            Err(actual) => current = actual,
        }
    }
}

/// Counts one request if fewer than `allowance` are counted: the new count,
/// or the count that refused.
fn count(count: &AtomicU64, allowance: u64) -> Result<u64, u64> {
    count
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |count| {
            (count < allowance).then(|| count + 1)
        })
        .map(|count| count + 1)
}

/// Whether `room` is nearer its limit than `least`: fewer remaining, or as
/// few and longer until reset.
fn is_tighter(room: &Headroom, least: &Headroom) -> bool {
    (room.remaining, std::cmp::Reverse(room.reset))
        < (least.remaining, std::cmp::Reverse(least.reset))
}

fn duration_nanos(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("len", &self.len())
            .field("capacity", &self.capacity)
            .field("retention", &self.retention())
            .finish_non_exhaustive()
    }
}

impl Store for MemoryStore {
    fn check<'a>(&'a self, checks: &'a [Check<'a>], now: u64) -> Pending<'a, Outcome> {
        Pending::ready(self.check_now(checks, now))
    }

    fn counted<'a>(&'a self, key: &'a str, period: Period, index: u64) -> Pending<'a, u64> {
        Pending::ready(Ok(self.counted_now(key, period, index)))
    }

    fn set_counted<'a>(
        &'a self,
        key: &'a str,
        period: Period,
        index: u64,
        count: u64,
    ) -> Pending<'a, ()> {
        Pending::ready(self.set_counted_now(key, period, index, count))
    }
}

/// The maps' hasher: their keys are already hashes, taken as they are.
#[derive(Debug, Clone, Copy, Default)]
struct PreHashed;

impl BuildHasher for PreHashed {
    type Hasher = PassThrough;

    fn build_hasher(&self) -> PassThrough {
        PassThrough(0)
    }
}

#[derive(Debug)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed, through `write_u64`; this is never used.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::{Clock, ManualClock};

    const SECOND: u64 = 1_000_000_000;
    const DAY: u64 = 86_400 * SECOND;
    /// 2026-12-06 13:00 UTC.
    const NOW: u64 = 20_793 * DAY + 13 * 3_600 * SECOND;

    fn check(store: &MemoryStore, checks: &[Check<'_>], now: u64) -> Outcome {
        store
            .check(checks, now)
            .now_or_never()
            .expect("a memory store answers at once")
            .expect("the store answers")
    }

    fn admitted(store: &MemoryStore, check_: Check<'_>, now: u64) -> bool {
        check(store, &[check_], now).is_admitted()
    }

    #[test]
    fn a_burst_then_the_rate() {
        let store = MemoryStore::new();
        let clock = ManualClock::new(NOW);
        let throttle = Throttle::new(10.0, 5).unwrap();
        let key = Check::throttle("k", throttle);
        for remaining in (0..5).rev() {
            let outcome = check(&store, &[key], clock.now_nanos());
            assert!(outcome.is_admitted());
            let headroom = outcome.headroom.unwrap();
            assert_eq!((headroom.limit, headroom.remaining), (5, remaining));
        }
        let refused = check(&store, &[key], clock.now_nanos());
        assert_eq!(refused.refused, Some(0));
        assert_eq!(refused.retry_after, Duration::from_millis(100));
        let headroom = refused.headroom.unwrap();
        assert_eq!(headroom.remaining, 0);
        // Full again when the five tokens are back: 500 ms.
        assert_eq!(headroom.reset, Duration::from_millis(500));
        clock.advance(Duration::from_millis(99));
        assert!(!admitted(&store, key, clock.now_nanos()));
        clock.advance(Duration::from_millis(1));
        assert!(admitted(&store, key, clock.now_nanos()));
        assert!(!admitted(&store, key, clock.now_nanos()));
        // Steady: one every 100 ms.
        for _ in 0..20 {
            clock.advance(Duration::from_millis(100));
            assert!(admitted(&store, key, clock.now_nanos()));
            assert!(!admitted(&store, key, clock.now_nanos()));
        }
        // Idle a second: the whole burst again.
        clock.advance(Duration::from_secs(1));
        let admitted_count = (0..10)
            .filter(|_| admitted(&store, key, clock.now_nanos()))
            .count();
        assert_eq!(admitted_count, 5);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn fractional_rates() {
        let store = MemoryStore::new();
        let throttle = Throttle::new(0.25, 2).unwrap();
        let key = Check::throttle("slow", throttle);
        assert!(admitted(&store, key, NOW));
        assert!(admitted(&store, key, NOW));
        let refused = check(&store, &[key], NOW);
        assert_eq!(refused.retry_after, Duration::from_secs(4));
        assert!(!admitted(&store, key, NOW + 4 * SECOND - 1));
        assert!(admitted(&store, key, NOW + 4 * SECOND));
        assert!(!admitted(&store, key, NOW + 5 * SECOND));
        assert!(admitted(&store, key, NOW + 8 * SECOND));
    }

    #[test]
    fn blocked_methods_refuse_and_store_nothing() {
        let store = MemoryStore::new();
        for throttle in [
            Throttle::new(0.0, 10).unwrap(),
            Throttle::new(10.0, 0).unwrap(),
        ] {
            let outcome = check(&store, &[Check::throttle("k", throttle)], NOW);
            assert_eq!(outcome.refused, Some(0));
            assert_eq!(outcome.headroom.unwrap().remaining, 0);
        }
        assert!(store.is_empty());
    }

    #[test]
    fn a_refusal_stops_the_later_checks() {
        let store = MemoryStore::new();
        let tight = Throttle::new(1.0, 1).unwrap();
        let loose = Throttle::new(100.0, 100).unwrap();
        let quota = Quota::new(10, Period::Day);
        let checks = [
            Check::throttle("loose", loose),
            Check::throttle("tight", tight),
            Check::quota("plan", quota),
        ];
        let first = check(&store, &checks, NOW);
        assert!(first.is_admitted());
        // The tightest headroom: the one-token bucket, now empty.
        assert_eq!(
            first.headroom,
            Some(Headroom {
                limit: 1,
                remaining: 0,
                reset: Duration::from_secs(1)
            })
        );
        let second = check(&store, &checks, NOW);
        assert_eq!(second.refused, Some(1));
        assert_eq!(second.retry_after, Duration::from_secs(1));
        // The first check counted, the quota was not consulted.
        assert_eq!(
            check(&store, &[checks[0]], NOW).headroom.unwrap().remaining,
            97
        );
        assert_eq!(store.counted_now("plan", Period::Day, NOW / DAY), 1);
    }

    #[test]
    fn quotas_run_out_and_reset_at_the_utc_day() {
        let store = MemoryStore::new();
        let quota = Quota::new(3, Period::Day);
        let key = Check::quota("plan-a", quota);
        for remaining in [2, 1, 0] {
            let outcome = check(&store, &[key], NOW);
            assert!(outcome.is_admitted());
            assert_eq!(
                outcome.headroom,
                Some(Headroom {
                    limit: 3,
                    remaining,
                    reset: Duration::from_secs(11 * 3_600)
                })
            );
        }
        let refused = check(&store, &[key], NOW + SECOND);
        assert_eq!(refused.refused, Some(0));
        assert_eq!(
            refused.retry_after,
            Duration::from_secs(11 * 3_600 - 1),
            "until midnight UTC"
        );
        let midnight = (NOW / DAY + 1) * DAY;
        assert!(!admitted(&store, key, midnight - 1));
        assert!(admitted(&store, key, midnight));
        assert_eq!(store.counted_now("plan-a", Period::Day, NOW / DAY), 3);
        assert_eq!(store.counted_now("plan-a", Period::Day, NOW / DAY + 1), 1);
        // Another key, another counter.
        assert!(admitted(&store, Check::quota("plan-b", quota), NOW));
    }

    #[test]
    fn the_offset_takes_requests_off_the_first_period() {
        let store = MemoryStore::new();
        let quota = Quota::new(3, Period::Day).with_offset(2, NOW);
        let key = Check::quota("k", quota);
        assert!(admitted(&store, key, NOW));
        let refused = check(&store, &[key], NOW);
        assert_eq!(refused.refused, Some(0));
        assert_eq!(refused.headroom.unwrap().limit, 1);
        let tomorrow = NOW + DAY;
        assert_eq!(
            (0..5).filter(|_| admitted(&store, key, tomorrow)).count(),
            3
        );
        // An offset above the limit blocks the first period entirely, storing nothing.
        let store = MemoryStore::new();
        let blocked = Check::quota("k", Quota::new(3, Period::Week).with_offset(5, NOW));
        assert!(!admitted(&store, blocked, NOW));
        assert!(store.is_empty());
    }

    #[test]
    fn unlimited_counters_count_without_headroom() {
        let store = MemoryStore::new();
        let counter = Check::quota("usage", Quota::unlimited(Period::Day));
        let throttle = Check::throttle("t", Throttle::new(1.0, 10).unwrap());
        for _ in 0..5 {
            let outcome = check(&store, &[throttle, counter], NOW);
            assert!(outcome.is_admitted());
            assert_eq!(outcome.headroom.unwrap().limit, 10);
        }
        assert_eq!(
            check(&store, &[counter], NOW),
            Outcome::admitted(None),
            "an unlimited counter has no headroom"
        );
        assert_eq!(store.counted_now("usage", Period::Day, NOW / DAY), 6);
    }

    #[test]
    fn counts_can_be_read_and_set() {
        let store = MemoryStore::new();
        let quota = Quota::new(10, Period::Month);
        let index = Period::Month.index(NOW);
        let key = Check::quota("k", quota);
        let counted = |store: &MemoryStore| {
            store
                .counted("k", Period::Month, index)
                .now_or_never()
                .unwrap()
                .unwrap()
        };
        assert_eq!(counted(&store), 0);
        assert!(admitted(&store, key, NOW));
        assert_eq!(counted(&store), 1);
        store
            .set_counted("k", Period::Month, index, 9)
            .now_or_never()
            .unwrap()
            .unwrap();
        assert_eq!(counted(&store), 9);
        assert!(admitted(&store, key, NOW));
        assert!(!admitted(&store, key, NOW));
        // Setting a counter never checked creates it.
        store
            .set_counted_now("fresh", Period::Month, index, 10)
            .unwrap();
        assert!(!admitted(&store, Check::quota("fresh", quota), NOW));
        // Periods and kinds are counted apart.
        assert_eq!(store.counted_now("k", Period::Day, NOW / DAY), 0);
        assert_eq!(store.counted_now("k", Period::Month, index + 1), 0);
    }

    #[test]
    fn sweeping_idle_keys_changes_no_answer() {
        let throttle = Throttle::new(2.0, 4).unwrap();
        let quota = Quota::new(5, Period::Day);
        let swept = MemoryStore::new();
        let kept = MemoryStore::new();
        let mut now = NOW;
        for step in 0..400u64 {
            // A mix of busy and idle keys, at irregular times.
            now += (step * 7_919 % 13) * SECOND / 10;
            let key = format!("k{}", step % 7);
            let checks = [Check::throttle(&key, throttle), Check::quota(&key, quota)];
            assert_eq!(check(&swept, &checks, now), check(&kept, &checks, now));
            if step % 5 == 0 {
                swept.sweep(now);
            }
        }
        // Idle throttles go at once; counters only after their period and the retention.
        let later = now + 10 * SECOND;
        swept.sweep(later);
        assert_eq!(swept.len(), kept.len() - 7);
        let expiry = (later / DAY + 1) * DAY + duration_nanos(DEFAULT_RETENTION);
        swept.sweep(expiry - 1);
        assert!(!swept.is_empty());
        swept.sweep(expiry);
        assert_eq!(swept.len(), 0);
        let short = MemoryStore::new().with_retention(Duration::ZERO);
        assert!(admitted(&short, Check::quota("q", quota), NOW));
        short.sweep((NOW / DAY + 1) * DAY);
        assert!(short.is_empty());
    }

    #[test]
    fn a_full_store_sweeps_then_refuses_new_keys() {
        let store = MemoryStore::with_capacity(2);
        let throttle = Throttle::new(1.0, 2).unwrap();
        assert!(admitted(&store, Check::throttle("a", throttle), NOW));
        assert!(admitted(&store, Check::throttle("b", throttle), NOW));
        let new_key = [Check::throttle("c", throttle)];
        assert!(matches!(
            store.check(&new_key, NOW).now_or_never().unwrap(),
            Err(StoreError::Full(2))
        ));
        // Known keys still answer.
        assert!(admitted(&store, Check::throttle("a", throttle), NOW));
        assert!(!admitted(&store, Check::throttle("a", throttle), NOW));
        assert!(matches!(
            store.check_now(&[Check::quota("q", Quota::new(1, Period::Day))], NOW),
            Err(StoreError::Full(2))
        ));
        assert!(matches!(
            store.set_counted_now("q", Period::Day, 0, 1),
            Err(StoreError::Full(2))
        ));
        // Once "b" is idle, a sweep makes room ("a" is still busy).
        let later = NOW + 3 * SECOND / 2;
        assert!(admitted(&store, Check::throttle("c", throttle), later));
        assert_eq!(store.len(), 2);
        assert!(
            store
                .check_now(&[Check::throttle("d", throttle)], later)
                .is_err()
        );
        let none = MemoryStore::with_capacity(0);
        assert!(
            none.check_now(&[Check::throttle("a", throttle)], NOW)
                .is_err()
        );
    }

    #[test]
    fn the_store_sweeps_itself_as_it_grows() {
        let store = MemoryStore::new();
        let throttle = Throttle::new(1_000.0, 1).unwrap();
        let mut key = String::new();
        for i in 0..3 * FIRST_SWEEP_AT as u64 {
            use std::fmt::Write;
            key.clear();
            write!(key, "client-{i}").unwrap();
            // Each key is idle a millisecond later.
            assert!(admitted(
                &store,
                Check::throttle(&key, throttle),
                NOW + i * 1_000_000
            ));
        }
        assert!(store.len() < FIRST_SWEEP_AT + 2, "{}", store.len());
    }

    #[test]
    fn concurrent_checks_admit_exactly_the_burst() {
        let store = Arc::new(MemoryStore::new());
        let throttle = Throttle::new(1.0, 1_000).unwrap();
        let quota = Quota::new(700, Period::Day);
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let mut admitted = 0;
                    for _ in 0..2_000 {
                        if store
                            .check_now(&[Check::throttle("hot", throttle)], NOW)
                            .unwrap()
                            .is_admitted()
                        {
                            admitted += 1;
                        }
                    }
                    let quota_admitted = (0..500)
                        .filter(|_| {
                            store
                                .check_now(&[Check::quota("hot", quota)], NOW)
                                .unwrap()
                                .is_admitted()
                        })
                        .count();
                    (admitted, quota_admitted)
                })
            })
            .collect();
        let (throttled, counted) = threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
        assert_eq!(throttled, 1_000);
        assert_eq!(counted, 700);
        assert_eq!(store.counted_now("hot", Period::Day, NOW / DAY), 700);
    }
}
