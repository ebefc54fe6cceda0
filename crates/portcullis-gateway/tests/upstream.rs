//! The upstream client against real backends on 127.0.0.1: keep-alive reuse,
//! HTTPS with a private CA (HTTP/2 via ALPN), h2c, and error classification.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Request, Response, Version};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use portcullis_gateway::config::model::{TlsFiles, UpstreamSettings};
use portcullis_gateway::tls;
use portcullis_gateway::upstream::{
    UpstreamClient, UpstreamError, UpstreamRequestOptions, append_forwarded_for, strip_hop_by_hop,
};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use tempfile::TempDir;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Generous bound for requests that should succeed at once.
const OK_TIMEOUT: Duration = Duration::from_secs(5);

/// How a test backend speaks.
enum Mode<'a> {
    Http1,
    H2c,
    /// TLS with these files; HTTP/2 or HTTP/1.1 as ALPN decides.
    Tls(&'a TlsFiles),
}

/// What a backend saw of one request.
struct Seen {
    version: Version,
    headers: HeaderMap,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// A hyper backend on 127.0.0.1 answering `200 ok` to everything.
struct Backend {
    addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
    seen: Log,
    task: JoinHandle<()>,
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Records a request and answers `ok`.
async fn record(req: Request<Incoming>, log: Log) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = req.into_parts();
    body.collect().await?;
    let seen = Seen {
        version: parts.version,
        headers: parts.headers,
    };
    log.lock().expect("log").push(seen);
    Ok(Response::new(Full::new(Bytes::from_static(b"ok"))))
}

/// Serves one connection in HTTP/2 (`h2`) or HTTP/1.1.
async fn serve<I>(io: I, h2: bool, log: Log)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |req| record(req, log.clone()));
    let io = TokioIo::new(io);
    if h2 {
        let conn = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
        let _ = conn.serve_connection(io, service).await;
    } else {
        let conn = hyper::server::conn::http1::Builder::new();
        let _ = conn.serve_connection(io, service).await;
    }
}

impl Backend {
    async fn start(mode: Mode<'_>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let seen = Log::default();
        let h2c = matches!(mode, Mode::H2c);
        let acceptor = match mode {
            Mode::Tls(files) => Some(tls::tls_acceptor(
                tls::load_server_config(files).expect("server TLS config"),
            )),
            Mode::Http1 | Mode::H2c => None,
        };
        let (count, log) = (accepted.clone(), seen.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                count.fetch_add(1, Ordering::SeqCst);
                let (log, acceptor) = (log.clone(), acceptor.clone());
                tokio::spawn(async move {
                    let Some(acceptor) = acceptor else {
                        return serve(stream, h2c, log).await;
                    };
                    if let Ok(tls) = acceptor.accept(stream).await {
                        let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                        serve(tls, h2, log).await;
                    }
                });
            }
        });
        Self {
            addr,
            accepted,
            seen,
            task,
        }
    }

    fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://{}{path}", self.addr)
    }

    fn versions(&self) -> Vec<Version> {
        self.seen
            .lock()
            .expect("log")
            .iter()
            .map(|s| s.version)
            .collect()
    }
}

/// A private CA and a server certificate for `localhost` / `127.0.0.1`.
struct Pki {
    _dir: TempDir,
    ca: PathBuf,
    server: TlsFiles,
}

fn make_pki() -> Pki {
    let dir = tempfile::tempdir().expect("tempdir");
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Portcullis test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).expect("CA cert");
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf_params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .expect("leaf params");
    let leaf = leaf_params
        .signed_by(&leaf_key, &issuer)
        .expect("leaf cert");

    let ca = dir.path().join("ca.pem");
    let server = TlsFiles {
        cert: dir.path().join("server.pem"),
        key: dir.path().join("server.key"),
    };
    std::fs::write(&ca, ca_cert.pem()).expect("write CA");
    std::fs::write(&server.cert, leaf.pem()).expect("write cert");
    std::fs::write(&server.key, leaf_key.serialize_pem()).expect("write key");
    Pki {
        _dir: dir,
        ca,
        server,
    }
}

