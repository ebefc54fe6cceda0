//! Throttles, API keys and quotas through the `portcullis` binary: exact
//! admission under over-limit load, quotas and usage through the admin
//! listener, `--api-key`, and two gateway processes sharing one Redis.

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::*;

const API: &str = r##"openapi: "3.0.1"
info: { title: "limits", version: "1" }
paths:
  /open:
    get:
      x-amazon-apigateway-integration: &mock
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '{"ok": true}' } } }
  /keyed:
    get:
      security: [ { api_key: [] } ]
      x-amazon-apigateway-integration: *mock
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
"##;

const KEY: &str = "test-key-0123456789abcdef";

/// A config: one REST API (stage `prod`, `/open` at 100/s burst 50), one key
/// in a plan with a quota of 5 a day, and `extra` appended.
fn config(extra: &str) -> String {
    format!(
        r#"apis:
  - openapi: api.yaml
    id: shop
    stages:
      - name: prod
        method_throttle: {{ "/open/GET": {{ rate_limit: 100, burst_limit: 50 }} }}
api_keys:
  - {{ id: k1, value: {KEY} }}
usage_plans:
  - id: daily
    quota: {{ limit: 5, period: DAY }}
    api_stages: [ {{ api: shop, stage: prod }} ]
    keys: [k1]
{extra}"#
    )
}

fn start(dir: &std::path::Path, extra: &str) -> Server {
    write_file(dir, "api.yaml", API);
    let file = write_file(dir, "gateway.yaml", &config(extra));
    Server::start(&["--config", file.to_str().unwrap()])
}

/// What a hammering saw.
struct Hammered {
    admitted: u64,
    refused: u64,
    /// Bounds on how long requests kept arriving at the gateway: from the
    /// first answer to the last request sent (shortest), from the first
    /// request sent to the last answer (longest). On a loaded machine the
    /// two differ by the answers' delays.
    span: (Duration, Duration),
}

impl Hammered {
    /// Asserts that `admitted` is what a bucket of `rate`/s and `burst`
    /// admits over the arrival span, ±2%.
    fn assert_admitted(&self, rate: f64, burst: f64, what: &str) {
        let (shortest, longest) = self.span;
        let low = ((burst + rate * shortest.as_secs_f64()) * 0.98).floor() as u64;
        let high = ((burst + rate * longest.as_secs_f64()) * 1.02).ceil() as u64 + 1;
        assert!(
            (low..=high).contains(&self.admitted),
            "{what}: admitted {}, expected {low}..={high} (burst {burst} + {rate}/s over {shortest:?}..{longest:?}, ±2%)",
            self.admitted
        );
    }
}

/// Sends GET `path` from `threads` keep-alive connections to `targets` (round
/// robin) for `window`, as fast as answers come; counts 200s and 429s.
fn hammer(targets: &[SocketAddr], path: &str, threads: usize, window: Duration) -> Hammered {
    // One hammering at a time: two at once on two cores starve the gateways
    // and the checks they send, and the counts then measure the starvation.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let admitted = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let other = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    // Microseconds since `start`: first answer, last request sent, last answer.
    let first_answer = Arc::new(AtomicU64::new(u64::MAX));
    let last_sent = Arc::new(AtomicU64::new(0));
    let last_answer = Arc::new(AtomicU64::new(0));
    std::thread::scope(|scope| {
        for t in 0..threads {
            let target = targets[t % targets.len()];
            let (admitted, refused, other) = (admitted.clone(), refused.clone(), other.clone());
            let (first_answer, last_sent, last_answer) =
                (first_answer.clone(), last_sent.clone(), last_answer.clone());
            scope.spawn(move || {
                let mut client = Client::connect(target).expect("connects");
                while start.elapsed() < window {
                    last_sent.fetch_max(start.elapsed().as_micros() as u64, Ordering::Relaxed);
                    let reply = client.request("GET", path, &[], b"").expect("answers");
                    let answered = start.elapsed().as_micros() as u64;
                    first_answer.fetch_min(answered, Ordering::Relaxed);
                    last_answer.fetch_max(answered, Ordering::Relaxed);
                    match reply.status {
                        200 => admitted.fetch_add(1, Ordering::Relaxed),
                        429 => refused.fetch_add(1, Ordering::Relaxed),
                        _ => {
                            other.store(true, Ordering::Relaxed);
                            0
                        }
                    };
                }
            });
        }
    });
    assert!(!other.load(Ordering::Relaxed), "only 200 and 429 answers");
    let micros = |a: &AtomicU64| Duration::from_micros(a.load(Ordering::Relaxed));
    Hammered {
        admitted: admitted.load(Ordering::Relaxed),
        refused: refused.load(Ordering::Relaxed),
        span: (
            micros(&last_sent).saturating_sub(micros(&first_answer)),
            micros(&last_answer),
        ),
    }
}

