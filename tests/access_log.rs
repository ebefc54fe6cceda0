//! Access logs through the real binary: AWS format strings written per
//! stage to files, parsed back field by field.

mod support;

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use support::{Client, Server, echo_backend, portcullis, write_file};

const REST_API: &str = r#"
openapi: "3.0.1"
info: { title: "logged", version: "1" }
paths:
  /pets/{id}:
    get:
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses:
          default:
            statusCode: "200"
            responseTemplates: { application/json: '{"pet": "$input.params(''id'')"}' }
"#;

fn http_api(backend: std::net::SocketAddr) -> String {
    format!(
        r#"
openapi: "3.0.1"
info: {{ title: "proxied", version: "1" }}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /items:
    get:
      x-amazon-apigateway-integration:
        type: "http_proxy"
        httpMethod: "GET"
        uri: "http://{backend}/backend/items"
        payloadFormatVersion: "1.0"
"#
    )
}

/// JSON with every variable the issue lists, as a user would write it.
const JSON_FORMAT: &str = r#"{"requestId":"$context.requestId","extendedRequestId":"$context.extendedRequestId","ip":"$context.identity.sourceIp","ua":"$context.identity.userAgent","method":"$context.httpMethod","resourcePath":"$context.resourcePath","routeKey":"$context.routeKey","path":"$context.path","status":"$context.status","responseLength":"$context.responseLength","requestTime":"$context.requestTime","requestTimeEpoch":"$context.requestTimeEpoch","integrationLatency":"$context.integrationLatency","responseLatency":"$context.responseLatency","integrationStatus":"$context.integrationStatus","errorMessage":"$context.error.message","errorType":"$context.error.responseType","stage":"$context.stage","apiId":"$context.apiId","protocol":"$context.protocol"}"#;

