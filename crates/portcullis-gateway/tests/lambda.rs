//! Lambda integrations end to end: real Python handlers run by the official
//! `awslambdaric` runtime client as local processes behind the gateway.

mod support;

use std::time::Duration;

use bytes::Bytes;
use portcullis_gateway::config::{Overrides, Source};
use serde_json::Value;
use support::{TestGateway, send};

/// The interpreter with `awslambdaric` installed (scripts/test.sh makes it).
fn python() -> String {
    std::env::var("PORTCULLIS_PYTHON").unwrap_or_else(|_| {
        panic!(
            "PORTCULLIS_PYTHON is not set: these tests run real handlers with the awslambdaric \
             runtime client; run them through scripts/test.sh, which installs it into a venv"
        )
    })
}

fn fixtures() -> String {
    format!("{}/tests/fixtures/lambda", env!("CARGO_MANIFEST_DIR"))
}

/// A `functions:` entry running `handlers.HANDLER` with awslambdaric.
fn function(name: &str, handler: &str, extra: &str) -> String {
    format!(
        "  {name}:\n    command: [\"{}\", \"-m\", \"awslambdaric\", \"handlers.{handler}\"]\n    cwd: \"{}\"\n{extra}",
        python(),
        fixtures()
    )
}

fn uri(function: &str) -> String {
    format!(
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:{function}/invocations"
    )
}

/// A REST proxy route to `function`.
fn rest_proxy(path: &str, method: &str, function: &str, extra: &str) -> String {
    format!(
        "  {path}:\n    {method}:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        uri: \"{}\"\n{extra}",
        uri(function)
    )
}

