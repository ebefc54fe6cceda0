//! Metrics and the admin listener through the `portcullis` binary: requests
//! of every outcome on a REST and an HTTP API, then `/metrics` read by
//! Prometheus's own Python parser (`prometheus_client`) and every count
//! checked exactly; `/healthz`, `/ready` (with Redis down: 503), `POST /reload`.

mod support;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::*;

fn python() -> String {
    support::python("parse /metrics with prometheus_client")
}

const REST: &str = r##"openapi: "3.0.1"
info: { title: "shop", version: "1" }
paths:
  /pets:
    get:
      x-amazon-apigateway-integration: &ok
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '{"ok": true}' } } }
  /pets/{id}:
    get:
      parameters: [ { name: id, in: path, required: true, schema: { type: string } } ]
      x-amazon-apigateway-integration: *ok
  /gone:
    get:
      responses: { "404": { description: "gone" } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 404}' }
        responses: { default: { statusCode: "404", responseTemplates: { application/json: '{"gone": true}' } } }
  /fail:
    get:
      x-amazon-apigateway-integration: { type: "http_proxy", httpMethod: "GET", uri: "http://127.0.0.1:CLOSED/fail" }
"##;

const HTTP: &str = r##"openapi: "3.0.1"
info: { title: "items", version: "1" }
paths:
  /items:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration: { type: "http_proxy", httpMethod: "ANY", uri: "http://BACKEND/items", payloadFormatVersion: "1.0" }
  /broken:
    get:
      x-amazon-apigateway-integration: { type: "http_proxy", httpMethod: "GET", uri: "http://127.0.0.1:CLOSED/broken", payloadFormatVersion: "1.0" }
"##;

const CONFIG: &str = "apis:
  - openapi: rest.yaml
    id: shop
    stages: [ { name: prod } ]
  - openapi: http.yaml
    id: items
    type: http
";

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// One answer: status and body.
struct Answer {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

/// One request on a fresh connection, with `host` as the Host header.
fn send(addr: SocketAddr, method: &str, host: &str, path: &str, body: &[u8]) -> Answer {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a response head");
    let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    assert!(
        !headers.contains("transfer-encoding: chunked"),
        "answers here have a length: {headers}"
    );
    Answer {
        status: headers[9..12].parse().unwrap(),
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A parsed sample: name, labels, value.
type Sample = (String, Value, f64);

/// A request and what it should count: method, host, path, body, status
/// (its class is checked), the labels of its series, whether it calls an integration.
type Case<'a> = (&'a str, &'a str, &'a str, &'a [u8], u16, Value, bool);

/// `/metrics`, parsed by prometheus_client: (families by name → type, samples).
fn scrape(admin: SocketAddr) -> (BTreeMap<String, String>, Vec<Sample>) {
    let answer = send(admin, "GET", "localhost", "/metrics", b"");
    assert_eq!(answer.status, 200);
    assert!(
        answer
            .headers
            .contains("content-type: text/plain; version=0.0.4"),
        "{}",
        answer.headers
    );
    let mut child = Command::new(python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/metrics/parse.py"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python starts");
    child.stdin.take().unwrap().write_all(&answer.body).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "prometheus_client refused the text: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&answer.body)
    );
    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let families = parsed["families"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect();
    let samples = parsed["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s[0].as_str().unwrap().to_owned(),
                s[1].clone(),
                s[2].as_f64().unwrap(),
            )
        })
        .collect();
    (families, samples)
}

/// What the test expects of one series.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Expected {
    requests: u64,
    client_errors: u64,
    server_errors: u64,
    integration_calls: u64,
    bytes: u64,
}

fn labels(api: &str, stage: &str, path_label: &str, path: &str, method: &str) -> Value {
    json!({ "api": api, "stage": stage, path_label: path, "method": method })
}

