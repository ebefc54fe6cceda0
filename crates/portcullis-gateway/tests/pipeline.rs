//! The pipeline end to end: a real gateway on loopback in front of real backends.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use portcullis_gateway::config::{ApiType, Overrides};
use support::*;

fn overrides() -> Overrides {
    Overrides::default()
}

#[tokio::test]
async fn rest_unknown_route_is_403_missing_authentication_token() {
    let gw = TestGateway::openapi(
        rest_api("t", &mock_route("/pets", "get", 200, "[]")),
        overrides(),
    )
    .await;
    let answer = get(&gw.url("/nope")).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body, r#"{"message":"Missing Authentication Token"}"#);
    assert_eq!(
        answer.header("x-amzn-errortype"),
        "MissingAuthenticationTokenException"
    );
    assert_eq!(answer.header("content-type"), "application/json");
    assert_eq!(answer.header("x-amzn-requestid").len(), 36);
    assert_eq!(answer.header("x-amz-apigw-id").len(), 16);
    // A known resource with an undefined method is the same answer on REST APIs.
    let answer = send("DELETE", &gw.url("/pets"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 403);
    gw.shutdown().await;
}

#[tokio::test]
async fn http_api_unknown_route_is_404_not_found() {
    let backend = Backend::echo().await;
    let uri = format!("http://{}/pets", backend.addr);
    let gw = TestGateway::openapi(
        http_api("h", &proxy_route("/pets", "get", &uri, "")),
        overrides(),
    )
    .await;
    let answer = get(&gw.url("/other")).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"message":"Not Found"}"#);
    assert_eq!(answer.header("apigw-requestid").len(), 16);
    assert!(!answer.headers.contains_key("x-amzn-requestid"));
    let answer = get(&gw.url("/pets")).await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers.contains_key("apigw-requestid"));
    gw.shutdown().await;
}

