//! Tracing through the real binary: `X-Amzn-Trace-Id` and `traceparent`
//! reach an HTTP backend (kept when the client sent them, created when it
//! did not) and a local Lambda function (in its event and its runtime's
//! `_X_AMZN_TRACE_ID`); with `tracing.otlp` set, an OTLP/HTTP receiver in
//! this test gets the request's spans, under the request's trace id.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use support::{Client, Server, portcullis, write_file};

const CLIENT_TRACE: &str =
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

/// A loopback backend answering each request (at most `max` connections)
/// with the request's header lines as its body, one `name: value` a line.
fn header_echo_backend(max: usize) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream);
                let mut head = String::new();
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                line.clear();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line.trim_end().is_empty() {
                        break;
                    }
                    head.push_str(line.trim_end());
                    head.push('\n');
                    line.clear();
                }
                let _ = reader.get_mut().write_all(
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
                        head.len()
                    )
                    .as_bytes(),
                );
            });
        }
    });
    addr
}

/// The value of header `name` in an echoed head.
fn echoed<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.lines().find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// An OTLP/HTTP receiver: accepts `POST /v1/traces` (protobuf), answers 200
/// and hands each decoded export to the returned channel.
fn otlp_receiver() -> (SocketAddr, mpsc::Receiver<ExportTraceServiceRequest>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(stream) = stream else { continue };
            let tx = tx.clone();
            std::thread::spawn(move || serve_otlp(stream, &tx));
        }
    });
    (addr, rx)
}

/// Serves the requests of one (keep-alive) connection.
fn serve_otlp(stream: TcpStream, tx: &mpsc::Sender<ExportTraceServiceRequest>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0;
        let mut content_type = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                } else if name.eq_ignore_ascii_case("content-type") {
                    value.trim().clone_into(&mut content_type);
                }
            }
            line.clear();
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let accepted = request_line.starts_with("POST /v1/traces ")
            && content_type == "application/x-protobuf";
        let status = if accepted {
            "200 OK"
        } else {
            "400 Bad Request"
        };
        let _ = reader.get_mut().write_all(
            format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n"
            )
            .as_bytes(),
        );
        if accepted {
            let export = ExportTraceServiceRequest::decode(&body[..]).expect("OTLP protobuf");
            let _ = tx.send(export);
        }
    }
}

/// The config of a REST API on stage `prod`: `GET /http` proxies to
/// `backend`, `GET /fn` is a local function when `function` is given,
/// `GET /mock` is a MOCK; `extra` is appended (e.g. `tracing:`).
fn write_config(dir: &Path, backend: SocketAddr, function: Option<&str>, extra: &str) -> String {
    let mut paths = format!(
        r#"openapi: "3.0.1"
info: {{ title: traced, version: "1" }}
paths:
  /http:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: "http://{backend}/echo"
  /mock:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{ application/json: '{{"statusCode": 200}}' }}
        responses: {{ default: {{ statusCode: "200" }} }}
"#
    );
    let mut functions = String::new();
    if let Some(command) = function {
        paths.push_str(
            r#"  /fn:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tracefn/invocations"
"#,
        );
        functions = format!("functions:\n  tracefn:\n    command: {command:?}\n    cwd: .\n");
    }
    write_file(dir, "api.yaml", &paths);
    let config = format!(
        "apis:\n  - openapi: api.yaml\n    id: traced1234\n    stages: [{{ name: prod }}]\n{functions}{extra}"
    );
    write_file(dir, "portcullis.yaml", &config)
        .to_str()
        .unwrap()
        .to_owned()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Checks `header` is an X-Ray header of a new trace started about now, and
/// returns its `Root` (`1-{8 hex}-{24 hex}`).
fn new_root(header: &str) -> String {
    let root = header
        .split(';')
        .find_map(|f| f.strip_prefix("Root="))
        .unwrap_or_else(|| panic!("no Root in {header:?}"));
    let parts: Vec<&str> = root.split('-').collect();
    assert_eq!(parts.len(), 3, "{root}");
    assert_eq!(parts[0], "1");
    assert_eq!(parts[1].len(), 8, "{root}");
    assert_eq!(parts[2].len(), 24, "{root}");
    assert!(
        parts[1..]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
    );
    let secs = u64::from_str_radix(parts[1], 16).unwrap();
    assert!(now_secs().abs_diff(secs) <= 60, "time part {secs} is now");
    root.to_owned()
}

