//! `CacheLayer` in a real hyper server on loopback, asked by a real hyper
//! client: hits are answered without calling the handler, over HTTP/1.1
//! as a client sees it (HEAD included, whose bodies hyper never sends).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use portcullis_cache::{Cache, CacheLayer, MemoryStore};
use tokio::net::{TcpListener, TcpStream};
use tower::{Layer, service_fn};

/// Counts its calls and answers with the count.
async fn handler(
    calls: Arc<AtomicUsize>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
    let body = format!("{} {} call {n}\n", request.method(), request.uri());
    let mut response = Response::new(Full::new(Bytes::from(body)));
    if request.uri().path() == "/private" {
        response
            .headers_mut()
            .insert("cache-control", "private".parse().unwrap());
    }
    Ok(response)
}

/// Serves the handler behind the layer on 127.0.0.1, an ephemeral port.
async fn serve(calls: Arc<AtomicUsize>) -> SocketAddr {
    let layer = CacheLayer::new(Cache::new(MemoryStore::new(1 << 20))).x_cache(true);
    let service = layer.layer(service_fn(move |request| handler(calls.clone(), request)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    address
}

/// A keep-alive HTTP/1.1 connection to the server.
struct Client {
    sender: hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    address: SocketAddr,
}

impl Client {
    async fn connect(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address).await.unwrap();
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .unwrap();
        tokio::spawn(connection);
        Self { sender, address }
    }

    async fn send(&mut self, method: Method, path: &str) -> (StatusCode, HeaderMap, Bytes) {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.address.to_string())
            .body(Empty::new())
            .unwrap();
        self.sender.ready().await.unwrap();
        let response = self.sender.send_request(request).await.unwrap();
        let (head, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        (head.status, head.headers, body)
    }
}

#[tokio::test]
async fn hits_over_loopback_skip_the_handler() {
    let calls = Arc::new(AtomicUsize::new(0));
    let address = serve(calls.clone()).await;
    let mut client = Client::connect(address).await;

    let (status, headers, first) = client.send(Method::GET, "/pets?page=1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first, "GET /pets?page=1 call 1\n");
    assert_eq!(headers["x-cache"], "Miss");

    for _ in 0..3 {
        let (status, headers, again) = client.send(Method::GET, "/pets?page=1").await;
        assert_eq!((status, &again), (StatusCode::OK, &first));
        assert_eq!(headers["x-cache"], "Hit");
        assert_eq!(headers["content-length"], first.len().to_string().as_str());
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Another connection sees the same entry; another query string is another entry.
    let mut other = Client::connect(address).await;
    assert_eq!(other.send(Method::GET, "/pets?page=1").await.2, first);
    let (_, _, page_two) = other.send(Method::GET, "/pets?page=2").await;
    assert_eq!(page_two, "GET /pets?page=2 call 2\n");
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // Neither POST nor a private response is kept.
    for n in [3, 4] {
        let (_, headers, body) = client.send(Method::POST, "/pets").await;
        assert_eq!(body, format!("POST /pets call {n}\n"));
        assert!(!headers.contains_key("x-cache"));
    }
    assert_eq!(
        client.send(Method::GET, "/private").await.2,
        "GET /private call 5\n"
    );
    assert_eq!(
        client.send(Method::GET, "/private").await.2,
        "GET /private call 6\n"
    );
}

#[tokio::test]
async fn head_responses_are_kept_although_hyper_drops_their_bodies() {
    let calls = Arc::new(AtomicUsize::new(0));
    let address = serve(calls.clone()).await;
    let mut client = Client::connect(address).await;
    let (status, miss, body) = client.send(Method::HEAD, "/pets").await;
    assert_eq!((status, body.len()), (StatusCode::OK, 0));
    assert_eq!(miss["x-cache"], "Miss");
    let (status, hit, body) = client.send(Method::HEAD, "/pets").await;
    assert_eq!((status, body.len()), (StatusCode::OK, 0));
    assert_eq!(hit["x-cache"], "Hit");
    assert_eq!(hit["content-length"], miss["content-length"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