fn read_lines(path: &Path, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<String> = text.lines().map(str::to_owned).collect();
        if lines.len() >= count || Instant::now() > deadline {
            assert_eq!(
                lines.len(),
                count,
                "expected {count} lines in {}:\n{text}",
                path.display()
            );
            return lines;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[test]
fn json_and_clf_lines_carry_each_requests_context() {
    let dir = tempfile::tempdir().unwrap();
    let backend = echo_backend(10);
    write_file(dir.path(), "rest.yaml", REST_API);
    write_file(dir.path(), "http.yaml", &http_api(backend));
    std::fs::create_dir(dir.path().join("logs")).unwrap();
    // JSON for one stage; CLF (a preset) for every stage without its own
    // (one API per gateway: both answer on Host localhost).
    let rest_config = format!(
        "apis:\n  - openapi: rest.yaml\n    stages:\n      - name: prod\n        access_log:\n          format: '{JSON_FORMAT}'\n          destination: logs/rest.log\n"
    );
    let http_config =
        "apis:\n  - openapi: http.yaml\naccess_log:\n  format: CLF\n  destination: logs/clf.log\n";
    let rest_file = write_file(dir.path(), "rest-gateway.yaml", &rest_config);
    let http_file = write_file(dir.path(), "http-gateway.yaml", http_config);
    let rest_server = Server::start(&["--config", rest_file.to_str().unwrap()]);
    let http_server = Server::start(&["--config", http_file.to_str().unwrap()]);
    let before = now_ms();

    let mut client = Client::connect(rest_server.addr).unwrap();
    let ok = client
        .request(
            "GET",
            "/prod/pets/7",
            &[("User-Agent", "tester \"quoted\"")],
            b"",
        )
        .unwrap();
    assert_eq!(ok.status, 200);
    let missing = client.request("GET", "/prod/nothing", &[], b"").unwrap();
    assert_eq!(missing.status, 403);
    let proxied = Client::connect(http_server.addr)
        .unwrap()
        .request("GET", "/items", &[], b"")
        .unwrap();
    assert_eq!(proxied.status, 200);

    let rest = read_lines(&dir.path().join("logs/rest.log"), 2);
    let first: serde_json::Value = serde_json::from_str(&rest[0]).expect("a JSON line");
    assert_eq!(first["requestId"], ok.header("x-amzn-requestid").unwrap());
    assert_eq!(
        first["extendedRequestId"],
        ok.header("x-amz-apigw-id").unwrap()
    );
    assert_eq!(first["ip"], "127.0.0.1");
    assert_eq!(
        first["ua"], "tester \"quoted\"",
        "escaped, so the JSON stays valid"
    );
    assert_eq!(first["method"], "GET");
    assert_eq!(first["resourcePath"], "/pets/{id}");
    assert_eq!(first["path"], "/prod/pets/7");
    assert_eq!(first["status"], "200");
    assert_eq!(first["responseLength"], ok.body.len().to_string());
    assert_eq!(first["stage"], "prod");
    assert_eq!(first["apiId"], "rest");
    assert_eq!(first["protocol"], "HTTP/1.1");
    assert_eq!(first["errorMessage"], "-");
    assert_eq!(first["errorType"], "-");
    let epoch: u64 = first["requestTimeEpoch"].as_str().unwrap().parse().unwrap();
    assert!(
        epoch >= before.saturating_sub(1000) && epoch <= now_ms(),
        "{epoch}"
    );
    let time = first["requestTime"].as_str().unwrap();
    assert!(
        time.len() == 26 && time.ends_with(" +0000") && time.as_bytes()[2] == b'/',
        "CLF time: {time}"
    );
    let latency: u64 = first["responseLatency"].as_str().unwrap().parse().unwrap();
    assert!(latency < 5_000);

    let second: serde_json::Value = serde_json::from_str(&rest[1]).unwrap();
    assert_eq!(second["status"], "403");
    assert_eq!(second["errorMessage"], "Missing Authentication Token");
    assert_eq!(second["errorType"], "MISSING_AUTHENTICATION_TOKEN");
    assert_eq!(second["resourcePath"], "-", "no route matched");
    assert_eq!(second["integrationLatency"], "-");

    // CLF: ip caller user [time] "METHOD routeKey protocol" status length requestId
    let clf = read_lines(&dir.path().join("logs/clf.log"), 1);
    let line = &clf[0];
    let (head, rest) = line.split_once(" [").unwrap();
    assert_eq!(head, "127.0.0.1 - -");
    let (time, rest) = rest.split_once("] ").unwrap();
    assert_eq!(time.len(), 26, "{time}");
    let (request, rest) = rest.strip_prefix('"').unwrap().split_once("\" ").unwrap();
    assert_eq!(request, "GET GET /items HTTP/1.1");
    let fields: Vec<&str> = rest.split(' ').collect();
    assert_eq!(fields[0], "200");
    assert_eq!(fields[1], proxied.body.len().to_string());
    assert_eq!(fields[2], proxied.header("apigw-requestid").unwrap());
    assert_eq!(fields.len(), 3);
}

#[test]
fn the_flag_logs_to_stdout_and_rotation_follows_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let api = write_file(dir.path(), "rest.yaml", REST_API);
    // --access-log: standard output.
    let mut child = portcullis()
        .args([
            "serve",
            "--openapi",
            api.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .args([
            "--access-log",
            "$context.requestId $context.httpMethod $context.status",
        ])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let addr = {
        use std::io::BufRead;
        let mut lines = stderr.lines();
        loop {
            let line = lines.next().expect("a listening line").unwrap();
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + "listening on http://".len()..];
                let end = rest
                    .find(|c: char| c == '"' || c.is_whitespace())
                    .unwrap_or(rest.len());
                break rest[..end].parse::<std::net::SocketAddr>().unwrap();
            }
        }
    };
    let reply = Client::connect(addr)
        .unwrap()
        .request("DELETE", "/pets/1", &[], b"")
        .unwrap();
    assert_eq!(reply.status, 403);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a line on stdout");
    let id = reply.header("x-amzn-requestid").unwrap();
    assert_eq!(line, format!("{id} DELETE 403"));
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_rotated_file_is_reopened_on_reload() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "rest.yaml", REST_API);
    let config = "apis:\n  - openapi: rest.yaml\naccess_log:\n  format: '$context.requestId $context.path'\n  destination: access.log\n";
    let file = write_file(dir.path(), "gateway.yaml", config);
    let server = Server::start(&["--config", file.to_str().unwrap()]);
    let log = dir.path().join("access.log");
    assert_eq!(support::get(server.addr, "/pets/1").unwrap().status, 200);
    read_lines(&log, 1);
    std::fs::rename(&log, dir.path().join("access.log.1")).unwrap();
    server.signal("HUP");
    assert!(
        server
            .wait_log("configuration reloaded", Duration::from_secs(10))
            .is_some(),
        "the reload happened"
    );
    assert_eq!(support::get(server.addr, "/pets/2").unwrap().status, 200);
    let lines = read_lines(&log, 1);
    assert!(lines[0].ends_with(" /pets/2"), "{lines:?}");
    assert_eq!(read_lines(&dir.path().join("access.log.1"), 1).len(), 1);
}

#[test]
fn formats_aws_refuses_are_errors_and_unknown_variables_warnings() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "rest.yaml", REST_API);
    let config = "apis:\n  - openapi: rest.yaml\n    stages:\n      - name: prod\n        access_log:\n          format: '$context.status $context.nope'\n";
    let file = write_file(dir.path(), "gateway.yaml", config);
    let output = portcullis()
        .args(["validate", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{text}");
    assert!(
        text.contains("apis[0].stages[0].access_log.format")
            && text.contains("must contain $context.requestId or $context.extendedRequestId"),
        "{text}"
    );

    let config = "apis:\n  - openapi: rest.yaml\naccess_log:\n  format: '$context.requestId $context.nope'\n";
    let file = write_file(dir.path(), "gateway.yaml", config);
    let output = portcullis()
        .args(["validate", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains("access_log") && text.contains("$context.nope is not a $context variable"),
        "{text}"
    );
}