#[test]
fn http_integrations_receive_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let backend = header_echo_backend(16);
    let config = write_config(dir.path(), backend, None, "");
    let server = Server::start(&["--config", &config]);
    let mut client = Client::connect(server.addr).unwrap();

    // The client's X-Ray header is kept; a traceparent names the same trace.
    let reply = client
        .request(
            "GET",
            "/prod/http",
            &[("X-Amzn-Trace-Id", CLIENT_TRACE)],
            b"",
        )
        .unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(echoed(&reply.body, "x-amzn-trace-id"), Some(CLIENT_TRACE));
    assert_eq!(
        echoed(&reply.body, "traceparent"),
        Some("00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01")
    );

    // None sent: one is created, shaped as X-Ray's, the same in both forms.
    let reply = client.request("GET", "/prod/http", &[], b"").unwrap();
    let xray = echoed(&reply.body, "x-amzn-trace-id").expect("a trace header");
    let root = new_root(xray);
    let traceparent = echoed(&reply.body, "traceparent").expect("a traceparent");
    let hex = root[2..].replace('-', "");
    assert!(
        traceparent.starts_with(&format!("00-{hex}-")),
        "{traceparent} vs {root}"
    );
    // Another request, another trace.
    let again = client.request("GET", "/prod/http", &[], b"").unwrap();
    assert_ne!(echoed(&again.body, "x-amzn-trace-id"), Some(xray));

    // A W3C client: its trace and state go on; X-Ray's header names the same trace.
    let reply = client
        .request(
            "GET",
            "/prod/http",
            &[
                (
                    "traceparent",
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                ),
                ("tracestate", "congo=t61rcWkgMzE"),
            ],
            b"",
        )
        .unwrap();
    assert_eq!(
        echoed(&reply.body, "traceparent"),
        Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
    );
    assert_eq!(echoed(&reply.body, "tracestate"), Some("congo=t61rcWkgMzE"));
    assert_eq!(
        echoed(&reply.body, "x-amzn-trace-id"),
        Some("Root=1-0af76519-16cd43dd8448eb211c80319c;Parent=b7ad6b7169203331;Sampled=1")
    );

    // A malformed header is replaced, not refused.
    let reply = client
        .request(
            "GET",
            "/prod/http",
            &[("X-Amzn-Trace-Id", "Root=1-nothex;Parent=x")],
            b"",
        )
        .unwrap();
    assert_eq!(reply.status, 200);
    new_root(echoed(&reply.body, "x-amzn-trace-id").unwrap());
}

#[test]
fn local_functions_receive_the_trace() {
    let python = std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: this test runs a handler with the awslambdaric \
             runtime client; run it through scripts/test.sh, which installs it"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    write_file(
        dir.path(),
        "handler.py",
        r#"import json, os

def handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({
            "headers": event["headers"],
            "runtime": os.environ.get("_X_AMZN_TRACE_ID"),
        }),
    }
"#,
    );
    let backend = header_echo_backend(1);
    let command = format!("{python} -m awslambdaric handler.handler");
    let config = write_config(dir.path(), backend, Some(&command), "");
    let mut command = portcullis();
    command.current_dir(dir.path());
    let server = Server::start_with(command, &["--config", &config]);
    let mut client = Client::connect(server.addr).unwrap();

    let reply = client
        .request("GET", "/prod/fn", &[("X-Amzn-Trace-Id", CLIENT_TRACE)], b"")
        .unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    let seen: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    // The REST event spells the header as AWS does, with the client's trace.
    assert_eq!(seen["headers"]["X-Amzn-Trace-Id"], CLIENT_TRACE, "{seen}");
    // The runtime got it through Lambda-Runtime-Trace-Id.
    assert_eq!(seen["runtime"], CLIENT_TRACE, "{seen}");

    let reply = client.request("GET", "/prod/fn", &[], b"").unwrap();
    let seen: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    let header = seen["headers"]["X-Amzn-Trace-Id"]
        .as_str()
        .unwrap_or_else(|| panic!("a trace header in {seen}"));
    let root = new_root(header);
    let runtime = seen["runtime"].as_str().unwrap();
    assert!(runtime.starts_with(&format!("Root={root}")), "{runtime}");
}

