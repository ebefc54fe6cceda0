//! Stage caches through the `portcullis` binary, against a loopback backend
//! that counts the requests reaching it: hits, misses, expiry, key
//! parameters, invalidation allowed and refused, coalescing, the size bound,
//! flushing through the admin listener, and what is never kept.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use support::*;

/// Requests the backend has seen, by path (without the query string).
#[derive(Clone, Default)]
struct Counts(Arc<Mutex<HashMap<String, u64>>>);

impl Counts {
    fn of(&self, target: &str) -> u64 {
        self.0.lock().unwrap().get(target).copied().unwrap_or(0)
    }

    fn bump(&self, target: &str) -> u64 {
        let mut counts = self.0.lock().unwrap();
        let count = counts.entry(target.to_owned()).or_default();
        *count += 1;
        *count
    }
}

/// A keep-alive backend answering `n=COUNT target=TARGET`, where COUNT is
/// how many requests for that target it has seen. Paths choose behaviour:
/// `/slow` waits 300 ms, `/fail` answers 502, `/big` sends 1.5 MB,
/// `/nostore` says `Cache-Control: no-store`, `/maxage` says `max-age=1`.
fn counting_backend() -> (SocketAddr, Counts) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Counts::default();
    let shared = counts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_nodelay(true);
            let counts = shared.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        return;
                    }
                    let mut line = String::new();
                    let mut length = 0usize;
                    while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                        let trimmed = line.trim_end();
                        if trimmed.is_empty() {
                            break;
                        }
                        if let Some((name, value)) = trimmed.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap_or(0);
                        }
                        line.clear();
                    }
                    let mut body = vec![0; length];
                    let _ = std::io::Read::read_exact(&mut reader, &mut body);
                    let target = request_line
                        .split_whitespace()
                        .nth(1)
                        .unwrap_or_default()
                        .to_owned();
                    let path = target.split('?').next().unwrap_or_default();
                    let count = counts.bump(path);
                    let (status, extra, mut text) = match path {
                        "/fail" => ("502 Bad Gateway", "", format!("n={count} failed")),
                        "/nostore" => (
                            "200 OK",
                            "Cache-Control: no-store\r\n",
                            format!("n={count} target={target}"),
                        ),
                        "/maxage" => (
                            "200 OK",
                            "Cache-Control: max-age=1\r\n",
                            format!("n={count} target={target}"),
                        ),
                        _ => ("200 OK", "", format!("n={count} target={target}")),
                    };
                    if path == "/slow" {
                        std::thread::sleep(Duration::from_millis(300));
                    }
                    if path == "/big" {
                        text.push_str(&"x".repeat(1_500_000));
                    }
                    let head = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\n{extra}Content-Length: {}\r\n\r\n",
                        text.len()
                    );
                    // One write: a head and body written apart wait on Nagle and delayed ACKs.
                    let answer = [head.as_bytes(), text.as_bytes()].concat();
                    if reader.get_mut().write_all(&answer).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, counts)
}

/// A REST API: every path proxied to the backend (`http_proxy`), `/items/{id}`
/// keyed by its id and `type` query string, `/keyless/{id}` keyed by nothing.
fn api(backend: SocketAddr) -> String {
    let proxied = |path: &str, method: &str, keys: &str| {
        format!(
            r#"  {path}:
    {method}:
      parameters:
        - {{ name: id, in: path, required: true, schema: {{ type: string }} }}
        - {{ name: type, in: query, schema: {{ type: string }} }}
        - {{ name: x-tenant, in: header, schema: {{ type: string }} }}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: {method_upper}
        uri: "http://{backend}{backend_path}"
        requestParameters: {{ integration.request.path.id: method.request.path.id }}
        cacheKeyParameters: [{keys}]
"#,
            method_upper = method.to_uppercase(),
            backend_path = path,
        )
    };
    let plain = |path: &str, method: &str| {
        format!(
            r#"  {path}:
    {method}:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: {method_upper}
        uri: "http://{backend}{path}"
"#,
            method_upper = method.to_uppercase(),
        )
    };
    let mut text =
        String::from("openapi: \"3.0.1\"\ninfo: { title: cached, version: \"1\" }\npaths:\n");
    text.push_str(&proxied(
        "/items/{id}",
        "get",
        "method.request.path.id, method.request.querystring.type, method.request.header.x-tenant",
    ));
    text.push_str(&proxied("/keyless/{id}", "get", ""));
    for path in [
        "/short",
        "/slow",
        "/fail",
        "/big",
        "/nostore",
        "/maxage",
        "/open",
        "/strict",
        "/quiet",
        "/warned",
        "/uncached",
    ] {
        text.push_str(&plain(path, "get"));
    }
    text.push_str(&plain("/posted", "post"));
    text.push_str(&plain("/postonly", "post"));
    text
}

