//! Binary payloads through every non-Lambda integration type, compared byte for
//! byte: the payloads are not UTF-8, so any text round trip on the way would
//! show. (Lambda integrations: `tests/lambda.rs`.)

mod support;

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use portcullis_gateway::config::Overrides;
use support::*;

/// A backend that answers 200 with the request body as `image/png`.
async fn mirror() -> Backend {
    Backend::start(Arc::new(|seen: &Seen| {
        (
            200,
            vec![("content-type", "image/png".to_owned())],
            seen.body.clone(),
            Duration::ZERO,
        )
    }))
    .await
}

fn with_binary_types(api: String) -> String {
    format!("{api}x-amazon-apigateway-binary-media-types: [\"image/png\"]\n")
}

const PNG: [(&str, &str); 2] = [("content-type", "image/png"), ("accept", "image/png")];

#[tokio::test]
async fn http_proxy_passes_binary_bodies_through_unchanged() {
    let body = binary_payload();
    for http_api in [false, true] {
        let backend = mirror().await;
        let route = proxy_route("/up", "post", &format!("http://{}/up", backend.addr), "");
        let api = if http_api {
            support::http_api("h", &route)
        } else {
            with_binary_types(rest_api("r", &route))
        };
        let gw = TestGateway::openapi(api, Overrides::default()).await;
        let answer = send("POST", &gw.url("/up"), &PNG, body.clone()).await;
        assert_eq!(answer.status, 200, "http_api={http_api}: {answer:?}");
        assert_eq!(backend.last().body, body, "http_api={http_api}: request");
        assert_eq!(answer.bytes, body, "http_api={http_api}: response");
        gw.shutdown().await;
    }
}

#[tokio::test]
async fn http_integration_without_templates_passes_binary_through() {
    let body = binary_payload();
    let backend = mirror().await;
    let paths = format!(
        "  /store:\n    post:\n      x-amazon-apigateway-integration:\n        type: \"http\"\n        httpMethod: \"POST\"\n        uri: \"http://{}/store\"\n        passthroughBehavior: \"when_no_templates\"\n        responses:\n          default:\n            statusCode: \"200\"\n",
        backend.addr
    );
    let gw = TestGateway::openapi(
        with_binary_types(rest_api("r", &paths)),
        Overrides::default(),
    )
    .await;
    let answer = send("POST", &gw.url("/store"), &PNG, body.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(backend.last().body, body);
    assert_eq!(answer.header("content-type"), "image/png");
    assert_eq!(answer.bytes, body);
    // A text Accept gets the same bytes base64-encoded, as on AWS.
    let text = [
        ("content-type", "image/png"),
        ("accept", "application/json"),
    ];
    let answer = send("POST", &gw.url("/store"), &text, body.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, STANDARD.encode(&body));
    gw.shutdown().await;
}

#[tokio::test]
async fn http_integration_converts_binary_to_text_and_back() {
    let body = binary_payload();
    // The backend gets JSON with the body base64-encoded and answers with the
    // base64 text, which CONVERT_TO_BINARY turns back into the bytes.
    let backend = Backend::start(Arc::new(|seen: &Seen| {
        let json: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
        let data = json["data"].as_str().unwrap_or_default().to_owned();
        (
            200,
            vec![("content-type", "text/plain".to_owned())],
            data.into(),
            Duration::ZERO,
        )
    }))
    .await;
    let paths = format!(
        r#"  /convert:
    post:
      x-amazon-apigateway-integration:
        type: "http"
        httpMethod: "POST"
        uri: "http://{}/convert"
        contentHandling: "CONVERT_TO_TEXT"
        requestTemplates:
          image/png: '{{"data": "$input.body"}}'
        responses:
          default:
            statusCode: "200"
            contentHandling: "CONVERT_TO_BINARY"
            responseParameters:
              method.response.header.Content-Type: "'image/png'"
"#,
        backend.addr
    );
    let gw = TestGateway::openapi(
        with_binary_types(rest_api("r", &paths)),
        Overrides::default(),
    )
    .await;
    let answer = send("POST", &gw.url("/convert"), &PNG, body.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let sent = format!(r#"{{"data": "{}"}}"#, STANDARD.encode(&body));
    assert_eq!(backend.last().body, sent.as_bytes());
    assert_eq!(answer.bytes, body);
    gw.shutdown().await;
}

#[tokio::test]
async fn mock_integration_answers_binary_with_convert_to_binary() {
    let body = binary_payload();
    let paths = format!(
        r#"  /logo:
    get:
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates:
          application/json: '{{"statusCode": 200}}'
        responses:
          default:
            statusCode: "200"
            contentHandling: "CONVERT_TO_BINARY"
            responseParameters:
              method.response.header.Content-Type: "'image/png'"
            responseTemplates:
              application/json: "{}"
"#,
        STANDARD.encode(&body)
    );
    let gw = TestGateway::openapi(
        with_binary_types(rest_api("r", &paths)),
        Overrides::default(),
    )
    .await;
    let answer = send(
        "GET",
        &gw.url("/logo"),
        &[("accept", "image/png")],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("content-type"), "image/png");
    assert_eq!(answer.bytes, body);
    gw.shutdown().await;
}
