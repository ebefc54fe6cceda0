//! Several APIs on one listener (execute-api hosts, custom domains, base path
//! mappings), and TLS listeners with ALPN.

mod support;

use bytes::Bytes;
use portcullis_gateway::config::{Overrides, Source, TlsFiles, UpstreamSettings};
use portcullis_gateway::upstream::UpstreamClient;
use support::*;

async fn two_apis() -> TestGateway {
    let alpha = rest_api(
        "alpha",
        &mock_route("/pets", "get", 200, r#"{"api":"alpha"}"#),
    );
    let beta = rest_api(
        "beta",
        &mock_route("/pets", "get", 200, r#"{"api":"beta"}"#),
    );
    let config = "apis:\n  - openapi: alpha.yaml\n    id: alpha\n    stages:\n      - name: prod\n  - openapi: beta.yaml\n    id: beta\ndomains:\n  - name: api.example.test\n    mappings:\n      - { base_path: \"\", api: alpha, stage: prod }\n      - { base_path: \"orders/v1\", api: beta, stage: \"$default\" }\n".to_owned();
    TestGateway::start(
        &[
            ("alpha.yaml", alpha),
            ("beta.yaml", beta),
            ("portcullis.yaml", config),
        ],
        |dir| {
            (
                Source::Config(dir.join("portcullis.yaml")),
                Overrides::default(),
            )
        },
    )
    .await
}

async fn get_host(gw: &TestGateway, host: &str, path: &str) -> Answer {
    send("GET", &gw.url(path), &[("host", host)], Bytes::new()).await
}

#[tokio::test]
async fn execute_api_hosts_select_the_api() {
    let gw = two_apis().await;
    let answer = get_host(&gw, "alpha.execute-api.localhost:3000", "/prod/pets").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"api":"alpha"}"#)
    );
    let answer = get_host(&gw, "beta.execute-api.us-east-1.amazonaws.com", "/pets").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (200, r#"{"api":"beta"}"#)
    );
    // An unknown id, or no host name with several APIs, serves nothing.
    let answer = get_host(&gw, "gamma.execute-api.localhost", "/pets").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (403, r#"{"message":"Forbidden"}"#)
    );
    let answer = get_host(&gw, "127.0.0.1", "/pets").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (403, r#"{"message":"Forbidden"}"#)
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn custom_domain_base_path_mappings() {
    let gw = two_apis().await;
    let answer = get_host(&gw, "API.example.test", "/orders/v1/pets").await;
    assert_eq!(answer.body, r#"{"api":"beta"}"#, "longest base path wins");
    let answer = get_host(&gw, "api.example.test", "/pets").await;
    assert_eq!(
        answer.body, r#"{"api":"alpha"}"#,
        "(none) catches the rest; the stage comes from the mapping"
    );
    // A base path matches whole segments only: /orders/v1x falls to the (none)
    // mapping, whose API has no such route.
    let answer = get_host(&gw, "api.example.test", "/orders/v1x/pets").await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );
    // /ping and /sping are reserved for health checks on custom domains.
    for path in ["/ping", "/sping"] {
        let answer = get_host(&gw, "api.example.test", path).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (200, r#"{"status":"healthy"}"#),
            "{path}"
        );
    }
    gw.shutdown().await;
}

#[tokio::test]
async fn tls_listener_negotiates_h2_by_alpn() {
    let dir = tempfile::tempdir().unwrap();
    let ca = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, ca.cert.pem()).unwrap();
    std::fs::write(&key, ca.signing_key.serialize_pem()).unwrap();
    let api = rest_api("t", &mock_route("/pets", "get", 200, "[]"));
    std::fs::write(dir.path().join("api.yaml"), &api).unwrap();
    let mut config = portcullis_gateway::config::load(
        &Source::OpenApi(vec![dir.path().join("api.yaml")]),
        &Overrides {
            listen: Some("127.0.0.1:0".parse().unwrap()),
            ..Overrides::default()
        },
    )
    .unwrap();
    config.listeners[0].tls = Some(TlsFiles {
        cert: cert.clone(),
        key,
    });
    let gw = TestGateway::from_config(config, dir).await;
    let client = UpstreamClient::new(&UpstreamSettings {
        ca_files: vec![cert],
    })
    .unwrap();
    let url = format!("https://localhost:{}/pets", gw.addr.port());
    let request = http::Request::get(url)
        .body(http_body_util::Full::new(Bytes::new()))
        .unwrap();
    let response = client
        .send(request, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.version(), http::Version::HTTP_2);
    gw.shutdown().await;
}