fn client(ca_files: Vec<PathBuf>) -> UpstreamClient {
    UpstreamClient::new(&UpstreamSettings { ca_files }).expect("client")
}

fn get(url: &str) -> Request<Full<Bytes>> {
    Request::get(url).body(Full::default()).expect("request")
}

/// Sends `req` and reads the whole answer.
async fn exchange(
    client: &UpstreamClient,
    req: Request<Full<Bytes>>,
    options: UpstreamRequestOptions,
) -> (Version, Bytes) {
    let response = client
        .send_with(req, OK_TIMEOUT, options)
        .await
        .expect("response");
    let version = response.version();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (version, body)
}

/// A raw TCP backend: reads the request, then writes `reply` (if any) and
/// closes, or holds every connection open without answering.
async fn raw_backend(reply: Option<&'static [u8]>) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let mut held: Vec<TcpStream> = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream.read(&mut [0_u8; 1024]).await;
            match reply {
                Some(reply) => drop(stream.write_all(reply).await),
                None => held.push(stream),
            }
        }
    });
    (addr, task)
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn http1_keep_alive_reuses_connections() {
    let backend = Backend::start(Mode::Http1).await;
    let client = client(Vec::new());
    // A finished connection goes back to the pool asynchronously, so a request
    // sent at once may still open a new one. Keep sending (at most 20) until
    // one is served on a connection opened before: without keep-alive none is.
    let mut sent = 0;
    while sent < 20 {
        let req = Request::post(backend.url("http", &format!("/r/{sent}")))
            .body(Full::new(Bytes::from_static(b"payload")))
            .expect("request");
        let future = client.send(req, OK_TIMEOUT);
        assert_send(&future);
        let response = future.await.expect("response");
        assert_eq!(response.version(), Version::HTTP_11);
        let body = response.into_body().collect().await.expect("body");
        assert_eq!(body.to_bytes(), "ok");
        sent += 1;
        if sent >= 5 && backend.accepted.load(Ordering::SeqCst) < sent {
            break;
        }
        tokio::time::sleep(Duration::from_millis(sent as u64)).await;
    }
    let accepted = backend.accepted.load(Ordering::SeqCst);
    assert!(
        accepted < sent,
        "{sent} requests opened {accepted} connections"
    );
    assert_eq!(backend.versions(), vec![Version::HTTP_11; sent]);
}

