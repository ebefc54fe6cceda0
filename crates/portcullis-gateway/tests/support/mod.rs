//! Test support: real backends and a real gateway on loopback, and a raw client.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use portcullis_gateway::config::{self, GatewayConfig, Overrides, Source};
use portcullis_gateway::pipeline::Pipeline;
use portcullis_gateway::runtime::Gateway;
use portcullis_gateway::server::{self, BoundListener};
use portcullis_gateway::upstream::UpstreamClient;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// What a backend saw of one request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub uri: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
    pub version: http::Version,
}

/// A real HTTP/1.1 backend on loopback that records requests and answers with `respond`.
pub struct Backend {
    pub addr: SocketAddr,
    pub seen: Arc<std::sync::Mutex<Vec<Seen>>>,
    pub connections: Arc<AtomicUsize>,
    _stop: oneshot::Sender<()>,
}

pub type Responder =
    Arc<dyn Fn(&Seen) -> (u16, Vec<(&'static str, String)>, Bytes, Duration) + Send + Sync>;

impl Backend {
    /// A backend answering every request with `responder(seen)` = (status, headers, body, delay).
    pub async fn start(responder: Responder) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let (stop_tx, mut stop_rx) = oneshot::channel::<()>();
        let (seen2, conns2) = (seen.clone(), connections.clone());
        tokio::spawn(async move {
            loop {
                let (stream, _) = tokio::select! {
                    _ = &mut stop_rx => break,
                    accepted = listener.accept() => match accepted { Ok(a) => a, Err(_) => continue },
                };
                conns2.fetch_add(1, Ordering::SeqCst);
                let (seen, responder) = (seen2.clone(), responder.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req: Request<Incoming>| {
                        let (seen, responder) = (seen.clone(), responder.clone());
                        async move {
                            let (parts, body) = req.into_parts();
                            let body = body
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let record = Seen {
                                method: parts.method.to_string(),
                                uri: parts.uri.to_string(),
                                headers: parts.headers,
                                body,
                                version: parts.version,
                            };
                            let (status, headers, text, delay) = responder(&record);
                            seen.lock().unwrap().push(record);
                            if !delay.is_zero() {
                                tokio::time::sleep(delay).await;
                            }
                            let mut response = Response::builder().status(status);
                            for (name, value) in headers {
                                response = response.header(name, value);
                            }
                            Ok::<_, Infallible>(response.body(Full::new(text)).unwrap())
                        }
                    });
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self {
            addr,
            seen,
            connections,
            _stop: stop_tx,
        }
    }

    /// A backend that echoes what it saw as JSON-ish text and answers 200.
    pub async fn echo() -> Self {
        Self::start(Arc::new(|seen: &Seen| {
            (
                200,
                vec![],
                format!("{} {}", seen.method, seen.uri).into(),
                Duration::ZERO,
            )
        }))
        .await
    }

    pub fn last(&self) -> Seen {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("the backend saw a request")
    }

    pub fn count(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

/// A gateway served in-process on a loopback port.
pub struct TestGateway {
    pub addr: SocketAddr,
    /// Every listener's address, and whether it serves TLS.
    pub listeners: Vec<(SocketAddr, bool)>,
    pub gateway: Arc<ArcSwap<Gateway>>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    pub dir: tempfile::TempDir,
}

impl TestGateway {
    /// Writes `files` (name, contents) into a temp dir and serves `source(dir)`.
    pub async fn start(
        files: &[(&str, String)],
        source: impl FnOnce(&std::path::Path) -> (Source, Overrides),
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, contents) in files {
            std::fs::write(dir.path().join(name), contents).unwrap();
        }
        let (source, mut overrides) = source(dir.path());
        overrides.listen = Some("127.0.0.1:0".parse().unwrap());
        let config =
            config::load(&source, &overrides).unwrap_or_else(|e| panic!("config loads:\n{e}"));
        Self::from_config(config, dir).await
    }

    /// Serves one OpenAPI document with `overrides`.
    pub async fn openapi(document: String, overrides: Overrides) -> Self {
        Self::start(&[("api.yaml", document)], move |dir| {
            (Source::OpenApi(vec![dir.join("api.yaml")]), overrides)
        })
        .await
    }

    pub async fn from_config(config: GatewayConfig, dir: tempfile::TempDir) -> Self {
        let gateway = Gateway::compile(&config).unwrap_or_else(|e| panic!("config compiles:\n{e}"));
        let gateway = Arc::new(ArcSwap::from_pointee(gateway));
        let upstream = UpstreamClient::new(&config.upstream).unwrap();
        let mut listeners = Vec::new();
        let mut addrs = Vec::new();
        for listener in &config.listeners {
            let bound = BoundListener::bind(listener).await.unwrap();
            addrs.push((bound.local_addr(), listener.tls.is_some()));
            listeners.push(bound);
        }
        let addr = listeners[0].local_addr();
        let pipeline =
            Pipeline::new(gateway.clone(), upstream).with_body_timeout(Duration::from_secs(1));
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(
            listeners,
            pipeline,
            async {
                let _ = stop_rx.await;
            },
            Duration::from_secs(5),
        ));
        Self {
            addr,
            listeners: addrs,
            gateway,
            stop: Some(stop_tx),
            task: Some(task),
            dir,
        }
    }

    /// The first TLS listener's address.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.listeners
            .iter()
            .find(|(_, tls)| *tls)
            .map(|(addr, _)| *addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Stops accepting and drains; returns when the server task has ended.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(10), task)
                .await
                .expect("server drains")
                .unwrap();
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A response as the tests see it.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: http::HeaderMap,
    /// The body as text (lossy), for assertions on text answers.
    pub body: String,
    /// The body exactly as received, for binary answers.
    pub bytes: Bytes,
    pub version: http::Version,
}

impl Answer {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or_else(|| panic!("header {name} missing in {:?}", self.headers))
    }
}

/// Sends a request over a fresh HTTP/1.1 connection.
pub async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Answer {
    let client = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let mut request = Request::builder().method(method).uri(url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client
        .request(request.body(Full::new(body.into())).unwrap())
        .await
        .expect("the gateway answers");
    collect(response).await
}

pub async fn get(url: &str) -> Answer {
    send("GET", url, &[], Bytes::new()).await
}

pub async fn collect(response: Response<Incoming>) -> Answer {
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    Answer {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
        version: parts.version,
    }
}

/// Sends raw bytes on a TCP connection and returns what comes back before the server closes or 2 s pass.
pub async fn raw(addr: SocketAddr, request: &[u8]) -> String {
    raw_until_close(addr, request, Duration::from_secs(2))
        .await
        .0
}

/// Sends raw bytes and reads until the server closes or `limit` passes; says
/// whether the server closed the connection.
pub async fn raw_until_close(addr: SocketAddr, request: &[u8], limit: Duration) -> (String, bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut out = Vec::new();
    let closed = tokio::time::timeout(limit, stream.read_to_end(&mut out))
        .await
        .is_ok();
    (String::from_utf8_lossy(&out).into_owned(), closed)
}

/// 4 KiB of every byte value in a scrambled order, starting like a PNG: not
/// UTF-8, so any text round trip on its way would show.
pub fn binary_payload() -> Bytes {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut state: u32 = 0x9e37_79b9;
    while out.len() < 4096 {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        out.push((state >> 24) as u8);
    }
    out.extend(0..=255u8);
    assert!(
        std::str::from_utf8(&out).is_err(),
        "the payload must not be UTF-8"
    );
    Bytes::from(out)
}

/// A REST API (OpenAPI 3, AWS export shape) with the given `paths` YAML block (indented 2 spaces).
pub fn rest_api(title: &str, paths: &str) -> String {
    format!("openapi: \"3.0.1\"\ninfo:\n  title: \"{title}\"\n  version: \"1\"\npaths:\n{paths}")
}

/// An HTTP API export (OpenAPI 3 with `x-amazon-apigateway-importexport-version`).
pub fn http_api(title: &str, paths: &str) -> String {
    format!(
        "openapi: \"3.0.1\"\ninfo:\n  title: \"{title}\"\n  version: \"1\"\nx-amazon-apigateway-importexport-version: \"1.0\"\npaths:\n{paths}"
    )
}

/// A `paths` entry: `method` on `path` with an `http_proxy` integration to `uri`.
pub fn proxy_route(path: &str, method: &str, uri: &str, extra: &str) -> String {
    let params = path_parameters(path);
    format!(
        "  {path}:\n    {method}:\n{params}      x-amazon-apigateway-integration:\n        type: \"http_proxy\"\n        httpMethod: \"ANY\"\n        uri: \"{uri}\"\n{extra}"
    )
}

/// A `paths` entry with a MOCK integration answering `status` with a static JSON `body`.
pub fn mock_route(path: &str, method: &str, status: u16, body: &str) -> String {
    let body = body.replace('"', "\\\"");
    format!(
        "  {path}:\n    {method}:\n      x-amazon-apigateway-integration:\n        type: \"mock\"\n        requestTemplates:\n          application/json: \"{{\\\"statusCode\\\": {status}}}\"\n        responses:\n          default:\n            statusCode: \"{status}\"\n            responseTemplates:\n              application/json: \"{body}\"\n"
    )
}

/// The `parameters` block declaring every `{name}` / `{name+}` of `path`, as AWS exports do.
pub fn path_parameters(path: &str) -> String {
    let names: Vec<&str> = path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|s| s.trim_end_matches('+'))
        .collect();
    if names.is_empty() {
        return String::new();
    }
    let mut out = "      parameters:\n".to_owned();
    for name in names {
        out.push_str(&format!("        - name: \"{name}\"\n          in: \"path\"\n          required: true\n          schema:\n            type: \"string\"\n"));
    }
    out
}
