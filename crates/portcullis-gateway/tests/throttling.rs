//! API keys, throttles and quotas through the pipeline, on an injected clock:
//! exact counts with nothing sleeping, AWS's answers for each refusal, quota
//! periods resetting at UTC boundaries.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use portcullis_gateway::clock::ManualClock;
use portcullis_gateway::config::{self, Overrides, Source, UpstreamSettings};
use portcullis_gateway::pipeline::{Connection, Pipeline};
use portcullis_gateway::runtime::Gateway;
use portcullis_gateway::upstream::UpstreamClient;

/// `/open` needs nothing; `/keyed` and `/slow` need an API key; `/whoami`
/// echoes the key id; THROTTLED is customised.
const API: &str = r##"openapi: "3.0.1"
info: { title: "limits", version: "1" }
x-amazon-apigateway-gateway-responses:
  THROTTLED:
    statusCode: 429
    responseTemplates: { application/json: '{"slow": "down", "type": "$context.error.responseType"}' }
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
  /slow:
    get:
      security: [ { api_key: [] } ]
      x-amazon-apigateway-integration: *mock
  /whoami:
    get:
      security: [ { api_key: [] } ]
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"key": "$context.identity.apiKeyId"}' }
components:
  securitySchemes:
    api_key: { type: apiKey, name: x-api-key, in: header }
"##;

const GOLD: &str = "gold-key-0123456789abcdef";
const SILVER: &str = "silver-key-0123456789abcdef";
const OFF: &str = "disabled-key-0123456789abc";
const STRAY: &str = "stray-key-0123456789abcdef";

/// The account level off: each test sees only the limits it is about.
const NO_ACCOUNT: &str = "{ account: null }";

/// 2026-12-06T23:59:58Z.
const START_SECS: u64 = 1_796_601_598;

fn config(throttling: &str) -> String {
    format!(
        r#"apis:
  - openapi: api.yaml
    id: shop
    stages:
      - name: prod
        method_throttle: {{ "/open/GET": {{ rate_limit: 10, burst_limit: 3 }} }}
      - name: beta
throttling: {throttling}
api_keys:
  - {{ id: gold, value: {GOLD} }}
  - {{ id: silver, value: {SILVER} }}
  - {{ id: off, value: {OFF}, enabled: false }}
  - {{ id: stray, value: {STRAY} }}
usage_plans:
  - id: gold-plan
    throttle: {{ rate_limit: 2, burst_limit: 4 }}
    api_stages:
      - {{ api: shop, stage: prod, throttle: {{ "GET /slow": {{ rate_limit: 0.5, burst_limit: 1 }} }} }}
      - {{ api: shop, stage: beta }}
    keys: [gold, off]
  - id: silver-plan
    quota: {{ limit: 5, period: DAY, offset: 2 }}
    api_stages: [ {{ api: shop, stage: prod }} ]
    keys: [silver]
"#
    )
}

struct Fixture {
    pipeline: Pipeline,
    clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

fn fixture(throttling: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), API).unwrap();
    let file = dir.path().join("gateway.yaml");
    std::fs::write(&file, config(throttling)).unwrap();
    let config = config::load(&Source::Config(file), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let start = UNIX_EPOCH + Duration::from_secs(START_SECS);
    let clock = Arc::new(ManualClock::new(start));
    let gateway = Gateway::compile_at(&config, start).unwrap();
    let pipeline = Pipeline::new(
        Arc::new(ArcSwap::from_pointee(gateway)),
        UpstreamClient::new(&UpstreamSettings::default()).unwrap(),
    )
    .with_clock(clock.clone());
    Fixture {
        pipeline,
        clock,
        _dir: dir,
    }
}

struct Answer {
    status: u16,
    headers: http::HeaderMap,
    body: String,
}

async fn get(pipeline: &Pipeline, path: &str, key: Option<&str>) -> Answer {
    let connection = Connection {
        peer: "127.0.0.1:40000".parse().unwrap(),
        local: "127.0.0.1:3000".parse().unwrap(),
        tls: false,
    };
    let mut request = http::Request::get(path).header("host", "localhost");
    if let Some(key) = key {
        request = request.header("x-api-key", key);
    }
    let response = pipeline
        .handle(request.body(Full::new(Bytes::new())).unwrap(), connection)
        .await;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

async fn statuses(pipeline: &Pipeline, path: &str, key: Option<&str>, n: usize) -> Vec<u16> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(get(pipeline, path, key).await.status);
    }
    out
}

