//! Payload compression (REST APIs): compressed request bodies decoded before
//! templates and integrations see them, responses compressed for clients
//! that ask, through a real gateway on loopback.

mod support;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use flate2::Compression;
use flate2::write::{GzEncoder, ZlibEncoder};
use portcullis_gateway::coding::{self, Coding};
use portcullis_gateway::config::Overrides;
use support::*;

const PET: &str = r#"{"type": "dog", "price": 249.99}"#;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

/// A REST API whose `POST /echo` MOCK answers the request body its template
/// saw (passed through `requestOverride.path`, as on AWS), with
/// `x-amazon-apigateway-minimum-compression-size: {minimum}` when given.
fn echo_api(minimum: Option<u32>) -> String {
    let setting = minimum.map_or(String::new(), |m| {
        format!("x-amazon-apigateway-minimum-compression-size: {m}\n")
    });
    format!(
        r##"openapi: "3.0.1"
info: {{ title: "c", version: "1" }}
{setting}paths:
  /echo:
    post:
      x-amazon-apigateway-integration:
        type: "mock"
        passthroughBehavior: "when_no_templates"
        requestTemplates:
          application/json: "#set($context.requestOverride.path.seen = $input.body){{\"statusCode\": 200}}"
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: "$context.requestOverride.path.seen"
"##
    )
}

async fn post(gw: &TestGateway, headers: &[(&str, &str)], body: impl Into<Bytes>) -> Answer {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    send("POST", &gw.url("/echo"), &all, body).await
}

#[tokio::test]
async fn mapping_templates_see_the_decoded_body() {
    // Request bodies are decoded whether or not response compression is on.
    for minimum in [None, Some(0)] {
        let gw = TestGateway::openapi(echo_api(minimum), Overrides::default()).await;
        for (coding, body) in [
            ("gzip", gzip(PET.as_bytes())),
            ("deflate", zlib(PET.as_bytes())),
            ("identity", PET.as_bytes().to_vec()),
            ("GZIP", gzip(PET.as_bytes())),
        ] {
            let answer = post(&gw, &[("content-encoding", coding)], body).await;
            assert_eq!(answer.status, 200, "{coding}: {}", answer.body);
            assert_eq!(answer.body, PET, "{coding}");
            assert!(!answer.headers.contains_key("content-encoding"), "{coding}");
        }
        let plain = post(&gw, &[], PET).await;
        assert_eq!(plain.body, PET);
        gw.shutdown().await;
    }
}