const CONFIG: &str = r#"apis:
  - openapi: api.yaml
    id: shop
    stages:
      - name: prod
        cache:
          ttl_seconds: 300
          methods:
            "GET /short": { ttl_seconds: 1 }
            "GET /nostore": { backend_cache_control: true }
            "GET /maxage": { backend_cache_control: true }
            "GET /open": { require_authorization: false }
            "GET /strict": { unauthorized: FAIL_WITH_403 }
            "GET /quiet": { unauthorized: SUCCEED_WITHOUT_RESPONSE_HEADER }
            "GET /uncached": { enabled: false }
            "POST /posted": {}
      - name: beta
admin: { address: "127.0.0.1:0" }
"#;

struct Gateway {
    server: Server,
    admin: SocketAddr,
    counts: Counts,
    _dir: tempfile::TempDir,
}

fn start(config: &str) -> Gateway {
    let (backend, counts) = counting_backend();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &api(backend));
    let file = write_file(dir.path(), "gateway.yaml", config);
    let server = Server::start(&["--config", file.to_str().unwrap()]);
    let admin = admin_address(&server);
    Gateway {
        server,
        admin,
        counts,
        _dir: dir,
    }
}

impl Gateway {
    fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        Client::connect(self.server.addr)
            .unwrap()
            .request("GET", path, headers, b"")
            .unwrap()
    }

    fn status(&self, stage: &str) -> Value {
        let reply = Client::connect(self.admin)
            .unwrap()
            .request(
                "GET",
                &format!("/restapis/shop/stages/{stage}/cache"),
                &[],
                b"",
            )
            .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
        serde_json::from_str(&reply.body).unwrap()
    }
}

#[test]
fn hits_skip_the_backend_and_misses_fill() {
    let gw = start(CONFIG);
    let first = gw.get("/prod/items/1", &[]);
    assert_eq!(first.status, 200);
    assert_eq!(first.body, "n=1 target=/items/1");
    for _ in 0..5 {
        let again = gw.get("/prod/items/1", &[]);
        assert_eq!(again.body, first.body, "served from the cache");
        assert!(
            again.header("x-amzn-RequestId").is_some(),
            "a request id per answer"
        );
    }
    assert_eq!(gw.counts.of("/items/1"), 1);
    let status = gw.status("prod");
    assert_eq!(status["hits"], 5);
    assert_eq!(status["misses"], 1);
    assert_eq!(status["entries"], 1);

    // A stage without a cache sends every request on.
    gw.get("/beta/items/1", &[]);
    gw.get("/beta/items/1", &[]);
    assert_eq!(gw.counts.of("/items/1"), 3);
    // A method with caching turned off too.
    gw.get("/prod/uncached", &[]);
    gw.get("/prod/uncached", &[]);
    assert_eq!(gw.counts.of("/uncached"), 2);
}

