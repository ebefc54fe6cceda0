//! Payload compression through the `portcullis` binary, with independent
//! clients: curl (its own zlib and brotli decoders, `--compressed`) and
//! Python's httpx, the system `gzip` for encoding request bodies, and a Lambda
//! function run by the official `awslambdaric` runtime client.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Server, write_file};

/// The interpreter with awslambdaric and httpx (scripts/test.sh makes it).
fn python() -> String {
    support::python("run httpx and an awslambdaric handler")
}

/// The gateway crate's Lambda handlers (`handlers.echo` answers the event it got).
fn handlers() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/portcullis-gateway/tests/fixtures/lambda")
}

const MINIMUM: usize = 1024;

/// A REST API with compression from 1,024 bytes: `POST /echo` is a MOCK whose
/// response is the request body its template saw; `POST /fn` is a Lambda proxy
/// integration of the `echo` function.
fn api() -> String {
    format!(
        r##"openapi: "3.0.1"
info: {{ title: "compression", version: "1" }}
x-amazon-apigateway-minimum-compression-size: {MINIMUM}
paths:
  /echo:
    post:
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates:
          application/json: "#set($context.requestOverride.path.seen = $input.body){{\"statusCode\": 200}}"
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: "$context.requestOverride.path.seen"
  /fn:
    post:
      x-amazon-apigateway-integration:
        type: "aws_proxy"
        httpMethod: "POST"
        uri: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:echo/invocations"
"##
    )
}

fn start(dir: &Path) -> Server {
    let file = write_file(dir, "api.yaml", &api());
    let function = format!("echo={} -m awslambdaric handlers.echo", python());
    let mut command = support::portcullis();
    command.current_dir(handlers());
    Server::start_with(
        command,
        &["--openapi", file.to_str().unwrap(), "--function", &function],
    )
}

/// What curl received: status, headers (lower-cased names) and body bytes.
struct Fetched {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Runs curl against `url` with `args`, bounded in time.
fn curl(dir: &Path, url: &str, args: &[&str]) -> Fetched {
    let headers = dir.join("headers.txt");
    let body = dir.join("body.bin");
    let output = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o"])
        .arg(&body)
        .arg("-D")
        .arg(&headers)
        .args(["-w", "%{http_code}"])
        .args(args)
        .arg(url)
        .output()
        .expect("curl runs (apt-get install curl)");
    assert!(
        output.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let status = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap();
    let headers = std::fs::read_to_string(&headers)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Fetched {
        status,
        headers,
        body: std::fs::read(&body).unwrap(),
    }
}

/// `text` gzipped by the system's gzip, written to `name` in `dir`.
fn gzip_file(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let plain = dir.join(name);
    std::fs::write(&plain, text).unwrap();
    let status = Command::new("gzip")
        .args(["-f", "-n"])
        .arg(&plain)
        .status()
        .unwrap();
    assert!(status.success());
    dir.join(format!("{name}.gz"))
}

/// `bytes` gunzipped by the system's gzip.
fn gunzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("gzip")
        .arg("-dc")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "gzip -d refused the body");
    output.stdout
}

/// A JSON document of exactly `size` bytes.
fn document(size: usize) -> Vec<u8> {
    let mut text = br#"{"pets": ""#.to_vec();
    while text.len() < size - 2 {
        text.extend_from_slice(b"dog ");
    }
    text.truncate(size - 2);
    text.extend_from_slice(b"\"}");
    text
}

