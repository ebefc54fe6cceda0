//! CORS through the pipeline: an HTTP API's `x-amazon-apigateway-cors`
//! (preflights, headers on every answer, the backend's replaced) and a REST
//! API's OPTIONS MOCK method and gateway responses, against a real backend on loopback.

mod support;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use portcullis_gateway::config::Overrides;
use support::*;

const APP: &str = "https://app.example";

/// A backend answering with CORS headers of its own, which HTTP APIs with a
/// CORS configuration must not pass on.
async fn backend() -> Backend {
    Backend::start(Arc::new(|seen: &Seen| {
        (
            200,
            vec![
                (
                    "access-control-allow-origin",
                    "https://backend.example".to_owned(),
                ),
                ("access-control-allow-methods", "TRACE".to_owned()),
                ("access-control-max-age", "1".to_owned()),
                ("x-request-id", "r-1".to_owned()),
                ("content-type", "text/plain".to_owned()),
            ],
            Bytes::from(format!("{} {}", seen.method, seen.uri)),
            Duration::ZERO,
        )
    }))
    .await
}

/// An HTTP API with `cors` and `paths` (`x-amazon-apigateway-cors` before `paths`).
fn http_api_with_cors(cors: &str, paths: &str) -> String {
    http_api("cors", paths).replace(
        "\npaths:\n",
        &format!("\nx-amazon-apigateway-cors: {cors}\npaths:\n"),
    )
}

const CORS: &str = "{allowOrigins: ['https://app.example'], allowCredentials: true, allowMethods: [GET, PUT], \
                    allowHeaders: [x-custom, content-type], exposeHeaders: [x-request-id], maxAge: 600}";

fn preflight(origin: &str, method: &str, headers: &str) -> Vec<(&'static str, String)> {
    let mut out = vec![
        ("origin", origin.to_owned()),
        ("access-control-request-method", method.to_owned()),
    ];
    if !headers.is_empty() {
        out.push(("access-control-request-headers", headers.to_owned()));
    }
    out
}

