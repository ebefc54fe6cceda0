//! The cost of one throttle check in memory: [`MemoryStore`] against the
//! `governor` crate (GCRA on a `DashMap` of atomics too), on one hot key
//! and on 10,000 keys taken in turn, from one thread and from two.
//!
//! ```text
//! cargo bench -p portcullis-ratelimit --bench memory -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Both sides read a clock on every check: ours reads [`SystemClock`] (the
//! wall clock, which quotas and Redis need), governor its default quanta
//! clock (the TSC, calibrated). For a like-for-like comparison each side
//! also runs with the other's clock: governor on its `std SystemClock`
//! (`SystemTime::now`, as ours), and ours with `now` from quanta (the wall
//! time at start plus quanta's elapsed time). `fixed now` rows take a
//! precomputed time instead, to show what the clock read costs. Limits are high enough (one request a nanosecond,
//! a burst of 2³²-1) that nothing is refused: the admitted path is measured.
//! Keyed limiters are filled before measuring, so no key is new.
//!
//! With two threads each runs half the checks at once; the time reported
//! per check is the wall time over all checks (lower is better; half the
//! one-thread figure would be perfect scaling).

use std::hint::black_box;
use std::num::NonZeroU32;
use std::sync::{Arc, Barrier};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use governor::{Quota as GovernorQuota, RateLimiter};
use portcullis_ratelimit::{Check, Clock, Limiter, MemoryStore, SystemClock, Throttle};

/// One request a nanosecond, a burst of 2³²-1 (governor's largest).
fn throttle() -> Throttle {
    Throttle::new(1e9, u64::from(u32::MAX)).unwrap()
}

fn governor_quota() -> GovernorQuota {
    GovernorQuota::with_period(Duration::from_nanos(1))
        .unwrap()
        .allow_burst(NonZeroU32::MAX)
}

/// Our check of `key` at `now`.
fn ours(store: &MemoryStore, throttle: Throttle, key: &str, now: u64) {
    let outcome = store
        .check_now(&[Check::throttle(key, throttle)], now)
        .unwrap();
    assert!(outcome.is_admitted());
}

/// Quanta's clock turned into wall-clock nanoseconds, as governor reads it.
struct QuantaStart {
    clock: quanta::Clock,
    raw: u64,
    wall: u64,
}

impl QuantaStart {
    fn new() -> Self {
        let clock = quanta::Clock::new();
        Self {
            raw: clock.raw(),
            wall: SystemClock.now_nanos(),
            clock,
        }
    }
}

/// `check(i)` on one thread, `i` taking the key indexes `0..keys` in turn.
fn on_one_thread(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    keys: usize,
    check: impl Fn(usize),
) {
    group.bench_function(name, |b| {
        let mut next = 0;
        b.iter(|| {
            check(next);
            next += 1;
            if next == keys {
                next = 0;
            }
        })
    });
}

/// `check(i)` on two threads at once, each taking half of the iterations
/// and starting half-way through the keys from the other: wall time per check.
fn on_two_threads(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    keys: usize,
    check: impl Fn(usize) + Sync,
) {
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let barrier = Barrier::new(3);
            std::thread::scope(|scope| {
                for thread in 0..2 {
                    let (barrier, check) = (&barrier, &check);
                    scope.spawn(move || {
                        let mut next = thread * keys / 2;
                        barrier.wait();
                        for _ in 0..iters / 2 + (iters % 2) * thread as u64 {
                            check(next);
                            next += 1;
                            if next == keys {
                                next = 0;
                            }
                        }
                    });
                }
                barrier.wait();
                // The scope joins both threads before returning.
                Instant::now()
            })
            .elapsed()
        })
    });
}

/// The same rows for `keys` keys on one thread and on two.
fn compare(c: &mut Criterion, title: &str, keys: usize) {
    let names: Vec<String> = (0..keys).map(|i| format!("client-{i}")).collect();
    let store = MemoryStore::new();
    // Their own stores: clocks disagree (and the others' keys run ahead of a fixed time).
    let store_fixed = MemoryStore::new();
    let store_quanta = MemoryStore::new();
    let start = QuantaStart::new();
    let throttle = throttle();
    let direct = RateLimiter::direct(governor_quota());
    let direct_std = RateLimiter::direct_with_clock(governor_quota(), governor::clock::SystemClock);
    let keyed = RateLimiter::<String, _, _, _>::dashmap(governor_quota());
    let keyed_std = RateLimiter::<String, _, _, _>::dashmap_with_clock(
        governor_quota(),
        governor::clock::SystemClock,
    );
    // Fill the maps: no key is new while measuring.
    let fixed_now = SystemClock.now_nanos();
    for name in &names {
        ours(&store_fixed, throttle, name, fixed_now);
        ours(&store_quanta, throttle, name, start.wall);
        ours(&store, throttle, name, SystemClock.now_nanos());
        assert!(keyed.check_key(name).is_ok());
        assert!(keyed_std.check_key(name).is_ok());
    }

    for threads in [1, 2] {
        let mut group = c.benchmark_group(format!("{title}, {threads} thread(s)"));
        let mut row = |name: &str, check: &(dyn Fn(usize) + Sync)| {
            if threads == 1 {
                on_one_thread(&mut group, name, keys, check);
            } else {
                on_two_threads(&mut group, name, keys, check);
            }
        };
        row("ours: MemoryStore::check, SystemClock", &|i| {
            ours(
                &store,
                throttle,
                black_box(&names[i]),
                SystemClock.now_nanos(),
            )
        });
        row("ours: MemoryStore::check, quanta clock", &|i| {
            let now = start.wall + start.clock.delta_as_nanos(start.raw, start.clock.raw());
            ours(&store_quanta, throttle, black_box(&names[i]), now)
        });
        row("ours: MemoryStore::check, fixed now", &|i| {
            ours(&store_fixed, throttle, black_box(&names[i]), fixed_now)
        });
        if keys == 1 {
            row("governor: direct, quanta clock", &|_| {
                assert!(direct.check().is_ok())
            });
            row("governor: direct, std SystemClock", &|_| {
                assert!(direct_std.check().is_ok())
            });
        }
        row("governor: keyed (DashMap), quanta clock", &|i| {
            assert!(keyed.check_key(black_box(&names[i])).is_ok())
        });
        row("governor: keyed (DashMap), std SystemClock", &|i| {
            assert!(keyed_std.check_key(black_box(&names[i])).is_ok())
        });
        group.finish();
    }
}

fn hot_key(c: &mut Criterion) {
    compare(c, "one hot key", 1);
}

fn many_keys(c: &mut Criterion) {
    compare(c, "10,000 keys in turn", 10_000);
}

fn through_the_limiter(c: &mut Criterion) {
    let limiter = Limiter::new(MemoryStore::new()).with_clock(Arc::new(SystemClock));
    let mut cx = Context::from_waker(Waker::noop());
    let throttle = throttle();
    let mut group = c.benchmark_group("Limiter::check, one hot key, 1 thread(s)");
    group.bench_function("ours: Limiter::check over MemoryStore, SystemClock", |b| {
        b.iter(|| {
            let checks = [Check::throttle(black_box("hot-key"), throttle)];
            let future = std::pin::pin!(limiter.check(&checks));
            match future.poll(&mut cx) {
                Poll::Ready(outcome) => assert!(outcome.is_admitted()),
                Poll::Pending => unreachable!("a memory store answers at once"),
            }
        })
    });
    group.finish();
}

criterion_group!(benches, hot_key, many_keys, through_the_limiter);
criterion_main!(benches);