#[test]
fn every_outcome_is_counted_in_its_series_and_parsed_by_prometheus_client() {
    let backend = echo_backend(16);
    let closed = closed_port().to_string();
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "rest.yaml", &REST.replace("CLOSED", &closed));
    write_file(
        dir.path(),
        "http.yaml",
        &HTTP
            .replace("CLOSED", &closed)
            .replace("BACKEND", &backend.to_string()),
    );
    let config = write_file(dir.path(), "gateway.yaml", CONFIG);
    // No `admin:` in the file: the admin listener is on by default.
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    let admin = admin_address(&server);
    assert!(admin.ip().is_loopback());

    let rest_host = "shop.execute-api.localhost";
    let http_host = "items.execute-api.localhost";
    let r = |path: &str, method: &str| labels("shop", "prod", "resource", path, method);
    let h = |route: &str, method: &str| labels("items", "$default", "route", route, method);
    let cases: Vec<Case<'_>> = vec![
        (
            "GET",
            rest_host,
            "/prod/pets",
            b"",
            200,
            r("/pets", "GET"),
            false,
        ),
        (
            "GET",
            rest_host,
            "/prod/pets",
            b"",
            200,
            r("/pets", "GET"),
            false,
        ),
        (
            "GET",
            rest_host,
            "/prod/pets",
            b"",
            200,
            r("/pets", "GET"),
            false,
        ),
        (
            "GET",
            rest_host,
            "/prod/pets/7",
            b"",
            200,
            r("/pets/{id}", "GET"),
            false,
        ),
        (
            "GET",
            rest_host,
            "/prod/gone",
            b"",
            404,
            r("/gone", "GET"),
            false,
        ),
        (
            "GET",
            rest_host,
            "/prod/gone",
            b"",
            404,
            r("/gone", "GET"),
            false,
        ),
        (
            "GET",
            rest_host,
            "/prod/fail",
            b"",
            500,
            r("/fail", "GET"),
            true,
        ),
        // A stage but no route: REST's 403, labelled with the API and stage only.
        (
            "GET",
            rest_host,
            "/prod/nowhere",
            b"",
            403,
            r("", ""),
            false,
        ),
        (
            "DELETE",
            rest_host,
            "/prod/pets",
            b"",
            403,
            r("", ""),
            false,
        ),
        // The API but no stage.
        (
            "GET",
            rest_host,
            "/dev/pets",
            b"",
            403,
            labels("shop", "", "resource", "", ""),
            false,
        ),
        (
            "GET",
            http_host,
            "/items",
            b"",
            200,
            h("ANY /items", "ANY"),
            true,
        ),
        (
            "POST",
            http_host,
            "/items",
            b"hello world",
            200,
            h("ANY /items", "ANY"),
            true,
        ),
        (
            "GET",
            http_host,
            "/broken",
            b"",
            500,
            h("GET /broken", "GET"),
            true,
        ),
        ("GET", http_host, "/missing", b"", 404, h("", ""), false),
        // No API at all: every label empty (REST-shaped, as the answer is).
        (
            "GET",
            "nobody.execute-api.localhost",
            "/x",
            b"",
            403,
            labels("", "", "resource", "", ""),
            false,
        ),
        (
            "GET",
            "nobody.execute-api.localhost",
            "/y",
            b"",
            403,
            labels("", "", "resource", "", ""),
            false,
        ),
    ];
    let mut expected: Vec<(Value, Expected)> = Vec::new();
    for (method, host, path, body, class, series, integration) in cases {
        let answer = send(server.addr, method, host, path, body);
        assert_eq!(
            answer.status / 100,
            class / 100,
            "{method} {host}{path}: {}",
            String::from_utf8_lossy(&answer.body)
        );
        let index = match expected.iter().position(|(l, _)| *l == series) {
            Some(index) => index,
            None => {
                expected.push((series, Expected::default()));
                expected.len() - 1
            }
        };
        // Bodies read by a routed request count, and every answer's body.
        let routed = expected[index].0["method"] != "";
        let e = &mut expected[index].1;
        e.requests += 1;
        e.client_errors += u64::from(answer.status / 100 == 4);
        e.server_errors += u64::from(answer.status / 100 == 5);
        e.integration_calls += u64::from(integration);
        e.bytes += answer.body.len() as u64 + if routed { body.len() as u64 } else { 0 };
    }

    let (families, samples) = scrape(admin);
    for (name, kind) in [
        ("portcullis_requests", "counter"),
        ("portcullis_client_errors", "counter"),
        ("portcullis_server_errors", "counter"),
        ("portcullis_latency_seconds", "histogram"),
        ("portcullis_integration_latency_seconds", "histogram"),
        ("portcullis_cache_hits", "counter"),
        ("portcullis_cache_misses", "counter"),
        ("portcullis_data_processed_bytes", "counter"),
        ("portcullis_limit_store_failures", "counter"),
        ("portcullis_limit_store_degraded", "gauge"),
        ("portcullis_access_log_dropped", "counter"),
    ] {
        assert_eq!(families.get(name).map(String::as_str), Some(kind), "{name}");
    }
    let value = |name: &str, labels: &Value| -> Option<f64> {
        samples
            .iter()
            .find(|(n, l, _)| n == name && l == labels)
            .map(|s| s.2)
    };
    for (series, e) in &expected {
        let got = |name: &str| value(name, series).unwrap_or_else(|| panic!("{name}{series}"));
        assert_eq!(
            got("portcullis_requests_total"),
            e.requests as f64,
            "{series}"
        );
        assert_eq!(
            got("portcullis_client_errors_total"),
            e.client_errors as f64,
            "{series}"
        );
        assert_eq!(
            got("portcullis_server_errors_total"),
            e.server_errors as f64,
            "{series}"
        );
        assert_eq!(got("portcullis_cache_hits_total"), 0.0, "{series}");
        assert_eq!(got("portcullis_cache_misses_total"), 0.0, "{series}");
        assert_eq!(
            got("portcullis_data_processed_bytes_total"),
            e.bytes as f64,
            "{series}"
        );
        assert_eq!(
            got("portcullis_latency_seconds_count"),
            e.requests as f64,
            "{series}"
        );
        assert_eq!(
            got("portcullis_integration_latency_seconds_count"),
            e.integration_calls as f64,
            "{series}"
        );
        // Buckets are cumulative and end with every observation.
        for histogram in [
            "portcullis_latency_seconds",
            "portcullis_integration_latency_seconds",
        ] {
            let bucket_name = format!("{histogram}_bucket");
            let buckets: Vec<f64> = samples
                .iter()
                .filter(|(n, l, _)| {
                    *n == bucket_name && series.as_object().unwrap().iter().all(|(k, v)| &l[k] == v)
                })
                .map(|s| s.2)
                .collect();
            assert_eq!(buckets.len(), 15, "{histogram}{series}");
            assert!(buckets.windows(2).all(|w| w[0] <= w[1]), "{buckets:?}");
            assert_eq!(
                buckets.last().copied(),
                value(&format!("{histogram}_count"), series)
            );
        }
    }
    // Nothing else was counted: one series per label set above, no more.
    let requests: Vec<_> = samples
        .iter()
        .filter(|(n, _, _)| n == "portcullis_requests_total")
        .collect();
    assert_eq!(requests.len(), expected.len(), "{requests:?}");
    assert_eq!(
        value("portcullis_limit_store_failures_total", &json!({})),
        Some(0.0)
    );
    assert_eq!(
        value("portcullis_limit_store_degraded", &json!({})),
        Some(0.0)
    );
    assert_eq!(
        value("portcullis_access_log_dropped_total", &json!({})),
        Some(0.0)
    );

    // Health and readiness (limits in memory: nothing to reach).
    let health = send(admin, "GET", "localhost", "/healthz", b"");
    assert_eq!(health.status, 200);
    let ready = send(admin, "GET", "localhost", "/ready", b"");
    assert_eq!(
        ready.status,
        200,
        "{}",
        String::from_utf8_lossy(&ready.body)
    );
    let ready: Value = serde_json::from_slice(&ready.body).unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["apis"], 2);
    assert_eq!(send(admin, "GET", "localhost", "/reload", b"").status, 405);
    assert_eq!(
        send(admin, "POST", "localhost", "/metrics", b"").status,
        405
    );
    // Counting continues: a second scrape sees one more request.
    send(server.addr, "GET", rest_host, "/prod/pets", b"");
    let (_, again) = scrape(admin);
    let pets = r("/pets", "GET");
    assert!(
        again
            .iter()
            .any(|(n, l, v)| n == "portcullis_requests_total" && *l == pets && *v == 4.0)
    );
}

