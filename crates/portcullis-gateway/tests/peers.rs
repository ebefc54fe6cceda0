//! The gateway against peers it does not share code with: `curl` (HTTP/1.1, h2c,
//! TLS with ALPN) and Python's `httpx` (h2 over TLS) as clients of its
//! listeners, and `hypercorn` as an HTTPS/h2 backend of its upstream client.
//! `scripts/test.sh` installs curl and puts httpx and hypercorn in the venv
//! named by `PORTCULLIS_PYTHON`.

mod support;

use std::net::{SocketAddr, TcpListener as StdListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use portcullis_gateway::config::{self, Overrides, Source, TlsFiles};
use support::*;

fn python() -> String {
    std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: these tests use httpx and hypercorn from the venv \
             scripts/test.sh creates; run them through scripts/test.sh"
        )
    })
}

fn run(command: &mut Command) -> Output {
    let shown = format!("{command:?}");
    let output = command.output().unwrap_or_else(|e| {
        panic!("{shown} could not start ({e}); scripts/test.sh installs curl and the venv")
    });
    assert!(
        output.status.success(),
        "{shown} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// A self-signed certificate for `localhost` and 127.0.0.1, written as PEM files.
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    let cert = rcgen::generate_simple_self_signed(names).unwrap();
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).unwrap();
    std::fs::write(&key_file, cert.signing_key.serialize_pem()).unwrap();
    (cert_file, key_file)
}

/// A gateway serving `api` on a cleartext and a TLS listener; `ca` is trusted upstream.
async fn gateway(api: String, ca: Option<PathBuf>) -> (TestGateway, SocketAddr, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(dir.path());
    std::fs::write(dir.path().join("api.yaml"), api).unwrap();
    let mut config = config::load(
        &Source::OpenApi(vec![dir.path().join("api.yaml")]),
        &Overrides {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            ..Overrides::default()
        },
    )
    .unwrap();
    let mut tls = config.listeners[0].clone();
    tls.tls = Some(TlsFiles {
        cert: cert.clone(),
        key,
    });
    config.listeners.push(tls);
    config.upstream.ca_files.extend(ca);
    let gw = TestGateway::from_config(config, dir).await;
    let tls_addr = gw.tls_addr().expect("the second listener is TLS");
    (gw, tls_addr, cert)
}