#[tokio::test]
async fn http_proxy_forwards_as_a_proxy_must() {
    let backend = Backend::start(Arc::new(|_: &Seen| {
        (
            201,
            vec![
                ("server", "backend/1.0".to_owned()),
                ("connection", "x-secret".to_owned()),
                ("x-secret", "1".to_owned()),
            ],
            "made".into(),
            Duration::ZERO,
        )
    }))
    .await;
    let uri = format!("http://{}/items/{{id}}", backend.addr);
    let extra = "        requestParameters:\n          integration.request.path.id: \"method.request.path.id\"\n          integration.request.header.x-stage: \"stageVariables.color\"\n";
    let gw = TestGateway::openapi(
        rest_api("t", &proxy_route("/things/{id}", "post", &uri, extra)),
        Overrides {
            stage: Some("prod".into()),
            stage_variables: vec![("color".into(), "blue".into())],
            ..overrides()
        },
    )
    .await;
    let answer = send(
        "POST",
        &gw.url("/prod/things/a%2Fb?q=1&q=2"),
        &[
            ("x-forwarded-for", "10.9.8.7"),
            ("connection", "x-hop"),
            ("x-hop", "drop me"),
            ("x-keep", "kept"),
        ],
        "payload",
    )
    .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    assert_eq!(answer.body, "made");
    let seen = backend.last();
    // REST passes path parameters undecoded and the query string through.
    assert_eq!(seen.uri, "/items/a%2Fb?q=1&q=2");
    assert_eq!(seen.method, "POST");
    assert_eq!(&seen.body[..], b"payload");
    assert_eq!(seen.headers["x-forwarded-for"], "10.9.8.7, 127.0.0.1");
    assert_eq!(seen.headers["x-keep"], "kept");
    assert_eq!(seen.headers["x-stage"], "blue");
    assert!(
        !seen.headers.contains_key("x-hop"),
        "headers named by Connection are hop-by-hop"
    );
    assert_eq!(seen.headers["host"], backend.addr.to_string().as_str());
    // Response: hop-by-hop stripped, reserved headers remapped, default content type added.
    assert!(!answer.headers.contains_key("x-secret"));
    assert_eq!(answer.header("x-amzn-remapped-server"), "backend/1.0");
    assert_eq!(answer.header("content-type"), "application/json");
    // Without the stage prefix nothing is served on a REST API.
    let answer = get(&gw.url("/things/1")).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.body, r#"{"message":"Forbidden"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn backend_connections_are_kept_alive() {
    let backend = Backend::echo().await;
    let uri = format!("http://{}/x", backend.addr);
    let gw = TestGateway::openapi(
        rest_api("t", &proxy_route("/x", "get", &uri, "")),
        overrides(),
    )
    .await;
    // Pooling is asynchronous (see upstream.rs): send until a request reuses a
    // backend connection, at most 20; without keep-alive none would.
    let connections = || {
        backend
            .connections
            .load(std::sync::atomic::Ordering::SeqCst)
    };
    let mut sent = 0;
    while sent < 20 {
        let answer = get(&gw.url("/x")).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        assert_eq!(answer.body, "GET /x");
        sent += 1;
        if sent >= 5 && connections() < sent {
            break;
        }
        tokio::time::sleep(Duration::from_millis(sent as u64)).await;
    }
    assert_eq!(backend.count(), sent);
    assert!(
        connections() < sent,
        "{sent} requests, {} connections",
        connections()
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn slow_backend_times_out_with_504() {
    let backend = Backend::start(Arc::new(|_: &Seen| {
        (200, vec![], "late".into(), Duration::from_secs(3))
    }))
    .await;
    let uri = format!("http://{}/slow", backend.addr);
    let extra = "        timeoutInMillis: 200\n";
    let gw = TestGateway::openapi(
        rest_api("t", &proxy_route("/slow", "get", &uri, extra)),
        overrides(),
    )
    .await;
    let started = Instant::now();
    let answer = get(&gw.url("/slow")).await;
    assert_eq!(answer.status, 504);
    assert_eq!(answer.body, r#"{"message":"Endpoint request timed out"}"#);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn unreachable_backend_is_integration_failure() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let uri = format!("http://127.0.0.1:{port}/gone");
    let gw = TestGateway::openapi(
        rest_api("t", &proxy_route("/gone", "get", &uri, "")),
        overrides(),
    )
    .await;
    let answer = get(&gw.url("/gone")).await;
    assert_eq!(
        answer.status, 504,
        "REST INTEGRATION_FAILURE defaults to 504"
    );
    gw.shutdown().await;
    let gw = TestGateway::openapi(
        http_api("h", &proxy_route("/gone", "get", &uri, "")),
        overrides(),
    )
    .await;
    let answer = get(&gw.url("/gone")).await;
    assert_eq!(answer.status, 503);
    assert_eq!(answer.body, r#"{"message":"Service Unavailable"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn bodies_over_10_mb_are_413() {
    let backend = Backend::echo().await;
    let uri = format!("http://{}/up", backend.addr);
    let gw = TestGateway::openapi(
        rest_api("t", &proxy_route("/up", "post", &uri, "")),
        overrides(),
    )
    .await;
    let big = vec![b'x'; 10 * 1024 * 1024 + 1];
    let answer = send("POST", &gw.url("/up"), &[], big).await;
    assert_eq!(answer.status, 413);
    assert_eq!(backend.count(), 0);
    let ok = vec![b'x'; 1024 * 1024];
    assert_eq!(send("POST", &gw.url("/up"), &[], ok).await.status, 200);
    gw.shutdown().await;
}

#[tokio::test]
async fn mock_answers_from_its_templates() {
    let gw = TestGateway::openapi(
        rest_api("t", &mock_route("/pets", "get", 201, r#"{"id":1}"#)),
        overrides(),
    )
    .await;
    let answer = get(&gw.url("/pets")).await;
    assert_eq!(answer.status, 201);
    assert_eq!(answer.body, r#"{"id":1}"#);
    assert_eq!(answer.header("content-type"), "application/json");
    gw.shutdown().await;
}

#[tokio::test]
async fn client_supplied_uuid_request_id_is_echoed() {
    let gw = TestGateway::openapi(
        rest_api("t", &mock_route("/pets", "get", 200, "[]")),
        overrides(),
    )
    .await;
    let id = "3f0c7c36-94a7-4f3b-9a5e-0d2d6a1e7b11";
    let answer = send(
        "GET",
        &gw.url("/pets"),
        &[("x-amzn-RequestId", id)],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.header("x-amzn-requestid"), id);
    let answer = send(
        "GET",
        &gw.url("/pets"),
        &[("x-amzn-RequestId", "nope")],
        Bytes::new(),
    )
    .await;
    assert_ne!(answer.header("x-amzn-requestid"), "nope");
    gw.shutdown().await;
}

#[tokio::test]
async fn aws_size_limits() {
    let gw = TestGateway::openapi(
        rest_api("t", &mock_route("/pets", "get", 200, "[]")),
        overrides(),
    )
    .await;
    let big = "v".repeat(10_300);
    let answer = send("GET", &gw.url("/pets"), &[("x-big", &big)], Bytes::new()).await;
    assert_eq!(answer.status, 431);
    let long = format!("/pets?q={}", "a".repeat(10_300));
    let answer = get(&gw.url(&long)).await;
    assert_eq!(answer.status, 414);
    gw.shutdown().await;
}

#[tokio::test]
async fn hostile_requests_get_4xx_never_5xx() {
    let backend = Backend::echo().await;
    let uri = format!("http://{}/{{proxy}}", backend.addr);
    let extra = "        requestParameters:\n          integration.request.path.proxy: \"method.request.path.proxy\"\n";
    let gw = TestGateway::openapi(
        rest_api(
            "t",
            &proxy_route("/{proxy+}", "x-amazon-apigateway-any-method", &uri, extra),
        ),
        overrides(),
    )
    .await;
    // (request, the answer's start, its body, whether the connection must close)
    let bad_request = r#"{"message":"Bad Request"}"#;
    let cases: [(&[u8], &str, &str, bool); 5] = [
        // Ambiguous framing is refused by the HTTP parser before any routing.
        (
            b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            "HTTP/1.1 400 Bad Request\r\nconnection: close\r\n",
            "",
            true,
        ),
        // A broken chunked body: AWS's 400, and the connection cannot be reused.
        (
            b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: BadRequestException\r\n",
            bad_request,
            true,
        ),
        // Dot segments that climb above the root: AWS's 400.
        (
            b"GET /a/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: BadRequestException\r\n",
            bad_request,
            false,
        ),
        // HTTP/1.1 without Host, or with two (RFC 9112 §3.2): 400, never forwarded.
        (
            b"GET /a HTTP/1.1\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: BadRequestException\r\n",
            bad_request,
            false,
        ),
        (
            b"GET /a HTTP/1.1\r\nHost: x\r\nHost: evil.example\r\n\r\n",
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-amzn-errortype: BadRequestException\r\n",
            bad_request,
            false,
        ),
    ];
    for (case, start, body, closes) in cases {
        let shown = String::from_utf8_lossy(case);
        let (reply, closed) = raw_until_close(gw.addr, case, Duration::from_secs(2)).await;
        assert!(reply.starts_with(start), "{shown:?} got {reply:?}");
        assert!(
            reply.ends_with(&format!("\r\n\r\n{body}")),
            "{shown:?} got {reply:?}"
        );
        if closes {
            assert!(closed, "{shown:?}: the connection stayed open");
        }
    }
    assert_eq!(
        backend.count(),
        0,
        "no malformed request reached the backend"
    );
    // Content-Length with Transfer-Encoding: RFC 9112 §6.3 lets chunked framing win and
    // requires closing the connection afterwards. The backend gets an unambiguous
    // re-framed request (the chunked body, here empty), and the smuggled bytes after
    // the chunked body never become a second request.
    let smuggle = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    let reply = raw(gw.addr, smuggle).await;
    assert!(
        reply.to_ascii_lowercase().contains("connection: close"),
        "{reply}"
    );
    assert_eq!(
        reply.matches("HTTP/1.1 ").count(),
        1,
        "one response only: {reply}"
    );
    assert_eq!(backend.count(), 1);
    let seen = backend.last();
    assert_eq!(seen.uri, "/a");
    assert!(seen.body.is_empty());
    gw.shutdown().await;
}

#[tokio::test]
async fn http2_cleartext_is_served() {
    let gw = TestGateway::openapi(
        rest_api("t", &mock_route("/pets", "get", 200, "[]")),
        overrides(),
    )
    .await;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(true)
        .build_http::<http_body_util::Full<Bytes>>();
    let response = client.get(gw.url("/pets").parse().unwrap()).await.unwrap();
    let answer = collect(response).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.version, http::Version::HTTP_2);
    gw.shutdown().await;
}

#[tokio::test]
async fn http_api_forwards_path_to_bare_origin_and_fills_proxy() {
    let backend = Backend::echo().await;
    let origin = format!("http://{}", backend.addr);
    let paths = format!(
        "{}{}",
        proxy_route(
            "/api/{proxy+}",
            "x-amazon-apigateway-any-method",
            &format!("{origin}/v2/{{proxy}}"),
            ""
        ),
        proxy_route("/$default", "x-amazon-apigateway-any-method", &origin, "")
    );
    let gw = TestGateway::openapi(http_api("h", &paths), overrides()).await;
    assert_eq!(get(&gw.url("/api/a/b?x=1")).await.status, 200);
    assert_eq!(backend.last().uri, "/v2/a/b?x=1");
    assert_eq!(get(&gw.url("/store/checkout")).await.status, 200);
    assert_eq!(backend.last().uri, "/store/checkout");
    gw.shutdown().await;
}

#[tokio::test]
async fn non_proxy_http_selects_integration_response() {
    let backend = Backend::start(Arc::new(|seen: &Seen| {
        let status = if seen.uri.contains("missing") {
            404
        } else {
            200
        };
        (
            status,
            vec![("x-backend", "b".to_owned())],
            "backend body".into(),
            Duration::ZERO,
        )
    }))
    .await;
    let uri = format!("http://{}/{{name}}", backend.addr);
    let paths = format!(
        "  /items/{{name}}:\n    get:\n{}      x-amazon-apigateway-integration:\n        type: \"http\"\n        httpMethod: \"GET\"\n        uri: \"{uri}\"\n        requestParameters:\n          integration.request.path.name: \"method.request.path.name\"\n        responses:\n          \"404\":\n            statusCode: \"410\"\n            responseTemplates:\n              application/json: \"{{\\\"gone\\\": true}}\"\n          default:\n            statusCode: \"200\"\n            responseParameters:\n              method.response.header.x-from: \"integration.response.header.x-backend\"\n              method.response.header.x-stage: \"context.stage\"\n              method.response.header.x-all: \"integration.response.multivalueheader.x-backend\"\n",
        path_parameters("/items/{name}")
    );
    let gw = TestGateway::openapi(rest_api("t", &paths), overrides()).await;
    let answer = get(&gw.url("/items/thing")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "backend body");
    assert_eq!(answer.header("x-from"), "b");
    assert_eq!(answer.header("x-stage"), "$default");
    assert_eq!(answer.header("x-all"), "b");
    let answer = get(&gw.url("/items/missing")).await;
    assert_eq!(answer.status, 410);
    assert_eq!(answer.body, r#"{"gone": true}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn api_type_override_decides_the_error_shapes() {
    // A REST-shaped document served as an HTTP API: HTTP API's 404.
    let gw = TestGateway::openapi(
        rest_api(
            "t",
            &proxy_route("/pets", "get", "http://127.0.0.1:9/pets", ""),
        ),
        Overrides {
            api_type: Some(ApiType::Http),
            ..overrides()
        },
    )
    .await;
    let answer = get(&gw.url("/x")).await;
    assert_eq!(answer.status, 404, "{answer:?}");
    assert_eq!(answer.body, r#"{"message":"Not Found"}"#);
    gw.shutdown().await;
    // An HTTP API export served as a REST API: REST's 403.
    let gw = TestGateway::openapi(
        http_api(
            "t",
            &proxy_route("/pets", "get", "http://127.0.0.1:9/pets", ""),
        ),
        Overrides {
            api_type: Some(ApiType::Rest),
            ..overrides()
        },
    )
    .await;
    let answer = get(&gw.url("/x")).await;
    assert_eq!(answer.status, 403, "{answer:?}");
    assert_eq!(answer.body, r#"{"message":"Missing Authentication Token"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn trickled_body_gets_408() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let backend = Backend::echo().await;
    let uri = format!("http://{}/up", backend.addr);
    let gw = TestGateway::openapi(
        rest_api("t", &proxy_route("/up", "post", &uri, "")),
        overrides(),
    )
    .await;
    let mut stream = tokio::net::TcpStream::connect(gw.addr).await.unwrap();
    stream
        .write_all(b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nab")
        .await
        .unwrap();
    let started = Instant::now();
    let mut reply = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut reply)).await;
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(backend.count(), 0);
    gw.shutdown().await;
}

#[tokio::test]
async fn http_api_response_parameters_rewrite_status_and_headers() {
    let backend = Backend::start(Arc::new(|_: &Seen| {
        (
            500,
            vec![("x-b", "1".to_owned()), ("x-multi", "a".to_owned())],
            r#"{"err": "boom", "code": 7}"#.into(),
            Duration::ZERO,
        )
    }))
    .await;
    let uri = format!("http://{}/fail", backend.addr);
    let extra = "        responseParameters:\n          \"500\":\n            overwrite:statuscode: \"403\"\n            append:header.x-err: \"$response.body.err\"\n            overwrite:header.x-id: \"id-${context.requestId}\"\n            overwrite:header.x-copy: \"$response.header.x-multi\"\n            remove:header.x-b: \"''\"\n";
    let gw = TestGateway::openapi(
        http_api("h", &proxy_route("/fail", "get", &uri, extra)),
        overrides(),
    )
    .await;
    let answer = get(&gw.url("/fail")).await;
    assert_eq!(answer.status, 403, "{answer:?}");
    assert_eq!(answer.header("x-err"), "boom");
    assert_eq!(answer.header("x-copy"), "a");
    assert!(answer.header("x-id").starts_with("id-"));
    assert!(!answer.headers.contains_key("x-b"));
    assert_eq!(answer.body, r#"{"err": "boom", "code": 7}"#);
    gw.shutdown().await;
}
