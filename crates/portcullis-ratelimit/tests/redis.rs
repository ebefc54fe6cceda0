//! The Redis store against a real Redis: `REDIS_URL`, by default
//! `redis://127.0.0.1:6379/` (scripts/test.sh starts one). The fault tests
//! start and kill their own `redis-server`s on free ports.
#![cfg(feature = "redis")]

use std::net::{Ipv4Addr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portcullis_ratelimit::{
    Check, Headroom, Limiter, OnFailure, Outcome, Period, Quota, RedisConfigError, RedisStore,
    Store, StoreError, Throttle,
};
use redis::AsyncCommands;

const NANOS_PER_DAY: u64 = 86_400 * 1_000_000_000;
/// 2026-09-21 14:13:20.123456789 UTC: far above 2^53 ns, with odd low digits.
const NOW: u64 = 1_790_000_000_123_456_789;

fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned())
}

/// A direct connection to the test Redis, for setup and inspection; fails
/// the test (never skips it) when Redis does not answer.
async fn raw() -> redis::aio::MultiplexedConnection {
    let url = redis_url();
    let attempt = async {
        let client = redis::Client::open(url.as_str())?;
        let mut connection = client.get_multiplexed_async_connection().await?;
        redis::cmd("PING")
            .query_async::<String>(&mut connection)
            .await?;
        Ok::<_, redis::RedisError>(connection)
    };
    match tokio::time::timeout(Duration::from_secs(3), attempt).await {
        Ok(Ok(connection)) => connection,
        Ok(Err(error)) => panic!(
            "Redis does not answer at {url} ({error}): run scripts/test.sh, or start one with `redis-server --port 6379 --save '' --appendonly no`, or set REDIS_URL"
        ),
        Err(_) => panic!(
            "Redis does not answer at {url} within 3 s: run scripts/test.sh, or start one with `redis-server --port 6379 --save '' --appendonly no`, or set REDIS_URL"
        ),
    }
}

