//! Behaviours AWS records, through the `portcullis` binary: HTTP/1.1 Host
//! rules, template overrides, lenient MOCK status codes, the headers non-proxy
//! integrations send, gateway responses that see the stage, and payload 1.0
//! events spelling header names as the client did.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use support::*;

fn write(dir: &Path, name: &str, text: &str) -> String {
    write_file(dir, name, text).display().to_string()
}

/// Sends raw bytes and reads until the server closes or `limit` passes.
fn raw(addr: SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// A backend that answers one request with its request head as the body.
fn head_echo_backend() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
            head.push_str(&line);
            line.clear();
        }
        let body = head.to_ascii_lowercase();
        let _ = reader.get_mut().write_all(
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
    });
    addr
}

const HEADER: &str = "openapi: \"3.0.1\"\ninfo:\n  title: \"p\"\n  version: \"1\"\n";

#[test]
fn http11_requests_need_exactly_one_host() {
    let dir = tempfile::tempdir().unwrap();
    let api = write(
        dir.path(),
        "api.yaml",
        &format!(
            "{HEADER}paths:\n  /a:\n    get:\n      x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{\"statusCode\": 200}}'}}, responses: {{default: {{statusCode: '200'}}}}}}\n"
        ),
    );
    let server = Server::start(&["--openapi", &api]);
    for request in [
        &b"GET /a HTTP/1.1\r\nConnection: close\r\n\r\n"[..],
        b"GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n",
    ] {
        let reply = raw(server.addr, request);
        assert!(reply.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{reply}");
        assert!(
            reply.ends_with("\r\n\r\n{\"message\":\"Bad Request\"}"),
            "{reply}"
        );
    }
    let reply = raw(
        server.addr,
        b"GET /a HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
}

#[test]
fn templates_override_status_headers_and_integration_requests() {
    let backend = head_echo_backend();
    let dir = tempfile::tempdir().unwrap();
    let api = write(
        dir.path(),
        "api.yaml",
        &format!(
            r##"{HEADER}paths:
  /mock:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: |
            #set($context.responseOverride.status = 444)
            #set($context.responseOverride.header.foo = "bar")
            {{"statusCode": 200}}
        responses:
          default:
            statusCode: "200"
  /lenient:
    options:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: "{{statusCode: 200}}"
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'*'"
  /backend:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: http://{backend}/target
        requestTemplates:
          application/json: |
            #set($context.requestOverride.header.x-over = "set")
            #set($context.requestOverride.querystring.q = "1")
            {{}}
        responses:
          default:
            statusCode: "200"
"##
        ),
    );
    let server = Server::start(&["--openapi", &api]);
    let mut client = Client::connect(server.addr).unwrap();
    let reply = client.request("GET", "/mock", &[], b"").unwrap();
    assert_eq!(reply.status, 444, "{reply:?}");
    assert_eq!(reply.header("foo"), Some("bar"));
    assert_eq!(reply.body, "");
    let reply = client.request("OPTIONS", "/lenient", &[], b"").unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    let reply = client
        .request(
            "POST",
            "/backend",
            &[
                ("content-type", "application/json"),
                ("x-client", "kept out"),
            ],
            b"{}",
        )
        .unwrap();
    assert_eq!(reply.status, 200, "{reply:?}");
    let head = reply.body;
    assert!(head.starts_with("post /target?q=1 http/1.1\r\n"), "{head}");
    for line in [
        "user-agent: amazonapigateway_api\r\n",
        "x-amzn-apigateway-api-id: api\r\n",
        "accept: application/json\r\n",
        "x-over: set\r\n",
    ] {
        assert!(head.contains(line), "{line:?} missing from {head}");
    }
    assert!(!head.contains("x-client"), "{head}");
}

#[test]
fn gateway_responses_see_the_stage_of_unmatched_requests() {
    let dir = tempfile::tempdir().unwrap();
    let api = write(
        dir.path(),
        "api.yaml",
        &format!(
            r##"{HEADER}paths: {{}}
x-amazon-apigateway-gateway-responses:
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: 404
    responseTemplates:
      application/json: '{{"stage": "$context.stage", "color": "$stageVariables.color"}}'
"##
        ),
    );
    let server = Server::start(&[
        "--openapi",
        &api,
        "--stage",
        "prod",
        "--stage-variable",
        "color=green",
    ]);
    let reply = get(server.addr, "/prod/anything").unwrap();
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body, r#"{"stage": "prod", "color": "green"}"#);
}

#[test]
fn payload_1_events_keep_the_clients_header_spelling() {
    let python = std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: this test runs a handler with the awslambdaric \
             runtime client; run it through scripts/test.sh, which installs it"
        )
    });
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "names.py",
        "import json\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps(sorted(event[\"headers\"]))}\n",
    );
    let api = write(
        dir.path(),
        "api.yaml",
        &format!(
            "{HEADER}paths:\n  /names:\n    get:\n      x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, uri: 'arn:aws:lambda:us-east-1:123456789012:function:names'}}\n"
        ),
    );
    let function = format!("names={python} -m awslambdaric names.handler");
    let mut command = portcullis();
    command.current_dir(dir.path());
    let server = Server::start_with(command, &["--openapi", &api, "--function", &function]);
    let reply = raw(
        server.addr,
        b"GET /names HTTP/1.1\r\nhOsT: x\r\ntEsT-HEADeR: 1\r\nx-lower: 2\r\nConnection: close\r\n\r\n",
    );
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply}");
    let body = reply.split("\r\n\r\n").nth(1).unwrap_or_default();
    for name in [
        "\"hOsT\"",
        "\"tEsT-HEADeR\"",
        "\"x-lower\"",
        "\"X-Forwarded-For\"",
    ] {
        assert!(body.contains(name), "{name} missing from {body}");
    }
}

#[test]
fn stream_mode_passes_the_backend_body_on_as_it_arrives() {
    // A backend that sends its first chunk, then holds the rest until told.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let backend = listener.local_addr().unwrap();
    let (release, released) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nfirst;\r\n",
        );
        let _ = released.recv_timeout(Duration::from_secs(10));
        let _ = stream.write_all(b"4\r\nlast\r\n0\r\n\r\n");
    });
    let dir = tempfile::tempdir().unwrap();
    let api = write(
        dir.path(),
        "api.yaml",
        &format!(
            "{HEADER}paths:\n  /events:\n    get:\n      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: 'http://{backend}/events', responseTransferMode: STREAM}}\n"
        ),
    );
    let server = Server::start(&["--openapi", &api]);
    assert!(
        !server.startup.iter().any(|l| l.contains("WARN")),
        "{:#?}",
        server.startup
    );
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
        .write_all(b"GET /events HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    // The first chunk arrives while the backend still holds the rest.
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("first;") {
        let n = stream
            .read(&mut buf)
            .expect("the first part arrives before the end");
        assert!(n > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    assert!(!String::from_utf8_lossy(&seen).contains("last"));
    release.send(()).unwrap();
    let _ = stream.read_to_end(&mut seen);
    let all = String::from_utf8_lossy(&seen);
    assert!(all.starts_with("HTTP/1.1 200 OK\r\n"), "{all}");
    assert!(all.contains("last"), "{all}");
}