/// Rate 100/s, burst 50, about 3 s of load well above it: 50 + 100/s over
/// the span requests arrived in, ±2%.
#[test]
fn a_stage_throttle_admits_burst_plus_rate_under_load() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), "");
    let seen = hammer(&[server.addr], "/prod/open", 4, Duration::from_secs(3));
    assert!(
        seen.refused > seen.admitted,
        "the load is well above the limit ({} admitted, {} refused)",
        seen.admitted,
        seen.refused
    );
    seen.assert_admitted(100.0, 50.0, "one gateway");
}

/// Two gateway processes with one Redis admit together what one would.
#[test]
fn two_gateways_on_one_redis_admit_what_one_would() {
    let url = redis_url();
    let prefix = format!("test-{}-{}", std::process::id(), rand_suffix());
    let dir = tempfile::tempdir().unwrap();
    let extra = format!("redis: {{ url: \"{url}\", prefix: {prefix} }}\n");
    let first = start(dir.path(), &extra);
    let second = start(dir.path(), &extra);
    let seen = hammer(
        &[first.addr, second.addr],
        "/prod/open",
        4,
        Duration::from_secs(3),
    );
    assert!(
        seen.refused > seen.admitted,
        "the load is well above the limit ({} admitted, {} refused)",
        seen.admitted,
        seen.refused
    );
    seen.assert_admitted(100.0, 50.0, "two gateways on one Redis");
}

/// The most a bucket of 100/s holding `tokens` admits over `elapsed` (+2%,
/// +1 for the request in flight at each end), capped at the 60 sent.
fn refilled(tokens: f64, elapsed: Duration) -> usize {
    (((tokens + 100.0 * elapsed.as_secs_f64()) * 1.02).ceil() as usize + 1).min(60)
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos()
        .into()
}

/// A key's quota, its usage read through the admin listener, and more granted.
#[test]
fn quotas_refuse_with_limit_exceeded_and_usage_is_read_and_reset_through_admin() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), "admin: { address: \"127.0.0.1:0\" }\n");
    let admin = admin_address(&server);

    let mut client = Client::connect(server.addr).unwrap();
    let mut keyed = || {
        client
            .request("GET", "/prod/keyed", &[("x-api-key", KEY)], b"")
            .unwrap()
    };
    for _ in 0..5 {
        assert_eq!(keyed().status, 200);
    }
    let refused = keyed();
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body, r#"{"message":"Limit Exceeded"}"#);
    assert_eq!(
        refused.header("x-amzn-errortype"),
        Some("LimitExceededException")
    );

    let today = today();
    let mut admin_client = Client::connect(admin).unwrap();
    let usage = admin_client
        .request(
            "GET",
            &format!("/usageplans/daily/usage?startDate={today}&endDate={today}"),
            &[],
            b"",
        )
        .unwrap();
    assert_eq!(usage.status, 200, "{}", usage.body);
    let usage: Value = serde_json::from_str(&usage.body).unwrap();
    assert_eq!(usage["usagePlanId"], "daily");
    assert_eq!(usage["items"]["k1"], serde_json::json!([[5, 0]]));

    // UpdateUsage: two more requests remain today.
    let patch = br#"{"patchOperations":[{"op":"replace","path":"/remaining","value":"2"}]}"#;
    let updated = admin_client
        .request(
            "PATCH",
            "/usageplans/daily/keys/k1/usage",
            &[("content-type", "application/json")],
            patch,
        )
        .unwrap();
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(keyed().status, 200);
    assert_eq!(keyed().status, 200);
    assert_eq!(keyed().status, 429);

    let unknown = admin_client
        .request(
            "GET",
            &format!("/usageplans/nope/usage?startDate={today}&endDate={today}"),
            &[],
            b"",
        )
        .unwrap();
    assert_eq!(unknown.status, 404);
    let bad = admin_client
        .request(
            "GET",
            "/usageplans/daily/usage?startDate=2026-02-30&endDate=2026-03-01",
            &[],
            b"",
        )
        .unwrap();
    assert_eq!(bad.status, 400);
}