/// A prefix no other test (or run) uses.
fn unique_prefix(test: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "test-{test}-{}-{nanos}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A store on the test Redis under a fresh prefix (quota keys kept an
/// hour), and the guard deleting that prefix's keys when the test ends,
/// passed or failed.
async fn store(test: &str) -> (RedisStore, Keys) {
    raw().await;
    let keys = Keys(unique_prefix(test));
    let store = RedisStore::connect(&redis_url())
        .await
        .unwrap()
        .prefix(&keys.0)
        .unwrap()
        .retention(Duration::from_secs(3_600));
    assert!(store.is_connected(), "{store:?}");
    (store, keys)
}

/// Deletes the keys of its prefix when dropped.
struct Keys(String);

impl Drop for Keys {
    fn drop(&mut self) {
        // Synchronous: a test's runtime may be gone (or panicking) by now.
        let Ok(client) = redis::Client::open(redis_url()) else {
            return;
        };
        let Ok(mut connection) = client.get_connection_with_timeout(Duration::from_secs(2)) else {
            return;
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{{{}}}:*", self.0))
            .query(&mut connection)
            .unwrap_or_default();
        if !keys.is_empty() {
            let _ = redis::cmd("DEL").arg(keys).exec(&mut connection);
        }
    }
}

/// SplitMix64: reproducible pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

#[tokio::test]
async fn burst_then_rate_is_exact_to_the_nanosecond() {
    let (store, _keys) = store("exact").await;
    // 3 per second: an interval of 333_333_333 ns, not a round number.
    let throttle = Throttle::new(3.0, 50).unwrap();
    let interval = throttle.interval_nanos();
    assert_eq!(interval, 333_333_333);
    let checks = [Check::throttle("api-key", throttle)];
    for n in 0..50 {
        let outcome = store.check(&checks, NOW).await.unwrap();
        assert!(
            outcome.is_admitted(),
            "request {n} of the burst: {outcome:?}"
        );
        assert_eq!(outcome.headroom.unwrap().remaining, 49 - n);
    }
    let refused = store.check(&checks, NOW).await.unwrap();
    assert_eq!(refused.refused, Some(0));
    assert_eq!(refused.retry_after, Duration::from_nanos(interval));
    assert_eq!(
        refused.headroom,
        Some(Headroom {
            limit: 50,
            remaining: 0,
            reset: Duration::from_nanos(50 * interval)
        })
    );
    // Then exactly one more per interval: refused 1 ns before, admitted on the dot.
    for k in 1..=30 {
        let due = NOW + k * interval;
        let early = store.check(&checks, due - 1).await.unwrap();
        assert_eq!(early.refused, Some(0), "1 ns early, step {k}");
        assert_eq!(early.retry_after, Duration::from_nanos(1), "step {k}");
        assert!(
            store.check(&checks, due).await.unwrap().is_admitted(),
            "on time, step {k}"
        );
        assert!(
            !store.check(&checks, due).await.unwrap().is_admitted(),
            "step {k} twice"
        );
    }
    // The stored TAT is the exact u64: now + (50 + 30) intervals.
    let stored: String = raw()
        .await
        .get(store.throttle_key("api-key"))
        .await
        .unwrap();
    assert_eq!(stored, (NOW + 80 * interval).to_string());

    // An interval of 1 ns, where doubles cannot even tell NOW from NOW + 1
    // (their spacing there is 256 ns). The bucket (10 s deep) starts empty,
    // seeded directly, so that its key lives 10 s of real time: keys expire
    // in Redis's time, and this test's times are synthetic.
    let fine = [Check::throttle(
        "fine",
        Throttle::new(1e9, 10_000_000_000).unwrap(),
    )];
    let full = NOW + 10_000_000_000;
    let _: () = raw()
        .await
        .pset_ex(store.throttle_key("fine"), full.to_string(), 60_000)
        .await
        .unwrap();
    let refused = store.check(&fine, NOW).await.unwrap();
    assert_eq!(refused.refused, Some(0));
    assert_eq!(refused.retry_after, Duration::from_nanos(1));
    for k in 1..=5 {
        assert!(
            store.check(&fine, NOW + k).await.unwrap().is_admitted(),
            "{k}"
        );
        let refused = store.check(&fine, NOW + k).await.unwrap();
        assert_eq!(refused.retry_after, Duration::from_nanos(1), "{k}");
    }
    let stored: String = raw().await.get(store.throttle_key("fine")).await.unwrap();
    assert_eq!(stored, (full + 5).to_string());
}

/// What the store must answer, computed with `Throttle::step` alone.
fn reference(throttles: &[Throttle], tats: &mut [u64], now: u64) -> Outcome {
    let mut outcome = Outcome::admitted(None);
    let tighten = |headroom: Headroom, best: &mut Option<Headroom>| {
        if best.is_none_or(|best| headroom.remaining < best.remaining) {
            *best = Some(headroom);
        }
    };
    for (index, throttle) in throttles.iter().enumerate() {
        match throttle.step(tats[index], now) {
            Ok(tat) => {
                tats[index] = tat;
                let headroom = Headroom {
                    limit: throttle.burst(),
                    remaining: throttle.remaining(tat, now),
                    reset: Duration::from_nanos(tat - now),
                };
                tighten(headroom, &mut outcome.headroom);
            }
            Err(wait) => {
                outcome.refused = Some(index);
                outcome.retry_after = wait;
                let headroom = Headroom {
                    limit: throttle.burst(),
                    remaining: 0,
                    reset: Duration::from_nanos(tats[index].saturating_sub(now)),
                };
                tighten(headroom, &mut outcome.headroom);
                break;
            }
        }
    }
    outcome
}

#[tokio::test]
async fn decisions_match_throttle_step_over_random_times() {
    let (store, _keys) = store("reference").await;
    // Intervals of 10 s or more: a key's expiry (in Redis's real time) is
    // then far longer than this test runs, whatever its synthetic times do.
    let throttles = [
        Throttle::new(0.07, 4).unwrap(),
        Throttle::new(1.0 / 30.0, 7).unwrap(),
        Throttle::new(0.099_999_97, 2).unwrap(),
    ];
    let keys = ["plan", "stage", "account"];
    let checks: Vec<Check<'_>> = keys
        .iter()
        .zip(throttles)
        .map(|(key, throttle)| Check::throttle(key, throttle))
        .collect();
    let mut tats = [0; 3];
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut now = NOW;
    let (mut admitted, mut refused) = (0, 0);
    for step in 0..400 {
        now = match rng.below(10) {
            // Bursts at the same instant.
            0..=2 => now,
            // Clocks of different nodes: a little back in time.
            3 => now - rng.below(2_000_000_000),
            // Nanosecond nudges.
            4 => now + rng.below(1_000),
            _ => now + rng.below(30_000_000_000),
        };
        let expected = reference(&throttles, &mut tats, now);
        let outcome = store.check(&checks, now).await.unwrap();
        assert_eq!(outcome, expected, "step {step} at {now}");
        if outcome.is_admitted() {
            admitted += 1;
        } else {
            refused += 1;
        }
    }
    // Both branches were exercised.
    assert!(
        admitted > 50 && refused > 50,
        "{admitted} admitted, {refused} refused"
    );
}

#[tokio::test]
async fn quotas_exhaust_reset_at_the_next_utc_period_and_honour_the_offset() {
    let (store, _keys) = store("quota").await;
    let day = NOW / NANOS_PER_DAY;
    let start_of_day = day * NANOS_PER_DAY;
    // 5 a day, 2 taken off the first day (the plan started this morning).
    let quota = Quota::new(5, Period::Day).with_offset(2, start_of_day + 3_600_000_000_000);
    let checks = [Check::quota("usage-plan:key", quota)];
    let ten_am = start_of_day + 10 * 3_600_000_000_000;
    for remaining in [2, 1, 0] {
        let outcome = store.check(&checks, ten_am).await.unwrap();
        assert!(outcome.is_admitted());
        assert_eq!(
            outcome.headroom,
            Some(Headroom {
                limit: 3,
                remaining,
                reset: Duration::from_secs(14 * 3_600)
            })
        );
    }
    let refused = store.check(&checks, ten_am).await.unwrap();
    assert_eq!(refused.refused, Some(0));
    assert_eq!(refused.retry_after, Duration::from_secs(14 * 3_600));
    let last_nanosecond = start_of_day + NANOS_PER_DAY - 1;
    let refused = store.check(&checks, last_nanosecond).await.unwrap();
    assert_eq!(refused.retry_after, Duration::from_nanos(1));
    // Refusals are not counted.
    assert_eq!(
        store
            .counted("usage-plan:key", Period::Day, day)
            .await
            .unwrap(),
        3
    );

    // Midnight UTC: a new period, the full limit.
    let midnight = start_of_day + NANOS_PER_DAY;
    for _ in 0..5 {
        assert!(store.check(&checks, midnight).await.unwrap().is_admitted());
    }
    assert!(!store.check(&checks, midnight).await.unwrap().is_admitted());
    assert_eq!(
        store
            .counted("usage-plan:key", Period::Day, day + 1)
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        store
            .counted("usage-plan:key", Period::Day, day)
            .await
            .unwrap(),
        3
    );

    // The counter expires a retention (an hour here) after its period ends.
    let ttl: i64 = raw()
        .await
        .pttl(store.quota_key("usage-plan:key", Period::Day, day))
        .await
        .unwrap();
    let expected = 14 * 3_600_000 + 3_600_000;
    assert!((expected - 5_000..=expected).contains(&ttl), "PTTL {ttl}");

    // Months follow the calendar: 2026-09-30 23:59:59.999999999, then October.
    let september = Period::Month.index(NOW);
    let october_1st = Period::Month.start(september + 1);
    let monthly = [Check::quota("monthly", Quota::new(2, Period::Month))];
    for _ in 0..2 {
        assert!(
            store
                .check(&monthly, october_1st - 1)
                .await
                .unwrap()
                .is_admitted()
        );
    }
    let refused = store.check(&monthly, october_1st - 1).await.unwrap();
    assert_eq!(refused.retry_after, Duration::from_nanos(1));
    assert!(
        store
            .check(&monthly, october_1st)
            .await
            .unwrap()
            .is_admitted()
    );
}

#[tokio::test]
async fn a_refusal_stops_the_later_checks() {
    let (store, _keys) = store("order").await;
    // Slow rates: keys live (in real time) far longer than the test.
    let one = Throttle::new(0.1, 1).unwrap();
    let checks = [
        Check::throttle("account", one),
        Check::quota("quota", Quota::new(10, Period::Day)),
        Check::quota("usage", Quota::unlimited(Period::Day)),
    ];
    assert!(store.check(&checks, NOW).await.unwrap().is_admitted());
    let refused = store.check(&checks, NOW).await.unwrap();
    assert_eq!(refused.refused, Some(0));
    // Neither the quota nor the usage counter saw the refused request.
    let day = Period::Day.index(NOW);
    assert_eq!(store.counted("quota", Period::Day, day).await.unwrap(), 1);
    assert_eq!(store.counted("usage", Period::Day, day).await.unwrap(), 1);

    // Checks before the refusing one are counted; those after are not read.
    let checks = [
        Check::throttle("plan", Throttle::new(0.1, 10).unwrap()),
        Check::quota("tight", Quota::new(1, Period::Day)),
        Check::throttle("stage", one),
    ];
    assert!(store.check(&checks, NOW).await.unwrap().is_admitted());
    let refused = store.check(&checks, NOW).await.unwrap();
    assert_eq!(refused.refused, Some(1));
    // The plan's throttle took two tokens; the stage's bucket took one only.
    let plan: String = raw().await.get(store.throttle_key("plan")).await.unwrap();
    assert_eq!(plan, (NOW + 20_000_000_000).to_string());
    let stage: String = raw().await.get(store.throttle_key("stage")).await.unwrap();
    assert_eq!(stage, (NOW + 10_000_000_000).to_string());
    // The tightest headroom consulted: the refusing quota's, 0 left, and
    // the unlimited counter is never reported.
    assert_eq!(
        refused.headroom,
        Some(Headroom {
            limit: 1,
            remaining: 0,
            reset: Period::Day.until_next(NOW)
        })
    );
    let usage_only = [Check::quota("usage", Quota::unlimited(Period::Day))];
    assert_eq!(store.check(&usage_only, NOW).await.unwrap().headroom, None);

    // A throttle refusing everything (rate 0) refuses without Redis state.
    let blocked = [
        Check::throttle("open", Throttle::new(100.0, 100).unwrap()),
        Check::throttle("blocked", Throttle::new(0.0, 100).unwrap()),
        Check::quota("after-blocked", Quota::new(10, Period::Day)),
    ];
    let refused = store.check(&blocked, NOW).await.unwrap();
    assert_eq!(refused.refused, Some(1));
    assert_eq!(
        store
            .counted("after-blocked", Period::Day, day)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_gateways_share_limits_exactly_under_concurrent_load() {
    let (first, keys) = store("shared").await;
    // A second gateway: its own client and connection, the same prefix.
    let second = RedisStore::connect(&redis_url())
        .await
        .unwrap()
        .prefix(&keys.0)
        .unwrap()
        .retention(Duration::from_secs(3_600));
    let stores = [Arc::new(first), Arc::new(second)];
    // One a second, 100 at once: at a frozen now, exactly 100 pass.
    let throttle = Throttle::new(1.0, 100).unwrap();
    let quota = Quota::new(1_000, Period::Day);
    let admitted = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for task in 0..32 {
        let store = Arc::clone(&stores[task % 2]);
        let admitted = Arc::clone(&admitted);
        tasks.push(tokio::spawn(async move {
            let checks = [
                Check::throttle("shared-plan", throttle),
                Check::quota("shared-quota", quota),
            ];
            for _ in 0..25 {
                if store.check(&checks, NOW).await.unwrap().is_admitted() {
                    admitted.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(admitted.load(Ordering::Relaxed), 100);
    let day = Period::Day.index(NOW);
    for store in &stores {
        assert_eq!(
            store
                .counted("shared-quota", Period::Day, day)
                .await
                .unwrap(),
            100
        );
    }
}

#[tokio::test]
async fn counts_read_and_set() {
    let (store, _keys) = store("counts").await;
    let day = Period::Day.index(NOW);
    assert_eq!(store.counted("fresh", Period::Day, day).await.unwrap(), 0);
    store
        .set_counted("fresh", Period::Day, day, 42)
        .await
        .unwrap();
    assert_eq!(store.counted("fresh", Period::Day, day).await.unwrap(), 42);
    let checks = [Check::quota("fresh", Quota::new(44, Period::Day))];
    let outcome = store.check(&checks, NOW).await.unwrap();
    assert_eq!(outcome.headroom.unwrap().remaining, 1);
    assert_eq!(store.counted("fresh", Period::Day, day).await.unwrap(), 43);
    // UpdateUsage: giving back requests.
    store
        .set_counted("fresh", Period::Day, day, 10)
        .await
        .unwrap();
    assert_eq!(
        store
            .check(&checks, NOW)
            .await
            .unwrap()
            .headroom
            .unwrap()
            .remaining,
        33
    );
    // And taking them: the next check refuses.
    store
        .set_counted("fresh", Period::Day, day, 44)
        .await
        .unwrap();
    assert!(!store.check(&checks, NOW).await.unwrap().is_admitted());

    // Setting keeps the key's expiry (the retention a check gave it)...
    let key = store.quota_key("fresh", Period::Day, day);
    let mut connection = raw().await;
    let before: i64 = connection.pttl(&key).await.unwrap();
    store
        .set_counted("fresh", Period::Day, day, 7)
        .await
        .unwrap();
    let after: i64 = connection.pttl(&key).await.unwrap();
    assert!(
        after > 0 && after <= before && before - after < 5_000,
        "{before} → {after}"
    );
    // ...and a key it creates expires too, never later than a check would make it.
    store
        .set_counted("other", Period::Day, day, 3)
        .await
        .unwrap();
    let ttl: i64 = connection
        .pttl(store.quota_key("other", Period::Day, day))
        .await
        .unwrap();
    assert!(ttl > 0, "PTTL {ttl}");
}

#[tokio::test]
async fn configuration_errors_are_clear_and_keep_secrets() {
    let error = RedisStore::connect("redis://:topsecret@127.0.0.1:notaport/")
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, RedisConfigError::Url { .. }), "{message}");
    assert!(!message.contains("topsecret"), "{message}");
    assert!(message.contains("redis://"), "{message}");
    assert!(matches!(
        RedisStore::connect("http://127.0.0.1/").await,
        Err(RedisConfigError::Url { .. })
    ));

    // Nothing listens there: the store still comes up, and fails fast.
    let port = free_port();
    let store = RedisStore::connect(&format!("redis://user:topsecret@127.0.0.1:{port}/"))
        .await
        .unwrap();
    assert!(!store.is_connected());
    assert!(!format!("{store:?}").contains("topsecret"));
    let checks = [Check::throttle("k", Throttle::new(1.0, 1).unwrap())];
    let started = Instant::now();
    let error = store.check(&checks, NOW).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(50));
    let message = error.to_string();
    assert!(matches!(error, StoreError::Unavailable(_)), "{message}");
    assert!(!message.contains("topsecret"), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");

    for bad in ["", "a{b", "}x", "{tag}"] {
        assert_eq!(
            store.clone().prefix(bad).unwrap_err(),
            RedisConfigError::Prefix(bad.to_owned())
        );
    }
}

/// A server that completes the client's handshake, then never answers.
async fn silent_server() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                // The two CLIENT SETINFO of redis-rs's handshake.
                let _ = socket.write_all(b"+OK\r\n+OK\r\n").await;
                let mut buffer = [0; 4096];
                while matches!(socket.read(&mut buffer).await, Ok(n) if n > 0) {}
            });
        }
    });
    port
}

#[tokio::test]
async fn a_silent_redis_times_out() {
    let port = silent_server().await;
    let store = RedisStore::connect(&format!("redis://127.0.0.1:{port}/"))
        .await
        .unwrap()
        .timeout(Duration::from_millis(50));
    assert!(store.is_connected());
    let checks = [Check::throttle("k", Throttle::new(1.0, 1).unwrap())];
    for _ in 0..3 {
        let started = Instant::now();
        let error = store.check(&checks, NOW).await.unwrap_err();
        let took = started.elapsed();
        assert!(
            matches!(error, StoreError::Timeout(d) if d == Duration::from_millis(50)),
            "{error}"
        );
        assert!(
            took >= Duration::from_millis(50) && took < Duration::from_millis(250),
            "{took:?}"
        );
    }
    assert!(matches!(
        store.counted("k", Period::Day, 1).await,
        Err(StoreError::Timeout(_))
    ));
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A `redis-server` of this test's own, killed when dropped.
struct RedisServer {
    child: Child,
}

impl RedisServer {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| {
                panic!("cannot start redis-server ({error}): install it (apt-get install redis-server) or run scripts/test.sh")
            });
        let server = Self { child };
        let deadline = Instant::now() + Duration::from_secs(5);
        while !pong(port) {
            assert!(
                Instant::now() < deadline,
                "redis-server did not answer on port {port} within 5 s"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        server
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn pong(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let mut answer = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut answer).is_ok()
        && &answer == b"+PONG\r\n"
}

/// Checks `count` times on a fresh key of `burst` per second; how many passed.
async fn burst_admitted(limiter: &Limiter, key: &str, burst: u64, count: usize) -> usize {
    let checks = [Check::throttle(key, Throttle::new(1.0, burst).unwrap())];
    let mut admitted = 0;
    for _ in 0..count {
        if limiter.check(&checks).await.is_admitted() {
            admitted += 1;
        }
    }
    admitted
}

/// Redis absent at startup, started, killed mid-way, restarted: the policy
/// answers while it is away, within the timeout, and limits come back.
async fn survive_redis_faults(policy: OnFailure) {
    let timeout = Duration::from_millis(50);
    let bound = Duration::from_millis(300);
    let port = free_port();
    let store = RedisStore::connect(&format!("redis://127.0.0.1:{port}/"))
        .await
        .unwrap()
        .timeout(timeout);
    assert!(!store.is_connected());
    let limiter = Limiter::from_arc(Arc::new(store)).on_failure(policy);
    let admits = policy == OnFailure::Admit;

    // No Redis yet: the policy answers.
    let checks = [Check::throttle("early", Throttle::new(1.0, 1).unwrap())];
    for _ in 0..5 {
        let started = Instant::now();
        assert_eq!(limiter.check(&checks).await.is_admitted(), admits);
        assert!(started.elapsed() < bound);
    }
    assert!(limiter.is_degraded());
    assert_eq!(limiter.failures(), 5);

    // Redis appears: enforced within a few seconds.
    let mut server = Some(RedisServer::start(port));
    let recovered = wait_until_enforced(&limiter).await;
    eprintln!("{policy:?}: enforced {recovered:?} after redis-server started");
    assert_eq!(burst_admitted(&limiter, "first", 3, 10).await, 3);

    // Killed in the middle of a run of checks.
    let checks = [Check::throttle("run", Throttle::new(1.0, 1).unwrap())];
    let failures_before = limiter.failures();
    let mut slowest = Duration::ZERO;
    for i in 0..40 {
        if i == 20 {
            drop(server.take());
        }
        let started = Instant::now();
        let outcome = limiter.check(&checks).await;
        slowest = slowest.max(started.elapsed());
        match i {
            0 => assert!(outcome.is_admitted(), "the first of a burst of 1"),
            1..20 => assert!(!outcome.is_admitted(), "enforced, check {i}"),
            _ => assert_eq!(
                outcome.is_admitted(),
                admits,
                "policy, check {i}: {outcome:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(slowest < bound, "a check took {slowest:?}");
    assert!(limiter.is_degraded());
    assert_eq!(limiter.failures() - failures_before, 20);
    eprintln!("{policy:?}: slowest check around the kill {slowest:?}");

    // Back on the same port (empty: limits start afresh).
    server = Some(RedisServer::start(port));
    let recovered = wait_until_enforced(&limiter).await;
    eprintln!("{policy:?}: enforced {recovered:?} after redis-server restarted");
    assert!(!limiter.is_degraded());
    assert_eq!(burst_admitted(&limiter, "again", 3, 10).await, 3);
    drop(server);
}

/// Checks until the store answers again (at most 5 s); how long it took.
async fn wait_until_enforced(limiter: &Limiter) -> Duration {
    let started = Instant::now();
    let checks = [Check::quota("probe", Quota::unlimited(Period::Day))];
    loop {
        limiter.check(&checks).await;
        if !limiter.is_degraded() {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "limits not enforced 5 s after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn redis_faults_with_the_admit_policy() {
    survive_redis_faults(OnFailure::Admit).await;
}

#[tokio::test]
async fn redis_faults_with_the_refuse_policy() {
    survive_redis_faults(OnFailure::Refuse).await;
}
