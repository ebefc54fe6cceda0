//! CORS in a real browser: headless Chromium (Debian's `chromium`, driven by
//! Playwright from `tests/cors/browser.py`) loads pages from loopback origins
//! and `fetch`es gateways on other ports: HTTP APIs with
//! `x-amazon-apigateway-cors` (with and without `allowCredentials`) and a REST
//! API whose OPTIONS MOCK method answers the preflight. The browser decides
//! what is allowed; the test reads what it decided.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;

const CHROMIUM: &str = "/usr/bin/chromium";

fn python() -> String {
    support::python("drive Chromium with Playwright")
}

/// Serves `answer(request head)` to every connection on a loopback port, in a
/// thread that lives as long as the test process.
fn serve(answer: fn(&str, &str) -> String) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut reader = BufReader::new(stream);
                let mut head = String::new();
                let mut length = 0;
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line.trim_end().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                    head.push_str(&line);
                    line.clear();
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let reply = answer(&head, &String::from_utf8_lossy(&body));
                let _ = reader.get_mut().write_all(reply.as_bytes());
            });
        }
    });
    addr
}

/// A page for scripts to run on: its origin is `http://127.0.0.1:{port}`.
fn page(_head: &str, _body: &str) -> String {
    let html = "<!doctype html><title>cors page</title><p>a page on another origin</p>";
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
        html.len()
    )
}

/// The HTTP APIs' backend: echoes the method, path, `x-custom` and `Cookie`,
/// and sends CORS headers of its own, which the gateway must replace.
fn backend(head: &str, body: &str) -> String {
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map_or("-", |(_, v)| v.trim())
    };
    let mut words = head.split_whitespace();
    let text = format!(
        "{} {} x-custom={} cookie={} body={body}",
        words.next().unwrap_or_default(),
        words.next().unwrap_or_default(),
        header("x-custom"),
        header("cookie"),
    );
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nAccess-Control-Allow-Origin: *\r\n\
         Access-Control-Expose-Headers: x-hidden\r\nx-backend: yes\r\nx-hidden: no\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    )
}

/// An HTTP API with `GET` and `PUT /items` proxied to `backend`, and `cors`.
fn http_api(backend: SocketAddr, cors: &str) -> String {
    let route = format!(
        "{{x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: ANY, uri: 'http://{backend}/items'}}}}"
    );
    format!(
        "openapi: '3.0.1'\ninfo: {{title: cors-http, version: '1'}}\nx-amazon-apigateway-importexport-version: '1.0'\n\
         x-amazon-apigateway-cors: {cors}\npaths:\n  /items:\n    get: {route}\n    put: {route}\n"
    )
}