async fn options(gw: &TestGateway, path: &str, headers: &[(&'static str, String)]) -> Answer {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    send("OPTIONS", &gw.url(path), &headers, Bytes::new()).await
}

fn cors_headers(answer: &Answer) -> Vec<String> {
    let mut names: Vec<String> = answer
        .headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k.starts_with("access-control-"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn http_api_actual_responses_carry_the_configured_headers_not_the_backends() {
    let backend = backend().await;
    let uri = format!("http://{}/items", backend.addr);
    let gw = TestGateway::openapi(
        http_api_with_cors(CORS, &proxy_route("/items", "get", &uri, "")),
        Overrides::default(),
    )
    .await;
    let answer = send("GET", &gw.url("/items"), &[("origin", APP)], Bytes::new()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "GET /items");
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    assert_eq!(answer.header("access-control-allow-credentials"), "true");
    assert_eq!(
        answer.header("access-control-expose-headers"),
        "x-request-id"
    );
    assert_eq!(answer.header("vary"), "Origin");
    assert_eq!(
        cors_headers(&answer),
        [
            "access-control-allow-credentials",
            "access-control-allow-origin",
            "access-control-expose-headers"
        ]
    );
    // No Origin, or one not allowed: no CORS headers at all, the backend's removed too.
    for headers in [vec![], vec![("origin", "https://evil.example")]] {
        let answer = send("GET", &gw.url("/items"), &headers, Bytes::new()).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.header("x-request-id"), "r-1");
        assert!(cors_headers(&answer).is_empty(), "{:?}", answer.headers);
    }
    // The gateway's own errors carry them too.
    let answer = send("GET", &gw.url("/nothing"), &[("origin", APP)], Bytes::new()).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"message":"Not Found"}"#);
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    assert_eq!(backend.count(), 3);
    gw.shutdown().await;
}

#[tokio::test]
async fn http_api_answers_preflights_no_route_takes() {
    let backend = backend().await;
    let uri = format!("http://{}/items", backend.addr);
    let gw = TestGateway::openapi(
        http_api_with_cors(CORS, &proxy_route("/items", "get", &uri, "")),
        Overrides::default(),
    )
    .await;
    let answer = options(
        &gw,
        "/items",
        &preflight(APP, "PUT", "x-custom,content-type"),
    )
    .await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.body, "");
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    assert_eq!(answer.header("access-control-allow-methods"), "GET,PUT");
    assert_eq!(
        answer.header("access-control-allow-headers"),
        "x-custom,content-type"
    );
    assert_eq!(answer.header("access-control-max-age"), "600");
    assert_eq!(answer.header("access-control-allow-credentials"), "true");
    assert!(!answer.headers.contains_key("access-control-expose-headers"));
    assert!(!answer.headers.contains_key("content-type"));
    assert!(answer.headers.contains_key("apigw-requestid"));
    // Any path: the preflight is answered before a route would be needed.
    let answer = options(&gw, "/not/a/route", &preflight(APP, "GET", "")).await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    // A method or header not allowed, or an origin not allowed: 204 without CORS headers.
    for refused in [
        preflight(APP, "DELETE", ""),
        preflight(APP, "PUT", "x-custom,x-other"),
        preflight("https://evil.example", "GET", ""),
    ] {
        let answer = options(&gw, "/items", &refused).await;
        assert_eq!(answer.status, 204, "{refused:?}");
        assert!(
            cors_headers(&answer).is_empty(),
            "{refused:?}: {:?}",
            answer.headers
        );
    }
    // OPTIONS without Access-Control-Request-Method is no preflight: not found.
    let answer = options(&gw, "/items", &[("origin", APP.to_owned())]).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    assert_eq!(backend.count(), 0, "preflights never reach the backend");
    gw.shutdown().await;
}

#[tokio::test]
async fn a_route_that_takes_options_serves_the_preflight_with_its_authorizer() {
    let backend = backend().await;
    let uri = format!("http://{}/any", backend.addr);
    // `OPTIONS /open` goes to the backend; `ANY /locked` has a JWT authorizer.
    let paths = format!(
        "{}{}    x-amazon-apigateway-any-method:\n      security: [{{jwt: []}}]\n      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: ANY, uri: '{uri}'}}\n",
        proxy_route("/open", "options", &uri, ""),
        "  /locked:\n",
    );
    let document = http_api_with_cors(CORS, &paths).replace(
        "\npaths:\n",
        "\ncomponents:\n  securitySchemes:\n    jwt:\n      type: oauth2\n      x-amazon-apigateway-authorizer:\n        type: jwt\n        identitySource: $request.header.Authorization\n        jwtConfiguration: {issuer: 'https://issuer.example', audience: [app]}\npaths:\n",
    );
    let gw = TestGateway::openapi(document, Overrides::default()).await;
    let answer = options(&gw, "/open", &preflight(APP, "PUT", "x-custom")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, "OPTIONS /any");
    // The gateway's CORS headers, not the backend's.
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    assert_eq!(answer.header("access-control-allow-methods"), "GET,PUT");
    assert_eq!(answer.header("access-control-max-age"), "600");
    assert_eq!(backend.count(), 1);
    // The authorizer runs on a preflight its route takes (browsers send no
    // token with a preflight): 401, with CORS headers.
    let answer = options(&gw, "/locked", &preflight(APP, "PUT", "")).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body, r#"{"message":"Unauthorized"}"#);
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    assert_eq!(backend.count(), 1);
    gw.shutdown().await;
}

#[tokio::test]
async fn wildcards_allow_any_origin_and_name_back_what_a_preflight_asks() {
    let backend = backend().await;
    let uri = format!("http://{}/items", backend.addr);
    let gw = TestGateway::openapi(
        http_api_with_cors(
            "{allowOrigins: ['*'], allowMethods: ['*'], allowHeaders: ['*'], exposeHeaders: ['*']}",
            &proxy_route("/items", "get", &uri, ""),
        ),
        Overrides::default(),
    )
    .await;
    let answer = options(
        &gw,
        "/items",
        &preflight("http://127.0.0.1:9", "PATCH", "authorization,x-anything"),
    )
    .await;
    assert_eq!(answer.status, 204);
    assert_eq!(answer.header("access-control-allow-origin"), "*");
    assert_eq!(answer.header("access-control-allow-methods"), "PATCH");
    assert_eq!(
        answer.header("access-control-allow-headers"),
        "authorization,x-anything"
    );
    assert!(!answer.headers.contains_key("access-control-max-age"));
    assert!(
        !answer
            .headers
            .contains_key("access-control-allow-credentials")
    );
    assert!(!answer.headers.contains_key("vary"));
    let answer = send(
        "GET",
        &gw.url("/items"),
        &[("origin", "null")],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.header("access-control-allow-origin"), "*");
    assert_eq!(answer.header("access-control-expose-headers"), "*");
    gw.shutdown().await;
}

#[tokio::test]
async fn rest_apis_ignore_the_extension_and_answer_with_their_options_mock() {
    let backend = backend().await;
    let uri = format!("http://{}/items", backend.addr);
    let options_mock = "  /items:\n    options:\n      x-amazon-apigateway-integration:\n        type: mock\n        requestTemplates: {application/json: '{\"statusCode\": 200}'}\n        responses:\n          default:\n            statusCode: '200'\n            responseParameters:\n              method.response.header.Access-Control-Allow-Origin: \"'https://app.example'\"\n              method.response.header.Access-Control-Allow-Methods: \"'GET,OPTIONS'\"\n              method.response.header.Access-Control-Allow-Headers: \"'x-custom'\"\n      responses:\n        '200':\n          description: ok\n          headers:\n            Access-Control-Allow-Origin: {schema: {type: string}}\n            Access-Control-Allow-Methods: {schema: {type: string}}\n            Access-Control-Allow-Headers: {schema: {type: string}}\n";
    let paths = format!(
        "{options_mock}{}",
        proxy_route("/items", "get", &uri, "").replace("  /items:\n", "")
    );
    let document = rest_api("cors", &paths).replace(
        "\npaths:\n",
        "\nx-amazon-apigateway-cors: {allowOrigins: ['https://other.example']}\n\
         x-amazon-apigateway-gateway-responses:\n  DEFAULT_4XX:\n    responseParameters:\n      \
         gatewayresponse.header.Access-Control-Allow-Origin: \"'https://app.example'\"\npaths:\n",
    );
    let gw = TestGateway::openapi(document, Overrides::default()).await;
    let answer = options(&gw, "/items", &preflight(APP, "GET", "x-custom")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    assert_eq!(answer.header("access-control-allow-methods"), "GET,OPTIONS");
    assert_eq!(answer.header("access-control-allow-headers"), "x-custom");
    // A proxy integration's CORS headers are the backend's own.
    let answer = send("GET", &gw.url("/items"), &[("origin", APP)], Bytes::new()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        "https://backend.example"
    );
    // No OPTIONS method: REST's 403, with what the DEFAULT_4XX gateway
    // response adds (and nothing from the ignored extension).
    let answer = options(&gw, "/elsewhere", &preflight(APP, "GET", "")).await;
    assert_eq!(answer.status, 403);
    assert_eq!(cors_headers(&answer), ["access-control-allow-origin"]);
    assert_eq!(answer.header("access-control-allow-origin"), APP);
    gw.shutdown().await;
}
