//! `$context.requestOverride` and `$context.responseOverride` set in mapping
//! templates, and MOCK request templates that are not strict JSON: the cases
//! AWS's recorded behaviour pins (a MOCK's request-template overrides reach its
//! response template and decide the status even without one).

mod support;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use portcullis_gateway::config::Overrides;
use support::*;

/// A REST API with one MOCK `GET /` whose request template is `request` and
/// whose default response has `response` as its template, if any.
fn mock_api(request: &str, response: Option<&str>) -> String {
    let indent = |text: &str| {
        text.lines()
            .map(|l| format!("              {l}\n"))
            .collect::<String>()
    };
    let templates = match response {
        Some(template) => format!(
            "            responseTemplates:\n              application/json: |\n{}",
            indent(template).replacen("              ", "                ", usize::MAX)
        ),
        None => String::new(),
    };
    format!(
        "openapi: \"3.0.1\"\ninfo: {{ title: \"t\", version: \"1\" }}\npaths:\n  /:\n    get:\n      x-amazon-apigateway-integration:\n        type: \"mock\"\n        requestTemplates:\n          application/json: |\n{}        responses:\n          default:\n            statusCode: \"200\"\n{templates}",
        indent(request).replacen("              ", "            ", usize::MAX)
    )
}

#[tokio::test]
async fn mock_response_override_in_the_request_template_decides_the_status() {
    let request = "#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = \"bar\")\n#set($context.responseOverride.custom = \"is also passed around\")\n{\n  \"statusCode\": 200\n}";
    let response = "#set($statusOverride = $context.responseOverride.status)\n{\"statusOverride\": \"$statusOverride\", \"fooHeader\": \"$context.responseOverride.header.foo\", \"custom\": \"$context.responseOverride.custom\"}";
    let gw = TestGateway::openapi(mock_api(request, Some(response)), Overrides::default()).await;
    let answer = get(&gw.url("/")).await;
    assert_eq!(answer.status, 444, "{answer:?}");
    assert_eq!(answer.headers["foo"], "bar");
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"statusOverride": "444", "fooHeader": "bar", "custom": "is also passed around"})
    );
    gw.shutdown().await;
    // Without a response template: the status and header still apply, the body is empty.
    let gw = TestGateway::openapi(mock_api(request, None), Overrides::default()).await;
    let answer = get(&gw.url("/")).await;
    assert_eq!(answer.status, 444, "{answer:?}");
    assert_eq!(answer.headers["foo"], "bar");
    assert_eq!(answer.body, "");
    gw.shutdown().await;
}

