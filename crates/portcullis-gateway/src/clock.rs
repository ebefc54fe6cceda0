//! Time as the pipeline reads it: one injectable clock.
//!
//! Every phase that reads time (request time, latencies, and later throttles,
//! quotas, cache TTLs and authorizer TTLs) asks the pipeline's [`Clock`], never
//! `Instant::now` or `SystemTime::now` directly, so tests advance a
//! [`ManualClock`] instead of sleeping.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A source of time: monotonic for durations and deadlines, wall-clock for timestamps.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Monotonic time: measure durations and deadlines with it.
    fn now(&self) -> Instant;

    /// Wall-clock time: timestamps such as `$context.requestTimeEpoch`.
    fn system_now(&self) -> SystemTime;

    /// Milliseconds since the Unix epoch, by [`Clock::system_now`] (0 before 1970).
    fn epoch_millis(&self) -> u64 {
        self.epoch_nanos() / 1_000_000
    }

    /// Nanoseconds since the Unix epoch, by [`Clock::system_now`] (0 before 1970):
    /// the time throttles and quotas count in.
    fn epoch_nanos(&self) -> u64 {
        epoch_nanos(self.system_now())
    }
}

/// Nanoseconds from the Unix epoch to `time` (0 before 1970, saturating after 2554).
pub fn epoch_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// The operating system's clocks.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn system_now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told to: for tests of anything time-dependent.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use portcullis_gateway::clock::{Clock, ManualClock};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let start = clock.now();
/// clock.advance(Duration::from_millis(1500));
/// assert_eq!(clock.now() - start, Duration::from_millis(1500));
/// assert_eq!(clock.epoch_millis(), 1_700_000_001_500);
/// ```
#[derive(Debug)]
pub struct ManualClock {
    start: Instant,
    wall_start: SystemTime,
    elapsed_nanos: AtomicU64,
}

impl ManualClock {
    /// A clock whose wall time starts at `wall_start`.
    pub fn new(wall_start: SystemTime) -> Self {
        Self {
            start: Instant::now(),
            wall_start,
            elapsed_nanos: AtomicU64::new(0),
        }
    }

    /// Moves both clocks forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        self.elapsed_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.elapsed_nanos.load(Ordering::Relaxed))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    fn system_now(&self) -> SystemTime {
        self.wall_start + self.elapsed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_advanced() {
        let clock = ManualClock::new(UNIX_EPOCH);
        let (t0, w0) = (clock.now(), clock.system_now());
        assert_eq!(clock.now(), t0);
        clock.advance(Duration::from_secs(2));
        assert_eq!(clock.now() - t0, Duration::from_secs(2));
        assert_eq!(
            clock.system_now().duration_since(w0).unwrap(),
            Duration::from_secs(2)
        );
        assert_eq!(clock.epoch_millis(), 2000);
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.epoch_millis() > 1_577_836_800_000);
    }
}