/// Today's UTC date, as the admin listener names days.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    let (year, month, day) = portcullis::ratelimit::civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `--api-key` lets one key through every key-requiring method.
#[test]
fn the_api_key_flag_admits_its_key() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", API);
    let api = dir.path().join("api.yaml");
    let server = Server::start(&["--openapi", api.to_str().unwrap(), "--api-key", "local-key"]);
    let mut client = Client::connect(server.addr).unwrap();
    let with_key = client
        .request("GET", "/keyed", &[("x-api-key", "local-key")], b"")
        .unwrap();
    assert_eq!(with_key.status, 200, "{}", with_key.body);
    let without = client.request("GET", "/keyed", &[], b"").unwrap();
    assert_eq!(without.status, 403);
    assert_eq!(without.body, r#"{"message":"Forbidden"}"#);
    let wrong = client
        .request("GET", "/keyed", &[("x-api-key", "other")], b"")
        .unwrap();
    assert_eq!(wrong.status, 403);
}

/// Redis stopped under load and restarted: the gateway never fails a
/// request, applies `on_failure` (here `refuse`: 429) while Redis is away, and
/// enforces shared limits again by itself once it is back.
#[test]
fn redis_going_away_and_back_is_survived_with_the_policy_applied() {
    let port = OwnRedis::free_port();
    let redis = OwnRedis::start(port);
    let dir = tempfile::tempdir().unwrap();
    let extra = format!(
        "redis: {{ url: \"redis://127.0.0.1:{port}/\", on_failure: refuse, timeout_ms: 50 }}\nadmin: {{ address: \"127.0.0.1:0\" }}\n"
    );
    let server = start(dir.path(), &extra);
    let admin = admin_address(&server);
    let status = || -> Value {
        let reply = Client::connect(admin)
            .unwrap()
            .request("GET", "/limits/status", &[], b"")
            .unwrap();
        serde_json::from_str(&reply.body).unwrap()
    };
    let mut client = Client::connect(server.addr).unwrap();
    let mut get = || {
        let started = Instant::now();
        let reply = client
            .request("GET", "/prod/open", &[], b"")
            .expect("the gateway answers");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "an answer within the store's time budget"
        );
        reply.status
    };
    // Shared limits: the burst of 50 and what 100/s refills while the 60
    // are sent (on a loaded machine that can be all of them), no more.
    let sent = Instant::now();
    let statuses: Vec<u16> = (0..60).map(|_| get()).collect();
    let most = refilled(50.0, sent.elapsed());
    let admitted = statuses.iter().filter(|s| **s == 200).count();
    assert!(
        (50..=most).contains(&admitted),
        "50..={most} admitted: {statuses:?}"
    );

    drop(redis);
    std::thread::sleep(Duration::from_millis(200));
    let during: Vec<u16> = (0..20).map(|_| get()).collect();
    assert!(
        during.iter().all(|s| *s == 429),
        "refused while Redis is away: {during:?}"
    );
    assert!(
        server
            .wait_log("rate-limit store failed", Duration::from_secs(5))
            .is_some(),
        "the degraded mode is logged"
    );
    let degraded = status();
    assert_eq!(degraded["degraded"], true);
    assert!(
        degraded["storeFailures"].as_u64().unwrap() >= 20,
        "{degraded}"
    );

    // Back on the same port (empty): the bucket is full again.
    let _redis = OwnRedis::start(port);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if get() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "limits did not come back within 10 s of Redis restarting"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let sent = Instant::now();
    let after: Vec<u16> = (0..60).map(|_| get()).collect();
    let most = refilled(50.0, sent.elapsed());
    let admitted = after.iter().filter(|s| **s == 200).count();
    // 49 tokens left, plus what 100/s refills while the 60 are sent.
    assert!(
        (45..=most).contains(&admitted),
        "the burst is enforced again: {admitted} of 60 admitted, at most {most}"
    );
    assert_eq!(status()["degraded"], false, "recovered");
}
