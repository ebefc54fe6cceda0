//! Lambda authorizers through the `portcullis` binary: real functions run
//! with awslambdaric (`tests/authorizers/lambda_auth.py`) allowing, denying,
//! raising, cached and re-evaluated per method.

mod support;

use std::path::Path;

use serde_json::Value;
use support::*;

fn python() -> String {
    support::python("run authorizers with awslambdaric")
}

const MOCK: &str = r#"{type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"principal": "$context.authorizer.principalId", "calls": "$context.authorizer.calls", "admin": "$context.authorizer.admin", "name": "$context.authorizer.name"}'}}}}"#;

fn rest_api() -> String {
    format!(
        r#"openapi: "3.0.1"
info: {{title: lambda-auth, version: "1"}}
components:
  securitySchemes:
    tokens:
      type: apiKey
      name: Authorization
      in: header
      x-amazon-apigateway-authtype: custom
      x-amazon-apigateway-authorizer:
        type: token
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:tokens/invocations
        authorizerResultTtlInSeconds: 300
paths:
  /pets:
    get:
      security: [{{tokens: []}}]
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration: {MOCK}
    post:
      security: [{{tokens: []}}]
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration: {MOCK}
"#
    )
}

fn call(server: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    Client::connect(server.addr)
        .unwrap()
        .request(method, path, headers, b"")
        .unwrap()
}

#[test]
fn rest_token_authorizer_allows_denies_raises_and_caches() {
    let dir = tempfile::tempdir().unwrap();
    let api = write_file(dir.path(), "api.yaml", &rest_api());
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/authorizers");
    let mut command = portcullis();
    command.current_dir(&tests);
    let tokens = format!("tokens={} -m awslambdaric lambda_auth.token", python());
    let server = Server::start_with(
        command,
        &["--openapi", api.to_str().unwrap(), "--function", &tokens],
    );
    let auth = |token: &str| vec![("Authorization", token.to_owned())];
    let get = |token: &str| {
        let headers = auth(token);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        call(&server, "GET", "/pets", &headers)
    };

    let allowed = get("allow");
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(
        allowed.body,
        r#"{"principal": "user-allow", "calls": "1", "admin": "true", "name": "alice"}"#,
        "context values are strings and principalId wins over the context's"
    );
    assert_eq!(
        get("allow").body,
        allowed.body,
        "the second call is answered from the cache"
    );

    let denied = get("deny");
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.body,
        r#"{"Message":"User is not authorized to access this resource with an explicit deny"}"#
    );
    assert_eq!(
        denied.header("x-amzn-errortype"),
        Some("AccessDeniedException")
    );

    let unauthorized = get("raise");
    assert_eq!(
        (unauthorized.status, unauthorized.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );

    let failed = get("boom");
    assert_eq!(
        (failed.status, failed.body.as_str()),
        (500, r#"{"message":null}"#)
    );
    assert_eq!(
        failed.header("x-amzn-errortype"),
        Some("AuthorizerConfigurationException")
    );

    let nested = get("nested");
    assert_eq!(
        nested.status, 500,
        "an object in the context is a configuration error: {}",
        nested.body
    );

    let missing = call(&server, "GET", "/pets", &[]);
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );

    // A cached policy is evaluated again for each method: it allows GET only.
    let first = get("get-only");
    assert_eq!(first.status, 200, "{}", first.body);
    let post = call(&server, "POST", "/pets", &[("Authorization", "get-only")]);
    assert_eq!(post.status, 403, "{}", post.body);
    assert_eq!(
        post.body,
        r#"{"Message":"User is not authorized to access this resource"}"#
    );
    let again = get("get-only");
    assert_eq!(
        again.body, first.body,
        "no new call: the same cached answer"
    );
}

fn http_api() -> String {
    r#"openapi: "3.0.1"
info: {title: simple, version: "1"}
components:
  securitySchemes:
    simple:
      type: apiKey
      name: x-key
      in: header
      x-amazon-apigateway-authorizer:
        type: request
        identitySource: $request.header.x-key
        authorizerUri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:simple/invocations
        authorizerPayloadFormatVersion: "2.0"
        enableSimpleResponses: true
        authorizerResultTtlInSeconds: 0
paths:
  /things/{id}:
    get:
      security: [{simple: []}]
      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: "arn:aws:lambda:us-east-1:123456789012:function:echo"}