#[tokio::test]
async fn unsupported_or_false_codings_answer_415() {
    let gw = TestGateway::openapi(echo_api(Some(0)), Overrides::default()).await;
    let mut cut = gzip(PET.as_bytes());
    cut.truncate(cut.len() - 4);
    for (coding, body) in [
        ("compress", gzip(PET.as_bytes())),
        ("zstd", PET.as_bytes().to_vec()),
        ("gzip, deflate", zlib(&gzip(PET.as_bytes()))),
        ("gzip", PET.as_bytes().to_vec()),
        ("gzip", cut),
        ("deflate", gzip(PET.as_bytes())),
        ("gzip", b"\x1f\x8b garbage".to_vec()),
    ] {
        let answer = post(&gw, &[("content-encoding", coding)], body).await;
        assert_eq!(answer.status, 415, "{coding}: {}", answer.body);
        assert_eq!(answer.body, r#"{"message":"Unsupported Media Type"}"#);
        assert_eq!(answer.header("content-type"), "application/json");
    }
    gw.shutdown().await;
}

#[tokio::test]
async fn a_decompression_bomb_answers_413() {
    let gw = TestGateway::openapi(echo_api(None), Overrides::default()).await;
    // 11 MB of zeros: about 11 KB on the wire, over the 10 MB payload limit once decoded.
    let bomb = gzip(&vec![0u8; 11 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024);
    let answer = post(&gw, &[("content-encoding", "gzip")], bomb).await;
    assert_eq!(answer.status, 413);
    assert_eq!(answer.body, r#"{"message":"Request Too Long"}"#);
    // Exactly 10 MB decoded is within the limit.
    let limit = gzip(&vec![b' '; 10 * 1024 * 1024]);
    let answer = post(&gw, &[("content-encoding", "gzip")], limit).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.bytes.len(), 10 * 1024 * 1024);
    gw.shutdown().await;
}

#[tokio::test]
async fn responses_are_compressed_from_the_minimum_up() {
    let size = PET.len() as u32;
    for (minimum, compressed) in [(size, true), (size + 1, false), (0, true)] {
        let gw = TestGateway::openapi(echo_api(Some(minimum)), Overrides::default()).await;
        let answer = post(&gw, &[("accept-encoding", "gzip")], PET).await;
        assert_eq!(answer.status, 200);
        if compressed {
            assert_eq!(
                answer.header("content-encoding"),
                "gzip",
                "minimum {minimum}"
            );
            assert_eq!(answer.header("vary"), "Accept-Encoding");
            let length: usize = answer.header("content-length").parse().unwrap();
            assert_eq!(length, answer.bytes.len());
            assert_eq!(
                coding::decode(Coding::Gzip, &answer.bytes, 1 << 20).unwrap(),
                PET.as_bytes()
            );
        } else {
            assert!(
                !answer.headers.contains_key("content-encoding"),
                "minimum {minimum}"
            );
            assert!(!answer.headers.contains_key("vary"));
            assert_eq!(answer.body, PET);
        }
        gw.shutdown().await;
    }
}

#[tokio::test]
async fn the_client_preference_decides_the_coding() {
    let gw = TestGateway::openapi(echo_api(Some(0)), Overrides::default()).await;
    for (accept, expected) in [
        (Some("deflate;q=0.5,gzip;q=1.0"), Some(Coding::Gzip)),
        (Some("deflate, gzip"), Some(Coding::Deflate)),
        (Some("gzip;q=1.0,identity;q=0.5,*;q=0"), Some(Coding::Gzip)),
        (Some("*"), None),
        (Some(""), None),
        (Some("identity"), None),
        (Some("zstd, gzip"), None),
        (Some("gzip;q=bad"), None),
        (None, None),
    ] {
        let headers: Vec<(&str, &str)> = accept.iter().map(|a| ("accept-encoding", *a)).collect();
        let answer = post(&gw, &headers, PET).await;
        assert_eq!(answer.status, 200);
        match expected {
            Some(coding) => {
                assert_eq!(
                    answer.header("content-encoding"),
                    coding.name(),
                    "{accept:?}"
                );
                assert_eq!(
                    coding::decode(coding, &answer.bytes, 1 << 20).unwrap(),
                    PET.as_bytes()
                );
            }
            None => {
                assert!(
                    !answer.headers.contains_key("content-encoding"),
                    "{accept:?}"
                );
                assert_eq!(answer.body, PET, "{accept:?}");
            }
        }
        // The answer depended on Accept-Encoding either way.
        assert_eq!(answer.header("vary"), "Accept-Encoding");
    }
    // Gateway responses are compressed too.
    let answer = send(
        "GET",
        &gw.url("/nope"),
        &[("accept-encoding", "gzip")],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.header("content-encoding"), "gzip");
    let body = coding::decode(Coding::Gzip, &answer.bytes, 1024).unwrap();
    assert_eq!(body, br#"{"message":"Missing Authentication Token"}"#);
    gw.shutdown().await;
}

/// A REST (or HTTP) API proxying everything to `backend`.
fn proxy_api(http: bool, backend: std::net::SocketAddr, extra: &str) -> String {
    let route = proxy_route(
        "/{proxy+}",
        "x-amazon-apigateway-any-method",
        &format!("http://{backend}/{{proxy}}"),
        extra,
    );
    let params = "        requestParameters:\n          integration.request.path.proxy: \"method.request.path.proxy\"\n";
    let route = if http {
        route
    } else {
        format!("{route}{params}")
    };
    let api = if http {
        http_api("p", &route)
    } else {
        rest_api("p", &route)
    };
    api.replacen(
        "paths:\n",
        "x-amazon-apigateway-minimum-compression-size: 100\npaths:\n",
        1,
    )
}

#[tokio::test]
async fn http_proxies_get_the_decoded_body_and_their_answers_are_compressed() {
    let large = "[{\"id\": 1, \"type\": \"dog\", \"price\": 249.99}]".repeat(100);
    let answer_body = Bytes::from(large.clone());
    let backend = Backend::start(Arc::new(move |seen: &Seen| {
        let headers = if seen.uri.ends_with("/encoded") {
            vec![("content-encoding", "gzip".to_owned())]
        } else {
            vec![]
        };
        (200, headers, answer_body.clone(), Duration::ZERO)
    }))
    .await;
    let gw = TestGateway::openapi(proxy_api(false, backend.addr, ""), Overrides::default()).await;

    let answer = send(
        "POST",
        &gw.url("/pets"),
        &[
            ("content-encoding", "gzip"),
            ("content-type", "application/json"),
            ("accept-encoding", "gzip"),
        ],
        gzip(PET.as_bytes()),
    )
    .await;
    assert_eq!(answer.status, 200);
    let seen = backend.last();
    assert_eq!(&seen.body[..], PET.as_bytes());
    assert!(
        !seen.headers.contains_key("content-encoding"),
        "{:?}",
        seen.headers
    );
    assert_eq!(
        seen.headers["content-length"],
        PET.len().to_string().as_str()
    );
    assert_eq!(answer.header("content-encoding"), "gzip");
    assert!(answer.bytes.len() < large.len() / 5);
    assert_eq!(
        coding::decode(Coding::Gzip, &answer.bytes, 1 << 20).unwrap(),
        large.as_bytes()
    );

    // What the integration encoded already passes untouched.
    let answer = send(
        "GET",
        &gw.url("/encoded"),
        &[("accept-encoding", "gzip")],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.header("content-encoding"), "gzip");
    assert_eq!(answer.body, large);
    // HEAD answers carry no body to compress.
    let answer = send(
        "HEAD",
        &gw.url("/pets"),
        &[("accept-encoding", "gzip")],
        Bytes::new(),
    )
    .await;
    assert!(!answer.headers.contains_key("content-encoding"));
    gw.shutdown().await;
}

#[tokio::test]
async fn http_apis_have_no_compression() {
    let backend = Backend::start(Arc::new(|seen: &Seen| {
        (200, vec![], seen.body.repeat(10).into(), Duration::ZERO)
    }))
    .await;
    let gw = TestGateway::openapi(proxy_api(true, backend.addr, ""), Overrides::default()).await;
    let packed = gzip(PET.as_bytes());
    let answer = send(
        "POST",
        &gw.url("/pets"),
        &[("content-encoding", "gzip"), ("accept-encoding", "gzip")],
        packed.clone(),
    )
    .await;
    assert_eq!(answer.status, 200);
    // The body reaches the backend as sent, and the answer comes back as the backend wrote it.
    let seen = backend.last();
    assert_eq!(&seen.body[..], &packed[..]);
    assert_eq!(seen.headers["content-encoding"], "gzip");
    assert!(!answer.headers.contains_key("content-encoding"));
    assert_eq!(&answer.bytes[..], &packed.repeat(10)[..]);
    gw.shutdown().await;
}

/// A backend answering one request with a chunked body: `first`, then (once
/// `release` fires) `rest` and the end.
async fn held_backend(
    first: &'static str,
    rest: &'static str,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{first}\r\n",
            first.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let _ = released.await;
        let tail = format!("{:x}\r\n{rest}\r\n0\r\n\r\n", rest.len());
        let _ = stream.write_all(tail.as_bytes()).await;
    });
    (addr, release)
}

#[tokio::test]
async fn streamed_answers_are_compressed_as_they_arrive() {
    use flate2::{Decompress, FlushDecompress};
    use http_body_util::BodyExt;

    let (backend, release) = held_backend("data: first\n\n", "data: second\n\n").await;
    // The size of a stream is unknown: it is compressed whatever the minimum.
    let api = format!(
        "openapi: \"3.0.1\"\ninfo: {{ title: \"s\", version: \"1\" }}\nx-amazon-apigateway-minimum-compression-size: 1000000\npaths:\n  /events:\n    get:\n      x-amazon-apigateway-integration:\n        type: \"http_proxy\"\n        httpMethod: \"GET\"\n        uri: \"http://{backend}/events\"\n        responseTransferMode: \"STREAM\"\n"
    );
    let gw = TestGateway::openapi(api, Overrides::default()).await;
    let stream = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(connection);
    let request = http::Request::get("/events")
        .header("host", "x")
        .header("accept-encoding", "deflate")
        .body(http_body_util::Empty::<Bytes>::new())
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.headers()["content-encoding"], "deflate");
    assert!(!response.headers().contains_key("content-length"));
    let mut body = response.into_body();
    let mut inflater = Decompress::new(true);
    let mut plain = Vec::with_capacity(4096);
    // The first event decodes while the backend still holds the second.
    tokio::time::timeout(Duration::from_secs(5), async {
        while plain != b"data: first\n\n" {
            let frame = body.frame().await.expect("more frames").unwrap();
            let data = frame.into_data().unwrap_or_default();
            inflater
                .decompress_vec(&data, &mut plain, FlushDecompress::Sync)
                .unwrap();
        }
    })
    .await
    .expect("the first event arrived compressed before the end of the stream");
    release.send(()).unwrap();
    let mut rest = Vec::new();
    while let Some(frame) = body.frame().await {
        rest.extend_from_slice(&frame.unwrap().into_data().unwrap_or_default());
    }
    let status = inflater
        .decompress_vec(&rest, &mut plain, FlushDecompress::Finish)
        .unwrap();
    assert_eq!(status, flate2::Status::StreamEnd);
    assert_eq!(plain, b"data: first\n\ndata: second\n\n");
    gw.shutdown().await;
}