#[test]
fn ready_answers_503_while_redis_does_not_answer() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &versioned_api("v1"));
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        &format!(
            "apis: [ {{ openapi: api.yaml }} ]\nredis: {{ url: \"redis://127.0.0.1:{}/\", on_failure: admit }}\n",
            closed_port()
        ),
    );
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    let admin = admin_address(&server);
    assert_eq!(send(admin, "GET", "localhost", "/healthz", b"").status, 200);
    let ready = send(admin, "GET", "localhost", "/ready", b"");
    assert_eq!(
        ready.status,
        503,
        "{}",
        String::from_utf8_lossy(&ready.body)
    );
    let body: Value = serde_json::from_slice(&ready.body).unwrap();
    assert_eq!(body["status"], "unavailable");
    let reason = body["reasons"][0].as_str().unwrap();
    assert!(
        reason.starts_with("the limit store does not answer"),
        "{reason}"
    );
    // The gateway itself serves (the failure policy admits).
    assert_eq!(get(server.addr, "/v").unwrap().status, 200);
}

#[test]
fn ready_answers_200_when_redis_answers() {
    // scripts/test.sh starts a Redis and sets REDIS_URL.
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".to_owned());
    let address = url
        .trim_start_matches("redis://")
        .split('/')
        .next()
        .unwrap_or_default();
    if TcpStream::connect(address).is_err() {
        panic!("no Redis at {url}: run the tests through scripts/test.sh, which starts one");
    }
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &versioned_api("v1"));
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        &format!(
            "apis: [ {{ openapi: api.yaml }} ]\nredis: {{ url: \"{url}\", prefix: metrics-test }}\n"
        ),
    );
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    let admin = admin_address(&server);
    let ready = send(admin, "GET", "localhost", "/ready", b"");
    assert_eq!(
        ready.status,
        200,
        "{}",
        String::from_utf8_lossy(&ready.body)
    );
}