#[test]
fn key_parameters_separate_entries_and_others_do_not() {
    let gw = start(CONFIG);
    let a = gw.get("/prod/items/1?type=a", &[]);
    let b = gw.get("/prod/items/1?type=b", &[]);
    let other_id = gw.get("/prod/items/2?type=a", &[]);
    let tenant = gw.get("/prod/items/1?type=a", &[("x-tenant", "t1")]);
    assert_eq!(gw.counts.of("/items/1"), 3);
    assert_eq!(gw.counts.of("/items/2"), 1);
    // Each is its own entry now.
    assert_eq!(gw.get("/prod/items/1?type=a", &[]).body, a.body);
    assert_eq!(gw.get("/prod/items/1?type=b", &[]).body, b.body);
    assert_eq!(gw.get("/prod/items/2?type=a", &[]).body, other_id.body);
    assert_eq!(
        gw.get("/prod/items/1?type=a", &[("x-tenant", "t1")]).body,
        tenant.body
    );
    // A query string not in the key does not split an entry.
    assert_eq!(gw.get("/prod/items/1?type=a&page=9", &[]).body, a.body);
    assert_eq!(gw.counts.of("/items/1"), 3);
    // Without key parameters, as on API Gateway, the path parameter does not
    // split either: /keyless/2 is answered with /keyless/1's entry.
    let first = gw.get("/prod/keyless/1", &[]);
    assert_eq!(gw.get("/prod/keyless/2", &[]).body, first.body);
}

#[test]
fn entries_expire_after_their_ttl() {
    let gw = start(CONFIG);
    let first = gw.get("/prod/short", &[]);
    assert_eq!(gw.get("/prod/short", &[]).body, first.body);
    std::thread::sleep(Duration::from_millis(1300));
    let later = gw.get("/prod/short", &[]);
    assert_eq!(later.body, "n=2 target=/short");
}

#[test]
fn max_age_zero_refreshes_when_allowed() {
    let gw = start(CONFIG);
    assert_eq!(gw.get("/prod/open", &[]).body, "n=1 target=/open");
    let refreshed = gw.get("/prod/open", &[("Cache-Control", "max-age=0")]);
    assert_eq!(refreshed.body, "n=2 target=/open");
    // The refreshed response replaced the entry.
    assert_eq!(gw.get("/prod/open", &[]).body, "n=2 target=/open");
}

#[test]
fn max_age_zero_without_authorization_follows_the_strategy() {
    let gw = start(CONFIG);
    // FAIL_WITH_403.
    gw.get("/prod/strict", &[]);
    let refused = gw.get("/prod/strict", &[("Cache-Control", "max-age=0")]);
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.header("x-amzn-ErrorType"),
        Some("AccessDeniedException")
    );
    let body: Value = serde_json::from_str(&refused.body).unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("execute-api:InvalidateCache"), "{message}");
    assert_eq!(gw.counts.of("/strict"), 1);
    // SUCCEED_WITH_RESPONSE_HEADER (the default): the cached answer, and a warning.
    let first = gw.get("/prod/warned", &[]);
    assert!(first.header("Warning").is_none());
    let warned = gw.get("/prod/warned", &[("Cache-Control", "max-age=0")]);
    assert_eq!(warned.body, first.body);
    assert!(warned.header("Warning").unwrap().contains("ignored"));
    // The warning is not kept with the entry.
    assert!(gw.get("/prod/warned", &[]).header("Warning").is_none());
    assert_eq!(gw.counts.of("/warned"), 1);
    // SUCCEED_WITHOUT_RESPONSE_HEADER: the cached answer, nothing said.
    let first = gw.get("/prod/quiet", &[]);
    let quiet = gw.get("/prod/quiet", &[("Cache-Control", "max-age=0")]);
    assert_eq!(quiet.body, first.body);
    assert!(quiet.header("Warning").is_none());
    assert_eq!(gw.counts.of("/quiet"), 1);
}

#[test]
fn concurrent_misses_for_one_key_make_one_backend_call() {
    let gw = start(CONFIG);
    let addr = gw.server.addr;
    let threads: Vec<_> = (0..100)
        .map(|_| {
            std::thread::spawn(move || {
                Client::connect(addr)
                    .unwrap()
                    .request("GET", "/prod/slow", &[], b"")
                    .unwrap()
            })
        })
        .collect();
    for thread in threads {
        let reply = thread.join().unwrap();
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, "n=1 target=/slow");
    }
    assert_eq!(gw.counts.of("/slow"), 1);
    let status = gw.status("prod");
    assert_eq!(status["misses"], 1);
    assert_eq!(status["hits"], 99);
}