/// A REST API doing CORS as REST APIs do: an OPTIONS MOCK method answering
/// the preflight with static headers, `Access-Control-Allow-Origin` on the
/// PUT method's MOCK answer and on the gateway's 4XX answers.
fn rest_api(origin: &str) -> String {
    format!(
        r#"openapi: "3.0.1"
info: {{title: cors-rest, version: "1"}}
x-amazon-apigateway-gateway-responses:
  DEFAULT_4XX:
    responseParameters:
      gatewayresponse.header.Access-Control-Allow-Origin: "'{origin}'"
paths:
  /items:
    options:
      responses:
        "200":
          description: CORS preflight
          headers:
            Access-Control-Allow-Origin: {{schema: {{type: string}}}}
            Access-Control-Allow-Methods: {{schema: {{type: string}}}}
            Access-Control-Allow-Headers: {{schema: {{type: string}}}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'{origin}'"
              method.response.header.Access-Control-Allow-Methods: "'GET,PUT,OPTIONS'"
              method.response.header.Access-Control-Allow-Headers: "'Content-Type,X-Custom'"
    put:
      responses:
        "200":
          description: ok
          headers:
            Access-Control-Allow-Origin: {{schema: {{type: string}}}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: "'{origin}'"
            responseTemplates: {{application/json: '{{"put": "mocked"}}'}}
"#
    )
}

fn start(dir: &Path, name: &str, document: &str) -> Server {
    let file = write_file(dir, name, document);
    let server = Server::start(&["--openapi", file.to_str().unwrap()]);
    assert!(
        !server.startup.iter().any(|l| l.contains("WARN")),
        "{name} loads without warnings: {:#?}",
        server.startup
    );
    server
}

/// Runs the browser on `spec`; its results by case name.
fn browse(spec: &Value) -> Value {
    assert!(
        Path::new(CHROMIUM).exists(),
        "Chromium is missing at {CHROMIUM}: install Debian's `chromium` (apt-get install -y chromium; \
         scripts/test.sh does)"
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cors/browser.py");
    let mut child = Command::new(python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("PORTCULLIS_PYTHON runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.to_string().as_bytes())
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser driver did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(
        status.success(),
        "the browser driver failed ({status}): {err}"
    );
    serde_json::from_str::<Value>(&out)
        .unwrap_or_else(|e| panic!("the driver printed {out:?} ({e}); stderr: {err}"))["results"]
        .clone()
}

fn refused(result: &Value) -> bool {
    result["ok"] == false && result["error"].as_str().unwrap().starts_with("TypeError")
}

#[test]
fn a_browser_on_another_origin_calls_the_gateway_as_cors_allows() {
    let dir = tempfile::tempdir().unwrap();
    let allowed = serve(page);
    let other = serve(page);
    let backend = serve(backend);
    let allowed_origin = format!("http://{allowed}");
    let cors = format!(
        "{{allowOrigins: ['{allowed_origin}'], allowMethods: [GET, PUT], allowHeaders: [x-custom, content-type], \
         exposeHeaders: [x-backend], maxAge: 0"
    );
    let with_credentials = start(
        dir.path(),
        "credentials.yaml",
        &http_api(backend, &format!("{cors}, allowCredentials: true}}")),
    );
    let without_credentials = start(
        dir.path(),
        "plain.yaml",
        &http_api(backend, &format!("{cors}}}")),
    );
    let rest = start(dir.path(), "rest.yaml", &rest_api(&allowed_origin));
    let url = |server: &Server| format!("http://{}/items", server.addr);
    let (http, plain) = (url(&with_credentials), url(&without_credentials));
    let page_at = |addr: SocketAddr| format!("http://{addr}/");
    let put = json!({"method": "PUT", "headers": {"x-custom": "42", "content-type": "application/json"}, "body": "{}"});
    let spec = json!({
        "chromium": CHROMIUM,
        // A cookie for the gateways' host: sent only with credentials.
        "cookies": [{"name": "session", "value": "s3cret", "url": http}],
        "cases": [
            {"name": "simple", "page": page_at(allowed), "url": http, "headers": ["x-backend", "x-hidden"]},
            {"name": "preflighted", "page": page_at(allowed), "url": http, "init": put, "headers": ["x-backend"]},
            {"name": "not allowed header", "page": page_at(allowed), "url": http,
             "init": {"headers": {"x-forbidden": "1"}}},
            {"name": "not allowed method", "page": page_at(allowed), "url": http, "init": {"method": "DELETE"}},
            {"name": "credentials", "page": page_at(allowed), "url": http, "init": {"credentials": "include"}},
            {"name": "credentials refused", "page": page_at(allowed), "url": plain, "init": {"credentials": "include"}},
            {"name": "no credentials", "page": page_at(allowed), "url": plain},
            {"name": "rest preflighted", "page": page_at(allowed), "url": url(&rest), "init": put},
            {"name": "rest error", "page": page_at(allowed), "url": format!("http://{}/missing", rest.addr)},
            {"name": "other origin", "page": page_at(other), "url": http},
            {"name": "other origin preflighted", "page": page_at(other), "url": http, "init": put},
            {"name": "other origin rest", "page": page_at(other), "url": url(&rest), "init": put},
        ],
    });
    let results = browse(&spec);
    let result = |name: &str| {
        let result = &results[name];
        assert!(result.is_object(), "no result for {name}: {results}");
        result
    };

    // A simple GET: the page reads the body and the exposed header, not the
    // header only the backend exposed; no cookie without credentials.
    let simple = result("simple");
    assert_eq!(simple["ok"], true, "{simple}");
    assert_eq!(simple["status"], 200);
    assert_eq!(simple["body"], "GET /items x-custom=- cookie=- body=");
    assert_eq!(simple["headers"]["x-backend"], "yes");
    assert_eq!(simple["headers"]["x-hidden"], Value::Null);

    // A preflighted PUT with a custom header: the gateway answers the
    // preflight (no OPTIONS route), then the PUT reaches the backend.
    let preflighted = result("preflighted");
    assert_eq!(preflighted["ok"], true, "{preflighted}");
    assert_eq!(
        preflighted["body"],
        "PUT /items x-custom=42 cookie=- body={}"
    );
    assert_eq!(preflighted["headers"]["x-backend"], "yes");
    for name in ["not allowed header", "not allowed method"] {
        assert!(refused(result(name)), "{name}: {}", result(name));
    }

    // Credentials: the cookie goes along, and the answer is readable only
    // where allowCredentials is set.
    let credentials = result("credentials");
    assert_eq!(credentials["ok"], true, "{credentials}");
    assert_eq!(
        credentials["body"],
        "GET /items x-custom=- cookie=session=s3cret body="
    );
    assert!(
        refused(result("credentials refused")),
        "{}",
        result("credentials refused")
    );
    assert_eq!(
        result("no credentials")["ok"],
        true,
        "{}",
        result("no credentials")
    );

    // REST: the OPTIONS MOCK method answers the preflight, the PUT's MOCK
    // answer names the origin.
    let rest_put = result("rest preflighted");
    assert_eq!(rest_put["ok"], true, "{rest_put}");
    assert_eq!(rest_put["body"], r#"{"put": "mocked"}"#);
    // ...and a DEFAULT_4XX gateway response lets the page read REST's errors.
    let rest_error = result("rest error");
    assert_eq!(rest_error["ok"], true, "{rest_error}");
    assert_eq!(rest_error["status"], 403);
    assert_eq!(
        rest_error["body"],
        r#"{"message":"Missing Authentication Token"}"#
    );

    // An origin not allowed: refused by the browser, simple or preflighted.
    for name in [
        "other origin",
        "other origin preflighted",
        "other origin rest",
    ] {
        assert!(refused(result(name)), "{name}: {}", result(name));
    }
    drop((with_credentials, without_credentials, rest));
}