#[tokio::test]
async fn keys_missing_unknown_disabled_or_not_in_a_plan_get_403() {
    let f = fixture(NO_ACCOUNT);
    for key in [None, Some("nope"), Some(OFF), Some(STRAY), Some("")] {
        let answer = get(&f.pipeline, "/prod/keyed", key).await;
        assert_eq!(answer.status, 403, "{key:?}");
        assert_eq!(answer.body, r#"{"message":"Forbidden"}"#);
        assert_eq!(answer.headers["x-amzn-errortype"], "ForbiddenException");
    }
    // The silver plan does not cover beta.
    assert_eq!(
        get(&f.pipeline, "/beta/keyed", Some(SILVER)).await.status,
        403
    );
    assert_eq!(
        get(&f.pipeline, "/beta/keyed", Some(GOLD)).await.status,
        200
    );
    // A method without apiKeyRequired ignores keys, and the plan's limits with them.
    assert_eq!(
        get(&f.pipeline, "/beta/open", Some("nope")).await.status,
        200
    );
    let whoami = get(&f.pipeline, "/prod/whoami", Some(GOLD)).await;
    assert_eq!(whoami.body, r#"{"key": "gold"}"#);
}

#[tokio::test]
async fn a_plan_throttles_its_key_across_stages_then_refills_at_its_rate() {
    let f = fixture(NO_ACCOUNT);
    // Burst 4 shared by prod and beta: the key's bucket is the plan's, not the stage's.
    assert_eq!(
        statuses(&f.pipeline, "/prod/keyed", Some(GOLD), 2).await,
        [200, 200]
    );
    assert_eq!(
        statuses(&f.pipeline, "/beta/keyed", Some(GOLD), 2).await,
        [200, 200]
    );
    let refused = get(&f.pipeline, "/beta/keyed", Some(GOLD)).await;
    assert_eq!(refused.status, 429);
    // The customised THROTTLED response answers.
    assert_eq!(refused.body, r#"{"slow": "down", "type": "THROTTLED"}"#);
    assert!(
        refused.headers.get("retry-after").is_none(),
        "AWS sends no Retry-After by default"
    );
    // 2 per second: one more every 500 ms.
    f.clock.advance(Duration::from_millis(499));
    assert_eq!(
        get(&f.pipeline, "/prod/keyed", Some(GOLD)).await.status,
        429
    );
    f.clock.advance(Duration::from_millis(1));
    assert_eq!(
        statuses(&f.pipeline, "/prod/keyed", Some(GOLD), 2).await,
        [200, 429]
    );
    // Another key has its own bucket.
    assert_eq!(
        get(&f.pipeline, "/prod/keyed", Some(SILVER)).await.status,
        200
    );
}

#[tokio::test]
async fn a_plans_method_limit_replaces_its_key_limit_for_that_method() {
    let f = fixture(NO_ACCOUNT);
    // GET /slow: 0.5/s, burst 1, in its own bucket.
    assert_eq!(
        statuses(&f.pipeline, "/prod/slow", Some(GOLD), 2).await,
        [200, 429]
    );
    assert_eq!(
        statuses(&f.pipeline, "/prod/keyed", Some(GOLD), 4).await,
        [200; 4]
    );
    f.clock.advance(Duration::from_millis(1_999));
    assert_eq!(get(&f.pipeline, "/prod/slow", Some(GOLD)).await.status, 429);
    f.clock.advance(Duration::from_millis(1));
    assert_eq!(get(&f.pipeline, "/prod/slow", Some(GOLD)).await.status, 200);
    // On beta the plan sets no method limit: /slow shares the key's bucket.
    assert_eq!(
        statuses(&f.pipeline, "/beta/slow", Some(GOLD), 5).await,
        [200, 200, 200, 200, 429]
    );
}

#[tokio::test]
async fn a_stage_throttles_each_method_on_its_own() {
    let f = fixture(NO_ACCOUNT);
    let answers = statuses(&f.pipeline, "/prod/open", None, 4).await;
    assert_eq!(answers, [200, 200, 200, 429]);
    let refused = get(&f.pipeline, "/prod/open", None).await;
    assert_eq!(refused.status, 429);
    // Beta has no stage limit.
    assert_eq!(
        statuses(&f.pipeline, "/beta/open", None, 20).await,
        [200; 20]
    );
    f.clock.advance(Duration::from_millis(100));
    assert_eq!(
        statuses(&f.pipeline, "/prod/open", None, 2).await,
        [200, 429]
    );
}

#[tokio::test]
async fn a_quota_takes_its_offset_off_the_first_day_and_resets_at_midnight_utc() {
    let f = fixture(NO_ACCOUNT);
    // limit 5, offset 2: three requests on the first day.
    assert_eq!(
        statuses(&f.pipeline, "/prod/keyed", Some(SILVER), 3).await,
        [200; 3]
    );
    let refused = get(&f.pipeline, "/prod/keyed", Some(SILVER)).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.body, r#"{"message":"Limit Exceeded"}"#);
    assert_eq!(
        refused.headers["x-amzn-errortype"],
        "LimitExceededException"
    );
    // 23:59:59.999: still the first day.
    f.clock.advance(Duration::from_millis(1_999));
    assert_eq!(
        get(&f.pipeline, "/prod/keyed", Some(SILVER)).await.status,
        429
    );
    // Midnight UTC: a full day's five.
    f.clock.advance(Duration::from_millis(1));
    assert_eq!(
        statuses(&f.pipeline, "/prod/keyed", Some(SILVER), 6).await,
        [200, 200, 200, 200, 200, 429]
    );
}

#[tokio::test]
async fn rate_limit_headers_are_opt_in() {
    let f = fixture("{ account: null, rate_limit_headers: true }");
    let first = get(&f.pipeline, "/prod/open", None).await;
    assert_eq!(first.headers["ratelimit-limit"], "3");
    assert_eq!(first.headers["ratelimit-remaining"], "2");
    assert_eq!(first.headers["ratelimit-reset"], "1");
    get(&f.pipeline, "/prod/open", None).await;
    get(&f.pipeline, "/prod/open", None).await;
    let refused = get(&f.pipeline, "/prod/open", None).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.headers["ratelimit-remaining"], "0");
    assert_eq!(refused.headers["retry-after"], "1");
}

/// HTTP APIs throttle by stage and route (default route settings and route
/// settings), keyed by route key.
#[tokio::test]
async fn an_http_api_throttles_by_route() {
    const HTTP_API: &str = r##"openapi: "3.0.1"
info: { title: "items", version: "1" }
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /items:
    get:
      x-amazon-apigateway-integration: &proxy
        type: "http_proxy"
        httpMethod: "GET"
        uri: "http://127.0.0.1:9/items"
        payloadFormatVersion: "1.0"
  /other:
    get:
      x-amazon-apigateway-integration: *proxy
"##;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), HTTP_API).unwrap();
    let file = dir.path().join("gateway.yaml");
    std::fs::write(
        &file,
        "apis:\n  - openapi: api.yaml\n    stages:\n      - name: $default\n        throttle: { rate_limit: 1, burst_limit: 3 }\n        method_throttle: { \"GET /items\": { rate_limit: 1, burst_limit: 1 } }\nthrottling: { account: null }\n",
    )
    .unwrap();
    let config = config::load(&Source::Config(file), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let start = UNIX_EPOCH + Duration::from_secs(START_SECS);
    let clock = Arc::new(ManualClock::new(start));
    let pipeline = Pipeline::new(
        Arc::new(ArcSwap::from_pointee(
            Gateway::compile_at(&config, start).unwrap(),
        )),
        UpstreamClient::new(&UpstreamSettings::default()).unwrap(),
    )
    .with_clock(clock);
    // Admitted requests reach a closed port (503); refused ones never leave (429).
    let items = statuses(&pipeline, "/items", None, 2).await;
    assert_ne!(items[0], 429);
    assert_eq!(items[1], 429);
    let refused = get(&pipeline, "/items", None).await;
    assert_eq!(refused.body, r#"{"message":"Too Many Requests"}"#);
    let other = statuses(&pipeline, "/other", None, 4).await;
    assert!(other[..3].iter().all(|s| *s != 429), "{other:?}");
    assert_eq!(other[3], 429);
}

/// Beyond AWS: a stage throttle with `per` gives each caller its own bucket.
#[tokio::test]
async fn a_stage_throttle_per_caller_gives_each_its_own_bucket() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), API).unwrap();
    let file = dir.path().join("gateway.yaml");
    std::fs::write(
        &file,
        "apis:\n  - openapi: api.yaml\n    stages:\n      - name: $default\n        method_throttle: { \"/open/GET\": { rate_limit: 1, burst_limit: 2, per: \"header:X-Tenant\" } }\nthrottling: { account: null }\n",
    )
    .unwrap();
    let config = config::load(&Source::Config(file), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let start = UNIX_EPOCH + Duration::from_secs(START_SECS);
    let pipeline = Pipeline::new(
        Arc::new(ArcSwap::from_pointee(
            Gateway::compile_at(&config, start).unwrap(),
        )),
        UpstreamClient::new(&UpstreamSettings::default()).unwrap(),
    )
    .with_clock(Arc::new(ManualClock::new(start)));
    let connection = Connection {
        peer: "127.0.0.1:40000".parse().unwrap(),
        local: "127.0.0.1:3000".parse().unwrap(),
        tls: false,
    };
    let tenant = |name: Option<&'static str>| {
        let pipeline = pipeline.clone();
        async move {
            let mut request = http::Request::get("/open").header("host", "localhost");
            if let Some(name) = name {
                request = request.header("x-tenant", name);
            }
            let response = pipeline
                .handle(request.body(Full::new(Bytes::new())).unwrap(), connection)
                .await;
            response.status().as_u16()
        }
    };
    for name in [Some("a"), Some("b"), None] {
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(tenant(name).await);
        }
        assert_eq!(answers, [200, 200, 429], "tenant {name:?}");
    }
}