/// Attributes of `span` as text.
fn attributes(span: &Span) -> HashMap<String, String> {
    span.attributes
        .iter()
        .filter_map(|kv| {
            let value = match kv.value.as_ref()?.value.as_ref()? {
                Value::StringValue(s) => s.clone(),
                Value::IntValue(i) => i.to_string(),
                Value::BoolValue(b) => b.to_string(),
                Value::DoubleValue(d) => d.to_string(),
                _ => return None,
            };
            Some((kv.key.clone(), value))
        })
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn spans_are_exported_over_otlp_under_the_request_trace() {
    let dir = tempfile::tempdir().unwrap();
    let backend = header_echo_backend(4);
    let (receiver, exports) = otlp_receiver();
    let extra = format!(
        "tracing:\n  otlp:\n    endpoint: http://{receiver}\n    service_name: traced-gateway\n"
    );
    let config = write_config(dir.path(), backend, None, &extra);
    let mut server = Server::start(&["--config", &config]);
    let mut client = Client::connect(server.addr).unwrap();

    // A traced client: the gateway's span becomes the backend's parent.
    let reply = client
        .request(
            "GET",
            "/prod/http",
            &[("X-Amzn-Trace-Id", CLIENT_TRACE)],
            b"",
        )
        .unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    let request_id = reply.header("x-amzn-requestid").unwrap().to_owned();
    let forwarded = echoed(&reply.body, "x-amzn-trace-id").unwrap().to_owned();
    let gateway_span = forwarded
        .strip_prefix("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=")
        .and_then(|rest| rest.strip_suffix(";Sampled=1"))
        .unwrap_or_else(|| panic!("the same trace, a new parent: {forwarded}"))
        .to_owned();
    assert_ne!(gateway_span, "53995c3f42cd8ad8");

    // An untraced client: the exported trace is the one the backend saw.
    let reply = client.request("GET", "/prod/http", &[], b"").unwrap();
    let root = new_root(echoed(&reply.body, "x-amzn-trace-id").unwrap());
    let new_trace = root[2..].replace('-', "");

    // SIGTERM flushes the exporter before the gateway exits.
    server.signal("TERM");
    let status = server.wait_exit(Duration::from_secs(20)).expect("exits");
    assert!(status.success(), "{status:?}");

    let mut spans: Vec<(Span, String)> = Vec::new();
    while let Ok(export) = exports.recv_timeout(Duration::from_secs(2)) {
        for resource in export.resource_spans {
            let service = resource
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                .find(|kv| kv.key == "service.name")
                .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                    Value::StringValue(s) => Some(s.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            for scope in resource.scope_spans {
                spans.extend(scope.spans.into_iter().map(|s| (s, service.clone())));
            }
        }
    }
    let requests: Vec<&(Span, String)> =
        spans.iter().filter(|(s, _)| s.name == "request").collect();
    assert_eq!(
        requests.len(),
        2,
        "two request spans: {:?}",
        spans.iter().map(|(s, _)| &s.name).collect::<Vec<_>>()
    );

    let (traced, service) = requests
        .iter()
        .find(|(s, _)| hex(&s.trace_id) == "5759e988bd862e3fe1be46a994272793")
        .expect("the client's trace id");
    assert_eq!(service, "traced-gateway");
    assert_eq!(hex(&traced.parent_span_id), "53995c3f42cd8ad8");
    assert_eq!(hex(&traced.span_id), gateway_span);
    assert_eq!(traced.kind, 2, "a server span");
    let attrs = attributes(traced);
    assert_eq!(attrs["api"], "traced1234");
    assert_eq!(attrs["stage"], "prod");
    assert_eq!(attrs["route"], "GET /http");
    assert_eq!(attrs["method"], "GET");
    assert_eq!(attrs["request_id"], request_id);
    assert_eq!(attrs["trace_id"], "1-5759e988-bd862e3fe1be46a994272793");
    assert_eq!(attrs["status"], "200");
    // The phases, children of the request span, in the same trace.
    let children: Vec<&str> = spans
        .iter()
        .filter(|(s, _)| s.parent_span_id == traced.span_id)
        .map(|(s, _)| {
            assert_eq!(s.trace_id, traced.trace_id);
            s.name.as_str()
        })
        .collect();
    for phase in [
        "throttle",
        "body",
        "map_request",
        "integrate",
        "map_response",
    ] {
        assert!(children.contains(&phase), "{phase} in {children:?}");
    }

    let (untraced, _) = requests
        .iter()
        .find(|(s, _)| hex(&s.trace_id) == new_trace)
        .expect("the generated trace id");
    assert!(untraced.parent_span_id.is_empty(), "a root span");
}
