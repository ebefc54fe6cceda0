//! Mapping templates (VTL) end to end: MOCK and non-proxy HTTP integrations,
//! and gateway responses.

mod support;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use portcullis_gateway::config::Overrides;
use support::*;

#[tokio::test]
async fn mock_request_template_chooses_the_status_and_response_template_renders() {
    let api = r##"openapi: "3.0.1"
info: { title: "t", version: "1" }
paths:
  /pets/{id}:
    get:
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates:
          application/json: |
            #if( $input.params('id') == "404" )
            {"statusCode": 404}
            #else
            {"statusCode": 200}
            #end
        responses:
          "404":
            statusCode: "404"
            responseTemplates:
              application/json: '{"message": "no pet $input.params(''id'')"}'
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |
                #set($id = $input.params('id'))
                {"id": "$id", "stage": "$context.stage", "q": "$util.escapeJavaScript($input.params('q'))", "params": "$input.params()"}
"##;
    let gw = TestGateway::openapi(api.to_owned(), Overrides::default()).await;
    let answer = get(&gw.url("/pets/7?q=it%27s")).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body.contains(r#""id": "7""#), "{}", answer.body);
    assert!(
        answer.body.contains(r#""stage": "$default""#),
        "{}",
        answer.body
    );
    assert!(answer.body.contains(r#""q": "it\'s""#), "{}", answer.body);
    assert!(
        answer.body.contains("path={id=7}"),
        "Java map rendering: {}",
        answer.body
    );
    let answer = get(&gw.url("/pets/404")).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body, r#"{"message": "no pet 404"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn non_proxy_http_reshapes_request_and_response() {
    let backend = Backend::start(Arc::new(|seen: &Seen| {
        let reply = format!(
            r#"{{"received": {}, "items": [{{"n": "a"}}, {{"n": "b"}}]}}"#,
            String::from_utf8_lossy(&seen.body)
        );
        (
            200,
            vec![("content-type", "application/json".to_owned())],
            reply.into(),
            Duration::ZERO,
        )
    }))
    .await;
    let api = format!(
        r##"openapi: "3.0.1"
info: {{ title: "t", version: "1" }}
paths:
  /orders:
    post:
      x-amazon-apigateway-integration:
        type: "http"
        httpMethod: "POST"
        uri: "http://{}/backend"
        passthroughBehavior: "never"
        requestTemplates:
          application/json: '{{"customer": $input.json(''$.name''), "count": $input.path(''$.items'').size()}}'
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |
                #set($root = $input.path('$'))
                [#foreach($item in $root.items)"$item.n"#if($foreach.hasNext),#end#end]
"##,
        backend.addr
    );
    let gw = TestGateway::openapi(api, Overrides::default()).await;
    let json = [
        ("content-type", "application/json"),
        ("user-agent", "curl/8"),
        ("accept", "text/html"),
        ("x-client", "not forwarded"),
    ];
    let answer = send(
        "POST",
        &gw.url("/orders"),
        &json,
        r#"{"name": "ann", "items": [1, 2, 3]}"#,
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let seen = backend.last();
    assert_eq!(&seen.body[..], br#"{"customer": "ann", "count": 3}"#);
    // A non-proxy integration sends only the headers API Gateway adds, not the client's.
    let header = |name: &str| {
        seen.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header("user-agent").as_deref(),
        Some("AmazonAPIGateway_api")
    );
    assert_eq!(header("x-amzn-apigateway-api-id").as_deref(), Some("api"));
    assert_eq!(header("accept").as_deref(), Some("application/json"));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    assert_eq!(header("x-client"), None);
    assert_eq!(answer.body.trim(), r#"["a","b"]"#);
    // passthroughBehavior NEVER: a content type without a template is 415.
    let xml = [("content-type", "application/xml")];
    let answer = send("POST", &gw.url("/orders"), &xml, "<a/>").await;
    assert_eq!(answer.status, 415);
    assert_eq!(answer.body, r#"{"message":"Unsupported Media Type"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn gateway_response_templates_are_vtl() {
    let api = r##"openapi: "3.0.1"
info: { title: "t", version: "1" }
paths: {}
x-amazon-apigateway-gateway-responses:
  DEFAULT_4XX:
    statusCode: 404
    responseParameters:
      gatewayresponse.header.x-kind: "'custom'"
      gatewayresponse.header.x-echo: "method.request.header.x-trace"
      gatewayresponse.header.x-q: "method.request.querystring.q"
      gatewayresponse.header.x-id: "context.requestId"
    responseTemplates:
      application/json: '{"error": $context.error.messageString, "type": "$context.error.responseType.toLowerCase()", "id": "$context.requestId"}'
"##;
    let gw = TestGateway::openapi(api.to_owned(), Overrides::default()).await;
    let answer = send(
        "GET",
        &gw.url("/nothing?q=7"),
        &[("x-trace", "t-1")],
        Bytes::new(),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header("x-kind"), "custom");
    assert_eq!(answer.header("x-echo"), "t-1");
    assert_eq!(answer.header("x-q"), "7");
    assert_eq!(answer.header("x-id"), answer.header("x-amzn-requestid"));
    let id = answer.header("x-amzn-requestid").to_owned();
    assert_eq!(
        answer.body,
        format!(
            r#"{{"error": "Missing Authentication Token", "type": "missing_authentication_token", "id": "{id}"}}"#
        )
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn gateway_responses_to_unmatched_routes_see_the_stage() {
    let api = r##"openapi: "3.0.1"
info: { title: "t", version: "1" }
paths:
  /pets:
    get:
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
x-amazon-apigateway-gateway-responses:
  MISSING_AUTHENTICATION_TOKEN:
    statusCode: 404
    responseParameters:
      gatewayresponse.header.x-env: "stageVariables.env"
    responseTemplates:
      application/json: '{"stage": "$context.stage", "env": "$stageVariables.env", "path": "$context.resourcePath"}'
"##;
    let overrides = Overrides {
        stage: Some("prod".into()),
        stage_variables: vec![("env".into(), "blue".into())],
        ..Overrides::default()
    };
    let gw = TestGateway::openapi(api.to_owned(), overrides).await;
    let answer = get(&gw.url("/prod/no-such-path")).await;
    assert_eq!(answer.status, 404, "{answer:?}");
    assert_eq!(answer.header("x-env"), "blue");
    assert_eq!(
        answer.body,
        r#"{"stage": "prod", "env": "blue", "path": ""}"#
    );
    gw.shutdown().await;
}

#[tokio::test]
async fn gateway_response_headers_read_path_parameters() {
    let api = r##"openapi: "3.0.1"
info: { title: "t", version: "1" }
x-amazon-apigateway-request-validators:
  params: { validateRequestParameters: true, validateRequestBody: false }
paths:
  /items/{id}:
    get:
      x-amazon-apigateway-request-validator: params
      parameters:
        - { name: id, in: path, required: true, schema: { type: string } }
        - { name: q, in: query, required: true, schema: { type: string } }
      x-amazon-apigateway-integration:
        type: "mock"
        requestTemplates: { application/json: '{"statusCode": 200}' }
        responses: { default: { statusCode: "200" } }
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_PARAMETERS:
    responseParameters:
      gatewayresponse.header.x-item: "method.request.path.id"
      gatewayresponse.header.x-absent: "method.request.path.nope"
"##;
    let gw = TestGateway::openapi(api.to_owned(), Overrides::default()).await;
    let answer = send("GET", &gw.url("/items/a%20b"), &[], Bytes::new()).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    assert_eq!(
        answer.body,
        r#"{"message":"Missing required request parameters: [q]"}"#
    );
    // As the client encoded it, like every REST path parameter.
    assert_eq!(answer.header("x-item"), "a%20b");
    // A source the request does not have sets no header, as on AWS.
    assert!(answer.headers.get("x-absent").is_none());
    gw.shutdown().await;
}

#[tokio::test]
async fn parameters_map_from_request_and_response_bodies() {
    let backend = Backend::start(Arc::new(|_: &Seen| {
        (
            200,
            vec![("content-type", "application/json".to_owned())],
            r#"{"count": 2, "owner": {"name": "zoe"}}"#.into(),
            Duration::ZERO,
        )
    }))
    .await;
    let api = format!(
        r##"openapi: "3.0.1"
info: {{ title: "t", version: "1" }}
paths:
  /orders:
    post:
      x-amazon-apigateway-integration:
        type: "http"
        httpMethod: "POST"
        uri: "http://{}/backend"
        requestParameters:
          integration.request.header.x-customer: "method.request.body.customer.name"
          integration.request.querystring.first: "method.request.body.items[0]"
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.x-count: "integration.response.body.count"
              method.response.header.x-owner: "integration.response.body.owner"
"##,
        backend.addr
    );
    let gw = TestGateway::openapi(api, Overrides::default()).await;
    let json = [("content-type", "application/json")];
    let answer = send(
        "POST",
        &gw.url("/orders"),
        &json,
        r#"{"customer": {"name": "ann"}, "items": ["x", "y"]}"#,
    )
    .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let seen = backend.last();
    assert_eq!(seen.headers["x-customer"], "ann");
    assert_eq!(seen.uri, "/backend?first=x");
    assert_eq!(answer.header("x-count"), "2");
    assert_eq!(answer.header("x-owner"), r#"{"name":"zoe"}"#);
    gw.shutdown().await;
}

#[tokio::test]
async fn content_handling_converts_binary_payloads() {
    // A PNG signature: 0x89 alone is not UTF-8, so this is a binary answer.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    let backend = Backend::start(Arc::new(|_: &Seen| {
        (
            200,
            vec![("content-type", "image/png".to_owned())],
            Bytes::from_static(PNG),
            Duration::ZERO,
        )
    }))
    .await;
    let api = format!(
        r##"openapi: "3.0.1"
info: {{ title: "t", version: "1" }}
x-amazon-apigateway-binary-media-types: ["image/png"]
paths:
  /images:
    post:
      x-amazon-apigateway-integration:
        type: "http"
        httpMethod: "POST"
        uri: "http://{}/store"
        contentHandling: "CONVERT_TO_TEXT"
        requestTemplates:
          image/png: '{{"data": "$input.body"}}'
        responses:
          default:
            statusCode: "200"
"##,
        backend.addr
    );
    let gw = TestGateway::openapi(api, Overrides::default()).await;
    let png = [("content-type", "image/png"), ("accept", "image/png")];
    let raw: &'static [u8] = &[0x89, 0x50, 0x4e, 0x47];
    let answer = send("POST", &gw.url("/images"), &png, Bytes::from_static(raw)).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    // CONVERT_TO_TEXT: the template saw the binary body base64-encoded.
    assert_eq!(&backend.last().body[..], br#"{"data": "iVBORw=="}"#);
    // A binary Accept gets the binary answer as it is; a text one gets base64.
    assert_eq!(answer.header("content-type"), "image/png");
    assert_eq!(answer.bytes, PNG);
    let text = [
        ("content-type", "image/png"),
        ("accept", "application/json"),
    ];
    let answer = send("POST", &gw.url("/images"), &text, Bytes::from_static(raw)).await;
    assert_eq!(answer.body, "iVBORw0KGgo=");
    gw.shutdown().await;
}