#[test]
fn curl_sends_gzip_bodies_and_decodes_compressed_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let url = |path: &str| format!("http://{}{path}", server.addr);
    let body = document(4000);
    let gz = gzip_file(dir.path(), "pets.json", &body);
    let data = format!("@{}", gz.display());
    let json = ["-H", "Content-Type: application/json"];

    // A gzip body, decoded for the mapping template; the answer compressed for
    // curl --compressed (which offers `deflate, gzip, br, zstd`: deflate is first).
    let mut args = vec![
        "--compressed",
        "--data-binary",
        &data,
        "-H",
        "Content-Encoding: gzip",
    ];
    args.extend(json);
    let answer = curl(dir.path(), &url("/echo"), &args);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-encoding"), Some("deflate"));
    assert_eq!(answer.header("vary"), Some("Accept-Encoding"));
    assert_eq!(answer.body, body, "curl decoded the answer to the original");

    // gzip only, decoded by the system's gzip; brotli decoded by curl's libbrotli.
    let mut args = vec![
        "--data-binary",
        &data,
        "-H",
        "Content-Encoding: gzip",
        "-H",
        "Accept-Encoding: gzip",
    ];
    args.extend(json);
    let answer = curl(dir.path(), &url("/echo"), &args);
    assert_eq!(answer.header("content-encoding"), Some("gzip"));
    let length: usize = answer.header("content-length").unwrap().parse().unwrap();
    assert_eq!(length, answer.body.len());
    assert!(answer.body.len() < body.len() / 4);
    assert_eq!(gunzip(&answer.body), body);
    let mut args = vec![
        "--compressed",
        "--data-binary",
        &data,
        "-H",
        "Content-Encoding: gzip",
        "-H",
        "Accept-Encoding: br",
    ];
    args.extend(json);
    let answer = curl(dir.path(), &url("/echo"), &args);
    assert_eq!(answer.header("content-encoding"), Some("br"));
    assert_eq!(answer.body, body);

    // The threshold: one byte below the minimum is sent as it is; at it, compressed.
    for (size, compressed) in [(MINIMUM - 1, false), (MINIMUM, true)] {
        let plain = write_file(
            dir.path(),
            "doc.json",
            std::str::from_utf8(&document(size)).unwrap(),
        );
        let data = format!("@{}", plain.display());
        let mut args = vec!["--data-binary", &data, "-H", "Accept-Encoding: gzip"];
        args.extend(json);
        let answer = curl(dir.path(), &url("/echo"), &args);
        assert_eq!(answer.status, 200);
        if compressed {
            assert_eq!(answer.header("content-encoding"), Some("gzip"), "{size}");
            assert_eq!(gunzip(&answer.body), document(size));
        } else {
            assert_eq!(answer.header("content-encoding"), None, "{size}");
            assert_eq!(answer.body, document(size));
        }
    }

    // Codings API Gateway does not decode, and bodies that are not what they claim: 415.
    for coding in ["compress", "zstd"] {
        let header = format!("Content-Encoding: {coding}");
        let mut args = vec!["--data-binary", &data, "-H", &header];
        args.extend(json);
        let answer = curl(dir.path(), &url("/echo"), &args);
        assert_eq!(answer.status, 415, "{coding}");
        assert_eq!(answer.body, br#"{"message":"Unsupported Media Type"}"#);
    }
    let mut args = vec![
        "--data-binary",
        "{\"not\": \"gzip\"}",
        "-H",
        "Content-Encoding: gzip",
    ];
    args.extend(json);
    assert_eq!(curl(dir.path(), &url("/echo"), &args).status, 415);

    // A Lambda proxy integration gets the decoded body as text, and the
    // client's headers as sent, Content-Encoding included (as AWS forwards them).
    let mut args = vec!["--data-binary", &data, "-H", "Content-Encoding: gzip"];
    args.extend(json);
    let answer = curl(dir.path(), &url("/fn"), &args);
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    let event: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(event["body"].as_str().unwrap().as_bytes(), &body[..]);
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["headers"]["Content-Encoding"], "gzip");
    drop(server);
}

#[test]
fn httpx_negotiates_and_decodes() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let script = r#"
import gzip, json, sys, httpx
base = sys.argv[1]
body = json.dumps({"pets": ["dog"] * 500}).encode()
out = {}
with httpx.Client(timeout=20) as client:
    r = client.post(base + "/echo", content=gzip.compress(body),
                    headers={"content-type": "application/json", "content-encoding": "gzip",
                             "accept-encoding": "gzip;q=0.5, deflate;q=0.9"})
    out["weighted"] = [r.status_code, r.headers.get("content-encoding"), r.content == body]
    r = client.post(base + "/echo", content=body,
                    headers={"content-type": "application/json", "accept-encoding": "identity"})
    out["identity"] = [r.status_code, r.headers.get("content-encoding"), r.content == body]
    r = client.post(base + "/echo", content=b"\x1f\x8b\x08\x00 not really gzip",
                    headers={"content-type": "application/json", "content-encoding": "gzip"})
    out["false"] = [r.status_code, r.json()]
print(json.dumps(out))
"#;
    let output = Command::new(python())
        .args(["-c", script, &format!("http://{}", server.addr)])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(seen["weighted"], serde_json::json!([200, "deflate", true]));
    assert_eq!(seen["identity"], serde_json::json!([200, null, true]));
    assert_eq!(
        seen["false"],
        serde_json::json!([415, {"message": "Unsupported Media Type"}])
    );
    drop(server);
}