"#
    .to_owned()
}

#[test]
fn http_api_simple_responses_reach_the_integration_under_lambda() {
    let dir = tempfile::tempdir().unwrap();
    let api = write_file(dir.path(), "api.yaml", &http_api());
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/authorizers");
    let mut command = portcullis();
    command.current_dir(&tests);
    let simple = format!("simple={} -m awslambdaric lambda_auth.simple", python());
    let echo = format!("echo={} -m awslambdaric lambda_auth.echo", python());
    let server = Server::start_with(
        command,
        &[
            "--openapi",
            api.to_str().unwrap(),
            "--api-type",
            "http",
            "--function",
            &simple,
            "--function",
            &echo,
        ],
    );
    let reply = call(&server, "GET", "/things/7", &[("x-key", "open-sesame")]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let authorizer: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(authorizer["lambda"]["route"], "GET /things/{id}");
    assert_eq!(authorizer["lambda"]["type"], "REQUEST");
    let calls = authorizer["lambda"]["calls"].as_i64().unwrap();
    // TTL 0: every request calls the function again.
    let reply = call(&server, "GET", "/things/7", &[("x-key", "open-sesame")]);
    let again: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(again["lambda"]["calls"].as_i64().unwrap(), calls + 1);

    let refused = call(&server, "GET", "/things/7", &[("x-key", "wrong")]);
    assert_eq!(
        (refused.status, refused.body.as_str()),
        (403, r#"{"message":"Forbidden"}"#)
    );
    let missing = call(&server, "GET", "/things/7", &[]);
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );
}

/// A REST API whose API keys come from its Lambda authorizer
/// (`x-amazon-apigateway-api-key-source: AUTHORIZER`): the key is the
/// authorizer's `usageIdentifierKey`, never the `x-api-key` header.
#[test]
fn api_keys_from_the_authorizers_usage_identifier_key() {
    let dir = tempfile::tempdir().unwrap();
    let definition = rest_api()
        .replace(
            "paths:\n",
            "x-amazon-apigateway-api-key-source: AUTHORIZER\npaths:\n  /metered:\n    get:\n      security: [{tokens: [], api_key: []}]\n      x-amazon-apigateway-integration: {type: mock, requestTemplates: {application/json: '{\"statusCode\": 200}'}, responses: {default: {statusCode: \"200\", responseTemplates: {application/json: '{\"key\": \"$context.identity.apiKeyId\"}'}}}}\n",
        )
        .replace(
            "  securitySchemes:\n",
            "  securitySchemes:\n    api_key: {type: apiKey, name: x-api-key, in: header}\n",
        );
    let api = write_file(dir.path(), "api.yaml", &definition);
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/authorizers");
    let mut command = portcullis();
    command.current_dir(&tests);
    let tokens = format!("tokens={} -m awslambdaric lambda_auth.token", python());
    let key = "usage-key-0123456789abcdef";
    let server = Server::start_with(
        command,
        &[
            "--openapi",
            api.to_str().unwrap(),
            "--function",
            &tokens,
            "--api-key",
            key,
        ],
    );
    let metered = |token: &str, header: Option<&str>| {
        let mut headers = vec![("Authorization", token)];
        if let Some(value) = header {
            headers.push(("x-api-key", value));
        }
        call(&server, "GET", "/metered", &headers)
    };
    let token = format!("key:{key}");
    let allowed = metered(&token, None);
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert_eq!(allowed.body, r#"{"key": "cli"}"#);
    for (token, header) in [("key:not-a-key", None), ("allow", Some(key))] {
        let refused = metered(token, header);
        assert_eq!(refused.status, 403, "{token} {header:?}: {}", refused.body);
        assert_eq!(refused.body, r#"{"message":"Forbidden"}"#);
    }
}