#[test]
fn failures_large_bodies_and_no_store_are_never_kept() {
    let gw = start(CONFIG);
    for n in 1..=2 {
        let failed = gw.get("/prod/fail", &[]);
        assert_eq!(failed.status, 502);
        assert_eq!(failed.body, format!("n={n} failed"));
    }
    for n in 1..=2 {
        let big = gw.get("/prod/big", &[]);
        assert_eq!(big.status, 200);
        assert_eq!(big.body.len(), "n=1 target=/big".len() + 1_500_000);
        assert!(big.body.starts_with(&format!("n={n} ")));
    }
    assert_eq!(gw.status("prod")["tooLarge"], 2);
    for n in 1..=2 {
        assert_eq!(
            gw.get("/prod/nostore", &[]).body,
            format!("n={n} target=/nostore")
        );
    }
    // The backend's max-age=1 shortens the method's 300 s.
    let first = gw.get("/prod/maxage", &[]);
    assert_eq!(gw.get("/prod/maxage", &[]).body, first.body);
    std::thread::sleep(Duration::from_millis(1300));
    assert_eq!(gw.get("/prod/maxage", &[]).body, "n=2 target=/maxage");
}

#[test]
fn only_get_is_cached_unless_a_method_enables_it() {
    let gw = start(CONFIG);
    let post = |path: &str| {
        Client::connect(gw.server.addr)
            .unwrap()
            .request("POST", path, &[], b"{}")
            .unwrap()
    };
    let first = post("/prod/posted");
    assert_eq!(post("/prod/posted").body, first.body);
    assert_eq!(gw.counts.of("/posted"), 1);
    post("/prod/postonly");
    post("/prod/postonly");
    assert_eq!(gw.counts.of("/postonly"), 2);
}

#[test]
fn flushing_a_stage_through_the_admin_listener_empties_it() {
    let gw = start(CONFIG);
    gw.get("/prod/items/1", &[]);
    gw.get("/prod/items/2", &[]);
    gw.get("/prod/items/1", &[]);
    assert_eq!(gw.counts.of("/items/1"), 1);
    let flushed = Client::connect(gw.admin)
        .unwrap()
        .request("DELETE", "/restapis/shop/stages/prod/cache/data", &[], b"")
        .unwrap();
    assert_eq!(flushed.status, 202, "{}", flushed.body);
    assert_eq!(gw.get("/prod/items/1", &[]).body, "n=2 target=/items/1");
    assert_eq!(gw.get("/prod/items/2", &[]).body, "n=2 target=/items/2");
    // Unknown stages and stages without a cache are told apart.
    let missing = Client::connect(gw.admin)
        .unwrap()
        .request("DELETE", "/restapis/shop/stages/nope/cache/data", &[], b"")
        .unwrap();
    assert_eq!(missing.status, 404);
    let uncached = Client::connect(gw.admin)
        .unwrap()
        .request("DELETE", "/restapis/shop/stages/beta/cache/data", &[], b"")
        .unwrap();
    assert_eq!(uncached.status, 400);
    assert!(uncached.body.contains("no cache"), "{}", uncached.body);
}

#[test]
fn the_size_bound_holds_under_churn() {
    let config = CONFIG.replace(
        "ttl_seconds: 300\n",
        "ttl_seconds: 300\n          max_bytes: 200000\n",
    );
    let gw = start(&config);
    let mut client = Client::connect(gw.server.addr).unwrap();
    for n in 0..3000 {
        let reply = client
            .request("GET", &format!("/prod/items/{n}"), &[], b"")
            .unwrap();
        assert_eq!(reply.status, 200);
    }
    let status = gw.status("prod");
    let weighted = status["weightedBytes"].as_u64().unwrap();
    let entries = status["entries"].as_u64().unwrap();
    assert!(weighted <= 200_000, "{status}");
    assert!(
        entries > 100,
        "the bound holds entries, not nothing: {status}"
    );
    assert!(entries < 3000, "{status}");
}

#[test]
fn warnings_name_keys_that_share_entries() {
    let gw = start(CONFIG);
    let warned = |needle: &str| gw.server.startup.iter().any(|line| line.contains(needle));
    assert!(
        warned("path parameter `id` of cached `GET /keyless/{id}`"),
        "{:#?}",
        gw.server.startup
    );
    assert!(!warned("path parameter `id` of cached `GET /items/{id}`"));
}

