//! `responseTransferMode: STREAM` on a REST `http_proxy` integration: the
//! backend's body reaches the client as it arrives, not once it is complete.

mod support;

use std::time::Duration;

use portcullis_gateway::config::Overrides;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A backend answering one request with a chunked body: `first`, then
/// (once `release` fires) `rest` and the end.
async fn held_backend(
    first: &'static str,
    rest: &'static str,
) -> (std::net::SocketAddr, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (release, released) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: origin\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n",
            first.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let _ = released.await;
        let tail = format!("{:x}\r\n{rest}\r\n0\r\n\r\n", rest.len());
        let _ = stream.write_all(tail.as_bytes()).await;
    });
    (addr, release)
}

fn api(backend: std::net::SocketAddr, mode: &str) -> String {
    format!(
        "openapi: \"3.0.1\"\ninfo: {{ title: \"s\", version: \"1\" }}\npaths:\n  /events:\n    get:\n      x-amazon-apigateway-integration:\n        type: \"http_proxy\"\n        httpMethod: \"GET\"\n        uri: \"http://{backend}/events\"\n        responseTransferMode: \"{mode}\"\n"
    )
}

/// Sends `GET /events` and reads until `needle` arrives or `wait` passes.
async fn read_until(
    stream: &mut tokio::net::TcpStream,
    needle: &str,
    wait: Duration,
) -> (String, bool) {
    let mut seen = Vec::new();
    let found = tokio::time::timeout(wait, async {
        let mut buf = [0u8; 1024];
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            if n == 0 {
                return false;
            }
            seen.extend_from_slice(&buf[..n]);
            if String::from_utf8_lossy(&seen).contains(needle) {
                return true;
            }
        }
    })
    .await
    .unwrap_or(false);
    (String::from_utf8_lossy(&seen).into_owned(), found)
}

#[tokio::test]
async fn stream_mode_passes_the_body_on_as_it_arrives() {
    let (backend, release) = held_backend("first-part;", "second-part").await;
    let gw = TestGateway::openapi(api(backend, "STREAM"), Overrides::default()).await;
    let mut client = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    client
        .write_all(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The first part arrives while the backend still holds the rest.
    let (head, found) = read_until(&mut client, "first-part;", Duration::from_secs(5)).await;
    assert!(
        found,
        "the first part did not arrive before the end: {head:?}"
    );
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let lower = head.to_ascii_lowercase();
    assert!(lower.contains("x-amzn-requestid: "), "{head}");
    assert!(lower.contains("x-amzn-remapped-server: origin"), "{head}");
    assert!(!head.contains("second-part"));
    release.send(()).unwrap();
    let (tail, found) = read_until(&mut client, "second-part", Duration::from_secs(5)).await;
    assert!(found, "{tail:?}");
    gw.shutdown().await;
}

#[tokio::test]
async fn buffered_mode_waits_for_the_whole_body() {
    let (backend, release) = held_backend("first-part;", "second-part").await;
    let gw = TestGateway::openapi(api(backend, "BUFFERED"), Overrides::default()).await;
    let mut client = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    client
        .write_all(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // Nothing comes while the backend holds the rest (so the test above can fail).
    let (head, found) = read_until(&mut client, "first-part;", Duration::from_millis(500)).await;
    assert!(!found, "a buffered integration answered early: {head:?}");
    release.send(()).unwrap();
    let (all, found) = read_until(&mut client, "second-part", Duration::from_secs(5)).await;
    assert!(found, "{all:?}");
    assert!(all.contains("first-part;second-part"), "{all}");
    gw.shutdown().await;
}