#[tokio::test]
async fn mock_request_overrides_reach_the_response_template() {
    // The path parameter carries base64 JSON; the request template parks it
    // in requestOverride.path, the response template reads it back.
    let api = r##"openapi: "3.0.1"
info: { title: "t", version: "1" }
paths:
  /{testPath}:
    get:
      parameters:
        - { name: testPath, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates:
          application/json: |
            #set($body = $util.base64Decode($input.params('testPath')))
            #set($context.requestOverride.path.body = $body)
            {"statusCode": 200}
        responses:
          "2\\d{2}":
            statusCode: "200"
            responseTemplates:
              application/json: |
                #set($body = $util.parseJson($context.requestOverride.path.body))
                #if($body.message == "path1"){"response": "path was path one"}#else{"response": "this is the else clause"}#end
"##;
    let gw = TestGateway::openapi(api.to_owned(), Overrides::default()).await;
    use base64::Engine as _;
    let encode = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    let answer = get(&gw.url(&format!("/{}", encode(r#"{"message": "path1"}"#)))).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body.trim(), r#"{"response": "path was path one"}"#);
    let answer = get(&gw.url(&format!("/{}", encode(r#"{"message": "other"}"#)))).await;
    assert_eq!(
        answer.body.trim(),
        r#"{"response": "this is the else clause"}"#
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn map_assignments_in_templates_render_as_velocity_does() {
    let request = "#set($paramName = \"foo\")\n#set($context.requestOverride.querystring[$paramName] = \"bar\")\n#set($paramPutName = \"putfoo\")\n$context.requestOverride.querystring.put($paramPutName, \"putBar\")\n#set($context[\"requestOverride\"].querystring[\"nestedfoo\"] = \"nestedFoo\")\n{\n  \"statusCode\": 200\n}";
    let response = "{\"value\": \"$context.requestOverride.querystring[\"foo\"]\", \"value2\": \"$context.requestOverride.querystring[\"putfoo\"]\", \"value3\": \"$context.requestOverride.querystring[\"nestedfoo\"]\"}";
    let gw = TestGateway::openapi(mock_api(request, Some(response)), Overrides::default()).await;
    let answer = get(&gw.url("/")).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let body: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"value": "bar", "value2": "putBar", "value3": "nestedFoo"})
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn mock_templates_that_are_not_strict_json_still_select() {
    // CDK writes `{statusCode: 200}` for CORS preflights; AWS accepts it.
    let gw = TestGateway::openapi(mock_api("{statusCode: 200}", None), Overrides::default()).await;
    let answer = get(&gw.url("/")).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body, "");
    gw.shutdown().await;
    // Garbage is still AWS's 500.
    let gw = TestGateway::openapi(mock_api("{statusCode 200}", None), Overrides::default()).await;
    let answer = get(&gw.url("/")).await;
    assert_eq!(answer.status, 500, "{answer:?}");
    gw.shutdown().await;
}

#[tokio::test]
async fn http_request_overrides_change_the_integration_request_and_responses() {
    let backend = Backend::start(Arc::new(|seen: &Seen| {
        let status = if seen.uri.contains("fail=1") {
            500
        } else {
            200
        };
        (
            status,
            vec![("content-type", "application/json".to_owned())],
            Bytes::from(format!("{{\"seen\": \"{}\"}}", seen.uri)),
            Duration::ZERO,
        )
    }))
    .await;
    let api = format!(
        r##"openapi: "3.0.1"
info: {{ title: "t", version: "1" }}
paths:
  /items/{{id}}:
    get:
      parameters:
        - {{ name: id, in: path, required: true, schema: {{ type: string }} }}
      x-amazon-apigateway-integration:
        type: "http"
        httpMethod: "GET"
        uri: "http://{}/backend/{{id}}"
        requestParameters:
          integration.request.path.id: "method.request.path.id"
          integration.request.querystring.q: "'mapped'"
        requestTemplates:
          application/json: |
            #set($context.requestOverride.header.x-over = "from template")
            #set($context.requestOverride.querystring.q = "over ridden")
            #set($context.requestOverride.path.id = "$input.params('id')-2")
            #if($input.params('id') == "bad")#set($context.requestOverride.querystring.fail = "1")#end
            {{}}
        responses:
          "5\\d{{2}}":
            statusCode: "200"
            responseTemplates:
              application/json: |
                #set($context.responseOverride.status = 503)
                #set($context.responseOverride.header.Retry-After = "5")
                {{"error": true}}
          default:
            statusCode: "200"
"##,
        backend.addr
    );
    let gw = TestGateway::openapi(api, Overrides::default()).await;
    let json = [("content-type", "application/json")];
    let answer = send("GET", &gw.url("/items/7"), &json, Bytes::new()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let seen = backend.last();
    assert_eq!(seen.uri, "/backend/7-2?q=over%20ridden");
    assert_eq!(seen.headers["x-over"], "from template");
    // A response template's responseOverride sets the status and a header.
    let answer = send("GET", &gw.url("/items/bad"), &json, Bytes::new()).await;
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.headers["retry-after"], "5");
    assert_eq!(answer.body.trim(), r#"{"error": true}"#);
    gw.shutdown().await;
}