const ONE_ROUTE: &str = r##"openapi: "3.0.1"
info: { title: "reloaded", version: "1" }
paths:
  /v:
    get:
      x-amazon-apigateway-integration: &ok
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200", responseTemplates: { application/json: '{"v": 1}' } } }
"##;

#[test]
fn post_reload_serves_a_new_route_and_refuses_a_broken_file() {
    let dir = tempfile::tempdir().unwrap();
    let api = write_file(dir.path(), "api.yaml", ONE_ROUTE);
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        "apis: [ { openapi: api.yaml } ]\nadmin: { address: \"127.0.0.1:0\" }\n",
    );
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    let admin = admin_address(&server);
    assert_eq!(get(server.addr, "/new").unwrap().status, 403);

    let two_routes =
        format!("{ONE_ROUTE}  /new:\n    get:\n      x-amazon-apigateway-integration: *ok\n");
    write_atomically(&api, &two_routes);
    let reload = send(admin, "POST", "localhost", "/reload", b"");
    assert_eq!(
        reload.status,
        200,
        "{}",
        String::from_utf8_lossy(&reload.body)
    );
    let summary: Value = serde_json::from_slice(&reload.body).unwrap();
    assert_eq!(summary["status"], "reloaded");
    assert_eq!(summary["apis"], 1);
    assert_eq!(summary["routes"], 2);
    assert_eq!(get(server.addr, "/new").unwrap().status, 200);

    write_atomically(
        &api,
        "openapi: \"3.0.1\"\npaths: [ this is not an OpenAPI document\n",
    );
    let refused = send(admin, "POST", "localhost", "/reload", b"");
    assert_eq!(
        refused.status,
        422,
        "{}",
        String::from_utf8_lossy(&refused.body)
    );
    let problems: Value = serde_json::from_slice(&refused.body).unwrap();
    assert_eq!(problems["status"], "rejected");
    let errors = problems["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().unwrap().contains("api.yaml")),
        "the problems name the file: {errors:?}"
    );
    // The previous configuration keeps serving.
    assert_eq!(get(server.addr, "/new").unwrap().status, 200);
    assert_eq!(get(server.addr, "/v").unwrap().status, 200);
}

#[test]
fn admin_flags_choose_the_address_or_turn_it_off() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", &versioned_api("v1"));
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        "apis: [ { openapi: api.yaml } ]\n",
    );
    let config = config.to_str().unwrap();

    let server = Server::start(&["--config", config, "--no-admin"]);
    // Once a request is served, every start-up line has been written.
    assert_eq!(get(server.addr, "/v").unwrap().status, 200);
    assert!(
        server
            .wait_log("admin endpoints on", Duration::from_millis(300))
            .is_none(),
        "--no-admin turns the admin listener off"
    );
    drop(server);

    let server = Server::start(&["--config", config, "--admin", "127.0.0.1:0"]);
    let admin = admin_address(&server);
    assert_eq!(send(admin, "GET", "localhost", "/healthz", b"").status, 200);
    drop(server);

    let out = portcullis()
        .args(["validate", "--config", config, "--admin", "0.0.0.0:9001"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "--admin: the admin listener reads and resets usage: it listens on loopback only"
        ),
        "{stderr}"
    );
    let off = write_file(
        dir.path(),
        "off.yaml",
        "apis: [ { openapi: api.yaml } ]\nadmin: null\n",
    );
    let server = Server::start(&["--config", off.to_str().unwrap()]);
    assert_eq!(get(server.addr, "/v").unwrap().status, 200);
    assert!(
        server
            .wait_log("admin endpoints on", Duration::from_millis(300))
            .is_none(),
        "admin: null turns the admin listener off"
    );
}