#[test]
fn reloads_keep_entries_unless_the_bound_changes() {
    let (backend, counts) = counting_backend();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &api(backend));
    let file = write_file(dir.path(), "gateway.yaml", CONFIG);
    let server = Server::start(&["--config", file.to_str().unwrap()]);
    let admin = admin_address(&server);
    let gw = Gateway {
        server,
        admin,
        counts,
        _dir: tempfile::tempdir().unwrap(),
    };
    let reload = || {
        let reply = Client::connect(gw.admin)
            .unwrap()
            .request("POST", "/reload", &[], b"")
            .unwrap();
        assert_eq!(reply.status, 200, "{}", reply.body);
    };
    let first = gw.get("/prod/items/1", &[]);
    // A reload with another TTL keeps the entries.
    write_atomically(
        &file,
        &CONFIG.replace("ttl_seconds: 300", "ttl_seconds: 600"),
    );
    reload();
    assert_eq!(gw.get("/prod/items/1", &[]).body, first.body);
    assert_eq!(gw.counts.of("/items/1"), 1);
    // Another bound starts an empty cache, as a new cluster size does on AWS.
    write_atomically(
        &file,
        &CONFIG.replace(
            "ttl_seconds: 300\n",
            "ttl_seconds: 300\n          max_bytes: 1000000\n",
        ),
    );
    reload();
    assert_eq!(gw.get("/prod/items/1", &[]).body, "n=2 target=/items/1");
}

/// A key prefix no other test run shares.
fn unique_prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("cachetest-{test}-{}-{nanos}", std::process::id())
}

/// `CONFIG` with its entries in Redis at `url` under `prefix`, and `extra`.
fn redis_config(url: &str, prefix: &str, store: &str, extra: &str) -> String {
    format!(
        "{CONFIG}redis: {{ url: \"{url}\", prefix: {prefix}, timeout_ms: 100 }}\ncaching: {{ store: {store}{extra} }}\n"
    )
}

/// Starts gateways on one config, all calling one counting backend.
fn start_many(config: &str, count: usize) -> (Vec<Gateway>, Counts) {
    let (backend, counts) = counting_backend();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &api(backend));
    let file = write_file(dir.path(), "gateway.yaml", config);
    let gateways = (0..count)
        .map(|_| {
            let server = Server::start(&["--config", file.to_str().unwrap()]);
            let admin = admin_address(&server);
            Gateway {
                server,
                admin,
                counts: counts.clone(),
                _dir: tempfile::tempdir().unwrap(),
            }
        })
        .collect();
    // The config and API files stay while the gateways run (reloads read them).
    std::mem::forget(dir);
    (gateways, counts)
}

#[test]
fn two_gateways_share_entries_through_redis() {
    let url = redis_url();
    let config = redis_config(&url, &unique_prefix("shared"), "redis", "");
    let (gateways, counts) = start_many(&config, 2);
    let first = gateways[0].get("/prod/items/1", &[]);
    assert_eq!(first.body, "n=1 target=/items/1");
    // The entry is written to Redis after the answer is on its way.
    std::thread::sleep(Duration::from_millis(300));
    // The other node answers from the entry the first one wrote.
    assert_eq!(gateways[1].get("/prod/items/1", &[]).body, first.body);
    assert_eq!(counts.of("/items/1"), 1);
    assert_eq!(gateways[1].status("prod")["hits"], 1);
    // A flush through one node's admin listener empties the shared store.
    let flushed = Client::connect(gateways[0].admin)
        .unwrap()
        .request("DELETE", "/restapis/shop/stages/prod/cache/data", &[], b"")
        .unwrap();
    assert_eq!(flushed.status, 202);
    assert_eq!(
        gateways[1].get("/prod/items/1", &[]).body,
        "n=2 target=/items/1"
    );
}