#[tokio::test]
async fn https_backend_with_private_ca_negotiates_http2() {
    let pki = make_pki();
    let backend = Backend::start(Mode::Tls(&pki.server)).await;
    let client = client(vec![pki.ca.clone()]);
    for _ in 0..3 {
        let (version, body) = exchange(
            &client,
            get(&backend.url("https", "/secure")),
            UpstreamRequestOptions::default(),
        )
        .await;
        assert_eq!(version, Version::HTTP_2);
        assert_eq!(body, "ok");
    }
    assert_eq!(backend.versions(), vec![Version::HTTP_2; 3]);
    assert_eq!(backend.accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error() {
    let pki = make_pki();
    let other = make_pki();
    let backend = Backend::start(Mode::Tls(&pki.server)).await;
    // Trusting another CA, and trusting only the system roots.
    for client in [client(vec![other.ca.clone()]), client(Vec::new())] {
        let err = client
            .send(get(&backend.url("https", "/")), OK_TIMEOUT)
            .await
            .expect_err("untrusted");
        assert!(err.is_tls(), "{err:?}");
        let text = err.to_string();
        assert!(text.contains(&backend.addr.to_string()), "{text}");
        assert!(text.contains("invalid peer certificate"), "{text}");
        assert!(
            text.ends_with("must be listed in the upstream CA files)"),
            "{text}"
        );
    }
    assert!(backend.versions().is_empty());
}

#[tokio::test]
async fn h2c_prior_knowledge_speaks_http2_in_cleartext() {
    let backend = Backend::start(Mode::H2c).await;
    let client = client(Vec::new());
    let h2c = UpstreamRequestOptions {
        http2_prior_knowledge: true,
    };
    for _ in 0..2 {
        let (version, body) = exchange(&client, get(&backend.url("http", "/h2c")), h2c).await;
        assert_eq!(version, Version::HTTP_2);
        assert_eq!(body, "ok");
    }
    assert_eq!(backend.versions(), vec![Version::HTTP_2; 2]);
    assert_eq!(backend.accepted.load(Ordering::SeqCst), 1);

    // Without prior knowledge the client speaks HTTP/1.1, which an h2-only
    // backend cannot answer.
    let err = client
        .send(get(&backend.url("http", "/")), OK_TIMEOUT)
        .await
        .expect_err("HTTP/1.1 to an h2c-only backend");
    assert!(err.is_protocol(), "{err:?}");
}

#[tokio::test]
async fn silent_backend_times_out() {
    let (addr, silent) = raw_backend(None).await;
    let client = client(Vec::new());
    let timeout = Duration::from_millis(200);
    let started = Instant::now();
    let err = client
        .send(get(&format!("http://{addr}/slow")), timeout)
        .await
        .expect_err("timeout");
    let elapsed = started.elapsed();
    silent.abort();
    assert!(err.is_timeout(), "{err:?}");
    assert!(elapsed >= timeout, "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(
        err.to_string(),
        format!("endpoint request to {addr} timed out after 200 ms")
    );
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let client = client(Vec::new());
    let err = client
        .send(get(&format!("http://{addr}/")), OK_TIMEOUT)
        .await
        .expect_err("refused");
    assert!(matches!(err, UpstreamError::Connect { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("cannot connect to {addr}: ")),
        "{text}"
    );
}

#[tokio::test]
async fn malformed_response_is_a_protocol_error() {
    let (addr, garbage) = raw_backend(Some(b"this is not HTTP\r\n\r\n")).await;
    let err = client(Vec::new())
        .send(get(&format!("http://{addr}/")), OK_TIMEOUT)
        .await
        .expect_err("garbage");
    garbage.abort();
    assert!(err.is_protocol(), "{err:?}");
    assert!(err.to_string().contains(&addr.to_string()), "{err}");
}

#[tokio::test]
async fn relative_uri_is_invalid() {
    let err = client(Vec::new())
        .send(get("/only/a/path"), OK_TIMEOUT)
        .await
        .expect_err("relative");
    assert!(err.is_invalid_uri(), "{err:?}");
    assert_eq!(err.endpoint(), None);
}

#[tokio::test]
async fn proxy_headers_reach_the_backend_cleaned() {
    let backend = Backend::start(Mode::Http1).await;
    let mut req = get(&backend.url("http", "/headers"));
    let headers = req.headers_mut();
    for (name, value) in [
        ("connection", "x-custom, keep-alive"),
        ("connection", "x-other"),
        ("x-custom", "secret"),
        ("x-other", "secret"),
        ("keep-alive", "timeout=5"),
        ("te", "trailers"),
        ("upgrade", "h2c"),
        ("proxy-authorization", "Basic Zm9vOmJhcg=="),
        ("x-forwarded-for", "198.51.100.1, 198.51.100.2"),
        ("x-forwarded-for", "203.0.113.9"),
        ("x-kept", "yes"),
    ] {
        headers.append(name, HeaderValue::from_static(value));
    }
    strip_hop_by_hop(headers);
    append_forwarded_for(headers, IpAddr::V4(Ipv4Addr::LOCALHOST));
    exchange(&client(Vec::new()), req, UpstreamRequestOptions::default()).await;

    let seen = backend.seen.lock().expect("log");
    let received = &seen[0].headers;
    for gone in [
        "connection",
        "x-custom",
        "x-other",
        "keep-alive",
        "te",
        "upgrade",
        "proxy-authorization",
    ] {
        assert!(!received.contains_key(gone), "{gone} was forwarded");
    }
    let xff: Vec<_> = received.get_all("x-forwarded-for").iter().collect();
    assert_eq!(xff, ["198.51.100.1, 198.51.100.2, 203.0.113.9, 127.0.0.1"]);
    assert_eq!(received["x-kept"], "yes");
    assert_eq!(received["host"], backend.addr.to_string());
}