fn pets_api() -> String {
    rest_api("peers", &mock_route("/pets", "get", 200, r#"[{"id": 1}]"#))
}

/// curl's answer: (HTTP version as curl reports it, status, body).
fn curl(args: &[&str], url: &str) -> (String, u16, String) {
    let output = run(Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(["--write-out", "\n%{http_version} %{http_code}"])
        .args(args)
        .arg(url));
    let text = String::from_utf8(output.stdout).unwrap();
    let (body, tail) = text.rsplit_once('\n').unwrap();
    let (version, status) = tail.split_once(' ').unwrap();
    (version.to_owned(), status.parse().unwrap(), body.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn curl_speaks_every_protocol_the_listeners_offer() {
    let (gw, tls_addr, cert) = gateway(pets_api(), None).await;
    let clear = format!("http://{}/pets", gw.addr);
    let secure = format!("https://localhost:{}/pets", tls_addr.port());
    let resolve = format!("localhost:{}:127.0.0.1", tls_addr.port());
    let cert = cert.to_str().unwrap();
    let cases: [(&str, Vec<&str>, &str, &str); 4] = [
        ("HTTP/1.1", vec!["--http1.1"], &clear, "1.1"),
        ("h2c", vec!["--http2-prior-knowledge"], &clear, "2"),
        (
            "TLS, ALPN h2",
            vec!["--http2", "--cacert", cert, "--resolve", &resolve],
            &secure,
            "2",
        ),
        (
            "TLS, ALPN http/1.1",
            vec!["--http1.1", "--cacert", cert, "--resolve", &resolve],
            &secure,
            "1.1",
        ),
    ];
    for (name, args, url, version) in cases {
        let (seen_version, status, body) = tokio::task::block_in_place(|| curl(&args, url));
        assert_eq!(
            (seen_version.as_str(), status, body.as_str()),
            (version, 200, r#"[{"id": 1}]"#),
            "{name}"
        );
        // AWS's error answers over the same protocol.
        let missing = url.replace("/pets", "/nothing");
        let (_, status, body) = tokio::task::block_in_place(|| curl(&args, &missing));
        assert_eq!(
            (status, body.as_str()),
            (403, r#"{"message":"Missing Authentication Token"}"#),
            "{name}"
        );
    }
    // An untrusted certificate is refused by curl, not silently accepted.
    let refused = tokio::task::block_in_place(|| {
        Command::new("curl")
            .args([
                "--silent",
                "--max-time",
                "10",
                "--resolve",
                &resolve,
                &secure,
            ])
            .status()
            .unwrap()
    });
    assert!(!refused.success());
    gw.shutdown().await;
}

const HTTPX_CLIENT: &str = r#"
import json, ssl, sys
import httpx
url, ca = sys.argv[1], sys.argv[2]
context = ssl.create_default_context(cafile=ca)
with httpx.Client(http2=True, verify=context) as client:
    answers = [client.get(url), client.post(url.replace("/pets", "/echo"), content=bytes(range(256)))]
print(json.dumps([{"version": a.http_version, "status": a.status_code, "body": a.content.hex()} for a in answers]))
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn httpx_uses_h2_over_tls() {
    let backend = Backend::start(std::sync::Arc::new(|seen: &Seen| {
        (
            200,
            vec![("content-type", "application/octet-stream".to_owned())],
            seen.body.clone(),
            Duration::ZERO,
        )
    }))
    .await;
    let api = rest_api(
        "peers",
        &[
            mock_route("/pets", "get", 200, r#"[{"id": 1}]"#),
            proxy_route(
                "/echo",
                "post",
                &format!("http://{}/echo", backend.addr),
                "",
            ),
        ]
        .concat(),
    );
    let (gw, tls_addr, cert) = gateway(api, None).await;
    let url = format!("https://localhost:{}/pets", tls_addr.port());
    let output = tokio::task::block_in_place(|| {
        run(Command::new(python()).args(["-c", HTTPX_CLIENT, &url, cert.to_str().unwrap()]))
    });
    let answers: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let pets = hex(r#"[{"id": 1}]"#.as_bytes());
    let all_bytes = hex(&(0..=255u8).collect::<Vec<_>>());
    assert_eq!(
        answers,
        serde_json::json!([
            {"version": "HTTP/2", "status": 200, "body": pets},
            {"version": "HTTP/2", "status": 200, "body": all_bytes},
        ])
    );
    assert_eq!(backend.last().body, (0..=255u8).collect::<Vec<_>>());
    gw.shutdown().await;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An ASGI app for hypercorn: answers with the request body and the HTTP
/// version it was served over.
const ASGI_APP: &str = r#"
async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    headers = [(b"content-type", b"application/octet-stream"),
               (b"x-http-version", scope["http_version"].encode()),
               (b"x-path", scope["raw_path"] + (b"?" + scope["query_string"] if scope["query_string"] else b""))]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": body})
"#;

/// hypercorn on a loopback port, killed by PID when dropped.
struct Hypercorn {
    child: Child,
    addr: SocketAddr,
}

impl Hypercorn {
    fn start(dir: &Path, tls: Option<(&Path, &Path)>) -> Self {
        std::fs::write(dir.join("peer_app.py"), ASGI_APP).unwrap();
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut command = Command::new(python());
        command
            .args([
                "-m",
                "hypercorn",
                "--bind",
                &addr.to_string(),
                // In this process, no worker children: killing the PID stops it all.
                "--workers",
                "0",
                "peer_app:app",
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((cert, key)) = tls {
            command
                .arg("--certfile")
                .arg(cert)
                .arg("--keyfile")
                .arg(key);
        }
        let child = command
            .spawn()
            .expect("hypercorn starts (scripts/test.sh installs it into the venv)");
        let hypercorn = Self { child, addr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(addr).is_err() {
            assert!(
                Instant::now() < deadline,
                "hypercorn did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        hypercorn
    }
}

impl Drop for Hypercorn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hypercorn_backends_over_tls_h2_and_cleartext_http1() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = certificate(dir.path());
    let (secure, clear) = tokio::task::block_in_place(|| {
        (
            Hypercorn::start(dir.path(), Some((&cert, &key))),
            Hypercorn::start(dir.path(), None),
        )
    });
    let api = rest_api(
        "peers",
        &[
            proxy_route(
                "/tls/{proxy+}",
                "post",
                &format!("https://localhost:{}/{{proxy}}", secure.addr.port()),
                "        requestParameters:\n          integration.request.path.proxy: \"method.request.path.proxy\"\n",
            ),
            proxy_route(
                "/clear",
                "post",
                &format!("http://{}/clear", clear.addr),
                "",
            ),
        ]
        .concat(),
    );
    let (gw, _, _) = gateway(api, Some(cert.clone())).await;
    let payload: Vec<u8> = (0..=255u8).rev().cycle().take(70_000).collect();
    let answer = send(
        "POST",
        &gw.url("/tls/a%20b/c?x=1"),
        &[("content-type", "application/octet-stream")],
        payload.clone(),
    )
    .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(answer.header("x-http-version"), "2", "ALPN chose h2");
    assert_eq!(answer.header("x-path"), "/a%20b/c?x=1");
    assert_eq!(answer.bytes, payload);
    let answer = send("POST", &gw.url("/clear"), &[], "plain").await;
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(answer.header("x-http-version"), "1.1");
    assert_eq!(answer.body, "plain");
    gw.shutdown().await;
    // A backend whose certificate the gateway does not trust: an integration
    // failure (REST: AWS's INTEGRATION_FAILURE, 504), never a forwarded answer.
    let api = rest_api(
        "peers",
        &proxy_route(
            "/tls",
            "post",
            &format!("https://localhost:{}/x", secure.addr.port()),
            "",
        ),
    );
    let (gw, _, _) = gateway(api, None).await;
    let answer = send("POST", &gw.url("/tls"), &[], "x").await;
    assert_eq!(answer.status, 504, "{answer:?}");
    assert_eq!(answer.body, r#"{"message":"Internal server error"}"#);
    gw.shutdown().await;
}