#[test]
fn a_redis_outage_costs_backend_calls_never_failed_requests() {
    let port = OwnRedis::free_port();
    let redis = OwnRedis::start(port);
    let url = format!("redis://127.0.0.1:{port}/");
    let config = redis_config(&url, &unique_prefix("outage"), "redis", "");
    let (gateways, counts) = start_many(&config, 1);
    let gw = &gateways[0];
    let first = gw.get("/prod/items/1", &[]);
    assert_eq!(gw.get("/prod/items/1", &[]).body, first.body);
    assert_eq!(counts.of("/items/1"), 1);

    drop(redis); // stopped by PID
    let started = std::time::Instant::now();
    for n in 2..=6 {
        let reply = gw.get("/prod/items/1", &[]);
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body, format!("n={n} target=/items/1"));
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "misses, not waits: {:?}",
        started.elapsed()
    );
    assert!(gw.status("prod")["storeErrors"].as_u64().unwrap() > 0);

    // Redis comes back empty: the gateway reconnects by itself and caches again.
    let _redis = OwnRedis::start(port);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        // A miss fills the new, empty Redis (written after the answer is on
        // its way); then two requests in a row are hits.
        gw.get("/prod/items/1", &[]);
        std::thread::sleep(Duration::from_millis(150));
        let before = counts.of("/items/1");
        gw.get("/prod/items/1", &[]);
        gw.get("/prod/items/1", &[]);
        if counts.of("/items/1") == before {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the gateway did not cache again after Redis came back: {}",
            gw.status("prod")
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn encrypted_methods_reach_redis_encrypted() {
    let url = redis_url();
    let prefix = unique_prefix("encrypted");
    let config = redis_config(
        &url,
        &prefix,
        "tiered",
        ", encryption_key_env: PORTCULLIS_TEST_CACHE_KEY",
    )
    .replace(
        "ttl_seconds: 300\n",
        "ttl_seconds: 300\n          encrypted: true\n",
    );
    let (backend, counts) = counting_backend();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &api(backend));
    let file = write_file(dir.path(), "gateway.yaml", &config);
    let mut command = portcullis();
    command.env("PORTCULLIS_TEST_CACHE_KEY", "00".repeat(32));
    let server = Server::start_with(command, &["--config", file.to_str().unwrap()]);
    let gw = Gateway {
        admin: admin_address(&server),
        server,
        counts,
        _dir: dir,
    };
    let first = gw.get("/prod/items/secret-1", &[]);
    assert_eq!(gw.get("/prod/items/secret-1", &[]).body, first.body);
    assert_eq!(gw.counts.of("/items/secret-1"), 1);
    // What Redis holds does not show the body.
    let address = url.trim_start_matches("redis://").trim_end_matches('/');
    let (host, port) = address.split_once(':').unwrap_or((address, "6379"));
    let cli = |args: &[&str]| {
        let output = std::process::Command::new("redis-cli")
            .args(["-h", host, "-p", port, "--raw"])
            .args(args)
            .output()
            .expect("redis-cli runs (it comes with redis-server)");
        output.stdout
    };
    // Keys are binary (the cache key's parts with their lengths): read them in Lua.
    let pattern = format!("*{prefix}*");
    let values = cli(&[
        "EVAL",
        "local out = {} for _, k in ipairs(redis.call('KEYS', ARGV[1])) do table.insert(out, redis.call('GET', k)) end return out",
        "0",
        &pattern,
    ]);
    assert!(
        values.len() > "n=1 target=/items/secret-1".len(),
        "no entry under {prefix}"
    );
    assert!(
        !values
            .windows(b"target=/items/secret-1".len())
            .any(|w| w == b"target=/items/secret-1"),
        "the entry is stored in clear"
    );
    cli(&[
        "EVAL",
        "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) end return 0",
        "0",
        &pattern,
    ]);
}

#[test]
fn encrypted_methods_without_a_key_are_refused_at_load() {
    let config = redis_config(&redis_url(), &unique_prefix("nokey"), "redis", "").replace(
        "ttl_seconds: 300\n",
        "ttl_seconds: 300\n          encrypted: true\n",
    );
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &api("127.0.0.1:9".parse().unwrap()));
    let file = write_file(dir.path(), "gateway.yaml", &config);
    let output = portcullis()
        .args(["validate", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("in clear"), "{text}");
}