async fn gateway(api: String, functions: &[String]) -> TestGateway {
    let config = format!(
        "apis: [{{ openapi: api.yaml }}]\nfunctions:\n{}",
        functions.concat()
    );
    TestGateway::start(&[("api.yaml", api), ("gateway.yaml", config)], |dir| {
        (
            Source::Config(dir.join("gateway.yaml")),
            Overrides::default(),
        )
    })
    .await
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test]
async fn rest_proxy_sends_aws_events_and_reuses_warm_processes() {
    let api = support::rest_api(
        "pets",
        &[
            rest_proxy("/pets/{id}", "get", "echo", ""),
            rest_proxy("/pets", "post", "echo", ""),
        ]
        .concat(),
    );
    let gw = gateway(api, &[function("echo", "echo", "")]).await;
    let answer = send(
        "GET",
        &gw.url("/pets/a%20b?tag=x&tag=y&one=1"),
        &[("x-trace", "t1")],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let event = json(&answer.body);
    assert_eq!(event["resource"], "/pets/{id}");
    assert_eq!(event["path"], "/pets/a%20b");
    assert_eq!(event["httpMethod"], "GET");
    // REST path parameters arrive as the client encoded them.
    assert_eq!(event["pathParameters"]["id"], "a%20b");
    assert_eq!(event["queryStringParameters"]["tag"], "y");
    assert_eq!(
        event["multiValueQueryStringParameters"]["tag"],
        serde_json::json!(["x", "y"])
    );
    // hyper's client writes names lower-case; the event keeps them so.
    assert_eq!(event["headers"]["x-trace"], "t1");
    assert_eq!(event["stageVariables"], Value::Null);
    assert_eq!(event["body"], Value::Null);
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["requestContext"]["resourcePath"], "/pets/{id}");
    assert_eq!(event["requestContext"]["identity"]["sourceIp"], "127.0.0.1");
    assert_eq!(
        event["requestContext"]["requestId"],
        answer.header("x-amzn-requestid")
    );
    // headers and multiValueHeaders merge.
    let multi: Vec<_> = answer.headers.get_all("x-multi").iter().collect();
    assert_eq!(multi, ["a", "b"]);
    // REST APIs rename the reserved headers a function sets, every value of them.
    assert!(answer.headers.get("server").is_none_or(|v| v != "py"));
    assert_eq!(answer.header("x-amzn-remapped-server"), "py");
    let remapped: Vec<_> = answer
        .headers
        .get_all("x-amzn-remapped-www-authenticate")
        .iter()
        .collect();
    assert_eq!(remapped, ["Basic", "Bearer"]);
    let pid = answer.header("x-pid").to_owned();

    // Payload 1.0 spells header names as the client did, request by request on
    // one connection, whatever the body framing before.
    let pipelined = b"POST /pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nX-ONE: 1\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n\
        GET /pets/7 HTTP/1.1\r\nhost: x\r\ntEsT-HEADeR: 1\r\nx-lower: a\r\nConnection: close\r\n\r\n";
    let (replies, closed) =
        support::raw_until_close(gw.addr, pipelined, Duration::from_secs(10)).await;
    assert!(closed);
    assert_eq!(replies.matches("HTTP/1.1 200 OK").count(), 2, "{replies}");
    let second = replies.rfind("HTTP/1.1 200 OK").unwrap();
    let (first, second) = replies.split_at(second);
    for name in ["\"X-ONE\"", "\"Content-Type\"", "\"Host\""] {
        assert!(first.contains(name), "{name} in {first}");
    }
    for name in ["\"tEsT-HEADeR\"", "\"x-lower\"", "\"host\""] {
        assert!(second.contains(name), "{name} in {second}");
    }
    assert!(!second.contains("\"Test-Header\""), "{second}");

    let answer = send(
        "POST",
        &gw.url("/pets"),
        &[("content-type", "application/json")],
        r#"{"name":"rex"}"#,
    )
    .await;
    assert_eq!(answer.status, 200);
    let event = json(&answer.body);
    assert_eq!(event["body"], r#"{"name":"rex"}"#);
    assert_eq!(event["pathParameters"], Value::Null);
    assert_eq!(event["queryStringParameters"], Value::Null);
    // The same warm process served both.
    assert_eq!(answer.header("x-pid"), pid);
    gw.shutdown().await;
}

#[tokio::test]
async fn http_api_payload_2_cookies_and_inference() {
    let route = |path: &str, method: &str, function: &str| {
        format!(
            "  {path}:\n    {method}:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        payloadFormatVersion: \"2.0\"\n        uri: \"{}\"\n",
            uri(function)
        )
    };
    let api = support::http_api(
        "orders",
        &[
            route("/orders/{id}", "post", "cookies"),
            route("/inferred", "get", "inferred"),
        ]
        .concat(),
    );
    let gw = gateway(
        api,
        &[
            function("cookies", "v2_cookies", ""),
            function("inferred", "v2_inferred", ""),
        ],
    )
    .await;
    let answer = send(
        "POST",
        &gw.url("/orders/a%20b?x=1&x=2"),
        &[("cookie", "a=1; b=2"), ("content-type", "text/plain")],
        "hello",
    )
    .await;
    assert_eq!(answer.status, 201, "{answer:?}");
    let cookies: Vec<_> = answer.headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies, ["session=abc; HttpOnly", "theme=dark"]);
    let event = json(&answer.body);
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "POST /orders/{id}");
    assert_eq!(event["rawPath"], "/orders/a%20b");
    assert_eq!(event["rawQueryString"], "x=1&x=2");
    assert_eq!(event["queryStringParameters"]["x"], "1,2");
    // HTTP APIs decode path parameters.
    assert_eq!(event["pathParameters"]["id"], "a b");
    assert_eq!(event["cookies"], serde_json::json!(["a=1", "b=2"]));
    assert!(event["headers"].get("cookie").is_none());
    assert_eq!(event["body"], "hello");
    assert_eq!(event["requestContext"]["http"]["method"], "POST");
    assert_eq!(event["requestContext"]["stage"], "$default");

    let answer = send("GET", &gw.url("/inferred"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), "application/json");
    assert_eq!(
        json(&answer.body),
        serde_json::json!({"pets": ["rex", "tom"], "count": 2})
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn binary_bodies_reach_functions_and_clients_byte_for_byte() {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;

    let payload = support::binary_payload();
    let custom = format!(
        r#"  /custom:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: "{}"
        contentHandling: CONVERT_TO_TEXT
        requestTemplates:
          image/png: '{{"data": "$input.body"}}'
        responses:
          default:
            statusCode: "200"
            contentHandling: CONVERT_TO_BINARY
            responseParameters:
              method.response.header.Content-Type: "'image/png'"
            responseTemplates:
              application/json: "$input.path('$.data')"
"#,
        uri("binary_custom")
    );
    let api = format!(
        "{}x-amazon-apigateway-binary-media-types: [\"image/png\"]\n",
        support::rest_api(
            "img",
            &[rest_proxy("/img", "post", "binary", ""), custom].concat()
        )
    );
    let gw = gateway(
        api,
        &[
            function("binary", "binary", ""),
            function("binary_custom", "binary_custom", ""),
        ],
    )
    .await;
    let png = [("content-type", "image/png"), ("accept", "image/png")];
    // aws_proxy: the event carries the body base64-encoded; the function's
    // base64 answer reaches a binary client decoded, byte for byte.
    let answer = send("POST", &gw.url("/img"), &png, payload.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("x-request-base64"), "true");
    assert_eq!(answer.bytes, payload);
    // A client that does not accept a binary type gets the base64 text, as on AWS.
    let text = [
        ("content-type", "image/png"),
        ("accept", "application/json"),
    ];
    let answer = send("POST", &gw.url("/img"), &text, payload.clone()).await;
    assert_eq!(answer.body, STANDARD.encode(&payload));
    // aws: CONVERT_TO_TEXT into the template, CONVERT_TO_BINARY on the way back.
    let answer = send("POST", &gw.url("/custom"), &png, payload.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("content-type"), "image/png");
    assert_eq!(answer.bytes, payload);
    gw.shutdown().await;

    // HTTP APIs: payload 2.0 base64-encodes a binary body and decodes the answer.
    let route = format!(
        "  /img:\n    post:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        payloadFormatVersion: \"2.0\"\n        uri: \"{}\"\n",
        uri("binary")
    );
    let gw = gateway(
        support::http_api("img", &route),
        &[function("binary", "binary", "")],
    )
    .await;
    let answer = send("POST", &gw.url("/img"), &png, payload.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.header("x-request-base64"), "true");
    assert_eq!(answer.bytes, payload);
    gw.shutdown().await;
}

#[tokio::test]
async fn function_errors_timeouts_and_crashes_answer_as_aws() {
    let api = support::rest_api(
        "errors",
        &[
            rest_proxy("/raise", "get", "fail", ""),
            rest_proxy("/malformed", "get", "malformed", ""),
            rest_proxy("/slow", "get", "slow", ""),
            rest_proxy(
                "/impatient",
                "get",
                "slow",
                "        timeoutInMillis: 300\n",
            ),
            rest_proxy("/crash", "get", "crash", ""),
        ]
        .concat(),
    );
    let gw = gateway(
        api,
        &[
            function("fail", "fail", ""),
            function("malformed", "malformed", ""),
            function("slow", "slow", "    timeout_seconds: 1\n"),
            function("crash", "crash", ""),
        ],
    )
    .await;
    let warm = send("GET", &gw.url("/crash"), &[], Bytes::new()).await;
    assert_eq!(warm.status, 200, "{warm:?}");
    let crashed_pid = warm.header("x-pid").to_owned();
    for path in ["/raise", "/malformed", "/slow", "/crash?crash=1"] {
        let answer = send("GET", &gw.url(path), &[], Bytes::new()).await;
        assert_eq!(answer.status, 502, "{path}: {answer:?}");
        assert_eq!(
            answer.body, r#"{"message":"Internal server error"}"#,
            "{path}"
        );
        assert_eq!(
            answer.header("x-amzn-errortype"),
            "InternalServerErrorException"
        );
    }
    // The integration's own timeout answers 504 before the function's 1 s.
    let started = std::time::Instant::now();
    let answer = send("GET", &gw.url("/impatient"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 504);
    assert_eq!(answer.body, r#"{"message":"Endpoint request timed out"}"#);
    assert!(started.elapsed() < Duration::from_millis(900));
    // The crashed function's process is replaced: its next call works, in a new process.
    let answer = send("GET", &gw.url("/crash"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, "alive");
    assert_ne!(answer.header("x-pid"), crashed_pid);
    gw.shutdown().await;
}

#[tokio::test]
async fn http_api_function_errors_are_500() {
    let route = format!(
        "  /raise:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws_proxy\n        httpMethod: POST\n        payloadFormatVersion: \"1.0\"\n        uri: \"{}\"\n",
        uri("fail")
    );
    let gw = gateway(
        support::http_api("e", &route),
        &[function("fail", "fail", "")],
    )
    .await;
    let answer = send("GET", &gw.url("/raise"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 500, "{answer:?}");
    assert_eq!(answer.body, r#"{"message":"Internal Server Error"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn custom_integrations_use_templates_and_select_on_the_error_message() {
    let custom = |path: &str, responses: &str| {
        format!(
            "  {path}:\n    get:\n      x-amazon-apigateway-integration:\n        type: aws\n        httpMethod: POST\n        uri: \"{}\"\n        requestTemplates:\n          application/json: '{{\"id\": \"$input.params(''id'')\", \"stage\": \"$context.stage\"}}'\n        responses:\n{responses}",
            uri("custom")
        )
    };
    let with_default = "          default:\n            statusCode: \"200\"\n            responseTemplates:\n              application/json: '{\"pet\": \"$input.path(''$.name'')\", \"id\": \"$input.path(''$.id'')\"}'\n          \"NotFound:.*\":\n            statusCode: \"404\"\n            responseTemplates:\n              application/json: '{\"error\": \"$input.path(''$.errorMessage'')\"}'\n";
    let without_default = "          \"NotFound:.*\":\n            statusCode: \"404\"\n";
    let api = support::rest_api(
        "custom",
        &[
            custom("/pets", with_default),
            custom("/strict", without_default),
        ]
        .concat(),
    );
    let gw = gateway(api, &[function("custom", "custom", "")]).await;
    let answer = send("GET", &gw.url("/pets?id=7"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, r#"{"pet": "rex", "id": "7"}"#);
    let answer = send("GET", &gw.url("/pets?id=missing"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 404, "{answer:?}");
    assert_eq!(answer.body, r#"{"error": "NotFound: pet missing"}"#);
    // An error no pattern matches takes the default response, as on AWS.
    let answer = send("GET", &gw.url("/pets?id=bad"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 200);
    // The default template rendered over the error document, which has neither field.
    assert_eq!(answer.body, r#"{"pet": "", "id": ""}"#);
    // Without a default response it is an API configuration error.
    let answer = send("GET", &gw.url("/strict?id=bad"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 500, "{answer:?}");
    assert_eq!(answer.body, r#"{"message":"Internal server error"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn calls_above_reserved_concurrency_are_throttled() {
    let api = support::rest_api("hold", &rest_proxy("/hold", "get", "hold", ""));
    let gw = gateway(
        api,
        &[function("hold", "hold", "    reserved_concurrency: 1\n")],
    )
    .await;
    // The second call is sent once the first one's handler runs (it writes a
    // marker file), so the only process is surely busy.
    let marker = gw.dir.path().join("holding");
    let long = gw.url(&format!("/hold?s=1.5&touch={}", marker.display()));
    let short = gw.url("/hold?s=0");
    let (a, b) = tokio::join!(send("GET", &long, &[], Bytes::new()), async {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !marker.exists() {
            assert!(
                std::time::Instant::now() < deadline,
                "the first call never ran"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        send("GET", &short, &[], Bytes::new()).await
    });
    assert_eq!(a.status, 200, "{a:?}");
    // AWS answers a throttled Lambda with 500, not 429.
    assert_eq!(b.status, 500, "{b:?}");
    assert_eq!(b.body, r#"{"message":"Internal server error"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn reloads_keep_warm_processes_of_unchanged_functions() {
    use std::sync::Arc;

    use portcullis_gateway::config;
    use portcullis_gateway::runtime::Gateway;

    let api = support::rest_api("pets", &rest_proxy("/pets", "get", "echo", ""));
    let gw = gateway(api, &[function("echo", "echo", "")]).await;
    let pid = |answer: &support::Answer| answer.header("x-pid").to_owned();
    let first = send("GET", &gw.url("/pets"), &[], Bytes::new()).await;
    assert_eq!(first.status, 200, "{first:?}");
    let reload = |gw: &TestGateway| {
        let config = config::load(
            &Source::Config(gw.dir.path().join("gateway.yaml")),
            &Overrides::default(),
        )
        .unwrap();
        let next = Gateway::compile_reusing(&config, Some(&gw.gateway.load())).unwrap();
        gw.gateway.store(Arc::new(next));
    };
    // Same settings: the warm process keeps serving.
    reload(&gw);
    let second = send("GET", &gw.url("/pets"), &[], Bytes::new()).await;
    assert_eq!(pid(&second), pid(&first));
    // Changed settings: a new process.
    let path = gw.dir.path().join("gateway.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}    timeout_seconds: 7\n")).unwrap();
    reload(&gw);
    let third = send("GET", &gw.url("/pets"), &[], Bytes::new()).await;
    assert_eq!(third.status, 200);
    assert_ne!(pid(&third), pid(&first));
    // The replaced function's process is stopped once the old config is dropped.
    assert!(
        std::path::Path::new(&format!("/proc/{}", std::process::id())).exists(),
        "/proc does not list this process: the check below needs Linux /proc"
    );
    let old = format!("/proc/{}", pid(&first));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::path::Path::new(&old).exists() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(!std::path::Path::new(&old).exists(), "{old} still runs");
    gw.shutdown().await;
}
