//! The Redis store's latency per `check` on loopback (goal: p99 under 1 ms):
//! (a) one throttle; (b) a typical gateway request, five checks in one
//! script call (plan, stage and account throttles, the plan's quota, the
//! daily usage counter).
//!
//! Criterion reports means, so before it runs this prints percentiles of its
//! own: 20,000 sequential checks each, then 32 concurrent tasks on one
//! multiplexed connection (throughput and p99). Needs Redis at `REDIS_URL`
//! (default `redis://127.0.0.1:6379/`; scripts/test.sh starts one) and
//! exits non-zero without it.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use portcullis_ratelimit::{Check, Clock, Period, Quota, RedisStore, Store, SystemClock, Throttle};
use tokio::runtime::Runtime;

const SEQUENTIAL: usize = 20_000;
const TASKS: usize = 32;
const PER_TASK: usize = 2_000;

fn now() -> u64 {
    SystemClock.now_nanos()
}

/// Limits high enough that every check passes: each request runs all its checks.
fn single() -> Vec<Check<'static>> {
    vec![Check::throttle(
        "plan:key-1",
        Throttle::new(1e7, 1_000_000).unwrap(),
    )]
}

fn typical() -> Vec<Check<'static>> {
    vec![
        Check::throttle("plan:key-1", Throttle::new(1e7, 1_000_000).unwrap()),
        Check::throttle("stage:api-1/prod", Throttle::new(1e7, 1_000_000).unwrap()),
        Check::throttle("account:us-east-1", Throttle::new(1e7, 1_000_000).unwrap()),
        Check::quota("plan:key-1", Quota::new(u64::MAX / 2, Period::Month)),
        Check::quota("usage:plan:key-1", Quota::unlimited(Period::Day)),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn report(label: &str, mut latencies: Vec<Duration>, elapsed: Duration) {
    latencies.sort_unstable();
    println!(
        "{label:<34} n={:<6} p50={:>7.1?} p99={:>7.1?} p99.9={:>7.1?} max={:>7.1?} {:>8.0} checks/s",
        latencies.len(),
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 0.999),
        latencies.last().copied().unwrap_or_default(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
    );
}

fn sequential(
    runtime: &Runtime,
    store: &RedisStore,
    checks: &[Check<'_>],
    count: usize,
) -> Vec<Duration> {
    runtime.block_on(async {
        let mut latencies = Vec::with_capacity(count);
        for _ in 0..count {
            let started = Instant::now();
            let outcome = store
                .check(checks, now())
                .await
                .expect("Redis failed mid-benchmark");
            latencies.push(started.elapsed());
            assert!(outcome.is_admitted());
        }
        latencies
    })
}

fn concurrent(
    runtime: &Runtime,
    store: &Arc<RedisStore>,
    checks: fn() -> Vec<Check<'static>>,
    per_task: usize,
) -> (Vec<Duration>, Duration) {
    runtime.block_on(async {
        let started = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let store = Arc::clone(store);
                tokio::spawn(async move {
                    let checks = checks();
                    let mut latencies = Vec::with_capacity(per_task);
                    for _ in 0..per_task {
                        let started = Instant::now();
                        store
                            .check(&checks, now())
                            .await
                            .expect("Redis failed mid-benchmark");
                        latencies.push(started.elapsed());
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = Vec::with_capacity(TASKS * per_task);
        for task in tasks {
            latencies.extend(task.await.expect("a benchmark task panicked"));
        }
        (latencies, started.elapsed())
    })
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` does not: then
    // only a short smoke run.
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let prefix = format!("bench-{}", std::process::id());
    let store = runtime.block_on(async {
        match RedisStore::connect(&url).await {
            Ok(store) if store.is_connected() => store
                .prefix(&prefix)
                .expect("a valid prefix")
                .timeout(Duration::from_secs(1))
                .retention(Duration::from_secs(600)),
            Ok(_) => {
                eprintln!(
                    "Redis does not answer at {url}: run scripts/test.sh, or start one with `redis-server --port 6379 --save '' --appendonly no`, or set REDIS_URL"
                );
                std::process::exit(1);
            }
            Err(error) => {
                eprintln!("{error}");
                std::process::exit(1);
            }
        }
    });
    let store = Arc::new(store);
    let (sequential_count, per_task) = if benchmarking {
        (SEQUENTIAL, PER_TASK)
    } else {
        (100, 10)
    };

    // Warm-up: connection, script cache, keys.
    sequential(&runtime, &store, &typical(), 1_000.min(sequential_count));
    println!("Redis at {url}, one multiplexed connection, loopback:");
    // The floor: a PING's round trip through the same client, no script.
    let floor = runtime.block_on(async {
        let client = redis::Client::open(url.as_str()).expect("the URL parsed once already");
        let mut connection = client
            .get_multiplexed_async_connection()
            .await
            .expect("Redis answered a moment ago");
        let started = Instant::now();
        let mut latencies = Vec::with_capacity(sequential_count);
        for _ in 0..sequential_count {
            let started = Instant::now();
            redis::cmd("PING")
                .query_async::<String>(&mut connection)
                .await
                .expect("Redis failed mid-benchmark");
            latencies.push(started.elapsed());
        }
        (latencies, started.elapsed())
    });
    report("PING round trip (floor)", floor.0, floor.1);
    for (label, checks) in [("1 throttle", single as fn() -> _), ("5 checks", typical)] {
        let started = Instant::now();
        let latencies = sequential(&runtime, &store, &checks(), sequential_count);
        report(
            &format!("{label}, sequential"),
            latencies,
            started.elapsed(),
        );
        let (latencies, elapsed) = concurrent(&runtime, &store, checks, per_task);
        report(
            &format!("{label}, {TASKS} concurrent tasks"),
            latencies,
            elapsed,
        );
    }

    let mut criterion = Criterion::default().configure_from_args();
    let single = single();
    let typical = typical();
    criterion.bench_function("redis check: 1 throttle", |b| {
        b.iter(|| runtime.block_on(store.check(black_box(&single), now())))
    });
    criterion.bench_function("redis check: 5 checks (3 throttles, quota, usage)", |b| {
        b.iter(|| runtime.block_on(store.check(black_box(&typical), now())))
    });
    criterion.final_summary();

    // Leave nothing behind.
    runtime.block_on(async {
        let Ok(client) = redis::Client::open(url.as_str()) else {
            return;
        };
        let Ok(mut connection) = client.get_multiplexed_async_connection().await else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{{{prefix}}}:*"))
            .query_async(&mut connection)
            .await
            .unwrap_or_default();
        if !keys.is_empty() {
            let _ = redis::cmd("DEL")
                .arg(keys)
                .query_async::<()>(&mut connection)
                .await;
        }
    });
}