/// Limits that cannot be served are errors naming their place.
#[test]
fn bad_limits_are_refused_at_load_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), API).unwrap();
    let load = |config: &str| {
        let file = dir.path().join("gateway.yaml");
        std::fs::write(&file, config).unwrap();
        config::load(&Source::Config(file), &Overrides::default())
            .map(|_| ())
            .unwrap_err()
            .to_string()
    };
    let api = "apis:\n  - openapi: api.yaml\n    id: shop\n";
    let cases = [
        (
            format!(
                "{api}    stages: [{{name: prod, throttle: {{rate_limit: -1, burst_limit: 1}}}}]\n"
            ),
            "apis[0].stages[0].throttle: the rate limit must be a finite number",
        ),
        (
            format!(
                "{api}    stages: [{{name: prod, method_throttle: {{\"/nope/GET\": {{rate_limit: 1, burst_limit: 1}}}}}}]\n"
            ),
            "API `shop` has no method `GET /nope`",
        ),
        (
            format!(
                "{api}    stages: [{{name: prod, throttle: {{rate_limit: 1, burst_limit: 1, per: cookie}}}}]\n"
            ),
            "`cookie` is not a caller key",
        ),
        (
            format!(
                "{api}usage_plans: [{{id: p, throttle: {{rate_limit: 1, burst_limit: 1, per: client_ip}}}}]\n"
            ),
            "usage_plans[0].throttle.per: `per` applies to stage throttles",
        ),
        (
            format!("{api}usage_plans: [{{id: p, keys: [ghost]}}]\n"),
            "no API key has the id `ghost`",
        ),
        (
            format!(
                "{api}api_keys: [{{id: a, value: same-value-0123456789}}, {{id: b, value: same-value-0123456789}}]\n"
            ),
            "key `b` has the value of another key",
        ),
        (
            format!("{api}admin: {{address: \"0.0.0.0:9001\"}}\n"),
            "admin.address: the admin listener reads and resets usage: it listens on loopback only",
        ),
        (
            format!("{api}redis: {{url: \"http://user:secret@127.0.0.1:6379\"}}\n"),
            "redis.url: the Redis URL must start with redis://",
        ),
    ];
    for (config, expected) in cases {
        let error = load(&config);
        assert!(error.contains(expected), "{config}\n→ {error}");
        assert!(
            !error.contains("secret"),
            "secrets stay out of errors: {error}"
        );
    }
}
