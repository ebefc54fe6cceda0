//! IAM authorization through the `portcullis` binary: requests signed by
//! botocore (`tests/authorizers/sign.py`), accepted, refused once modified,
//! and judged by each identity's policies.

mod support;

use std::io::Write;

use serde_json::{Value, json};
use support::*;

const API: &str = r#"openapi: "3.0.1"
info: {title: iam, version: "1"}
paths:
  /pets:
    get:
      x-amazon-apigateway-auth: {type: AWS_IAM}
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: &mock
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {application/json: '{"user": "$context.identity.userArn", "key": "$context.identity.accessKey", "account": "$context.identity.accountId"}'}
    post:
      x-amazon-apigateway-auth: {type: AWS_IAM}
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: *mock
  /secret:
    get:
      x-amazon-apigateway-auth: {type: AWS_IAM}
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: *mock
"#;

const CONFIG: &str = r#"apis:
  - openapi: api.yaml
    id: abc123
    stages: [{name: prod}]
aws: {region: us-east-1, account_id: "123456789012"}
iam:
  identities:
    - access_key_id: AKIDALICE
      secret_access_key: alice-secret
      principal: arn:aws:iam::123456789012:user/alice
      policies:
        - Version: "2012-10-17"
          Statement:
            - {Effect: Allow, Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/*"}
            - {Effect: Deny, Action: "execute-api:Invoke", Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/secret"}
    - access_key_id: ASIABOB
      secret_access_key: bob-secret
      session_token: bob-session-token
      principal: arn:aws:sts::123456789012:assumed-role/Reader/bob
      policies:
        - {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "execute-api:*", Resource: "*"}]}
"#;

fn spec(method: &str, path: &str, key: &str, secret: &str) -> Value {
    json!({"method": method, "url": format!("http://localhost{path}"), "access_key": key, "secret_key": secret})
}

#[test]
fn botocore_signed_requests_are_verified_and_judged_by_policies() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", API);
    let config = write_file(dir.path(), "portcullis.yaml", CONFIG);
    let server = Server::start(&["--config", config.to_str().unwrap()]);

    let mut bob_post = spec("POST", "/prod/pets", "ASIABOB", "bob-secret");
    bob_post["token"] = json!("bob-session-token");
    bob_post["body"] = json!(r#"{"name":"rex"}"#);
    let mut presigned = spec("GET", "/prod/pets?color=brown", "AKIDALICE", "alice-secret");
    presigned["presign"] = json!(true);
    let signed = sign_with_botocore(&json!([
        spec("GET", "/prod/pets", "AKIDALICE", "alice-secret"),
        spec("GET", "/prod/secret", "AKIDALICE", "alice-secret"),
        spec("POST", "/prod/pets", "AKIDALICE", "alice-secret"),
        bob_post,
        spec("GET", "/prod/pets", "AKIDNOBODY", "whatever"),
        spec("GET", "/prod/pets", "AKIDALICE", "not-alices-secret"),
        presigned,
    ]));

    let (url, headers) = &signed[0];
    let reply = send_signed(server.addr, "GET", url, headers, "");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body,
        r#"{"user": "arn:aws:iam::123456789012:user/alice", "key": "AKIDALICE", "account": "123456789012"}"#
    );

    let unsigned = send_signed(server.addr, "GET", url, &[], "");
    assert_eq!(
        (unsigned.status, unsigned.body.as_str()),
        (403, r#"{"message":"Missing Authentication Token"}"#)
    );

    // Modified after signing: another path, another query.
    for tampered in [
        "http://localhost/prod/pets?extra=1",
        "http://localhost/prod/pets/",
    ] {
        let reply = send_signed(server.addr, "GET", tampered, headers, "");
        assert_eq!(reply.status, 403, "{tampered}: {}", reply.body);
        assert!(
            reply
                .body
                .contains("The request signature we calculated does not match"),
            "{}",
            reply.body
        );
    }

    let (url, headers) = &signed[1];
    let denied = send_signed(server.addr, "GET", url, headers, "");
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.body,
        r#"{"message":"User: arn:aws:iam::123456789012:user/alice is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/secret with an explicit deny"}"#
    );
    assert_eq!(
        denied.header("x-amzn-errortype"),
        Some("AccessDeniedException")
    );

    let (url, headers) = &signed[2];
    let not_allowed = send_signed(server.addr, "POST", url, headers, "");
    assert_eq!(not_allowed.status, 403);
    assert!(
        not_allowed.body.ends_with(r#"abc123/prod/POST/pets"}"#),
        "{}",
        not_allowed.body
    );

    // A session's credentials sign the body: it arrives intact or not at all.
    let (url, headers) = &signed[3];
    let reply = send_signed(server.addr, "POST", url, headers, r#"{"name":"rex"}"#);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body.contains("assumed-role/Reader/bob"),
        "{}",
        reply.body
    );
    let reply = send_signed(server.addr, "POST", url, headers, r#"{"name":"rey"}"#);
    assert_eq!(reply.status, 403, "{}", reply.body);
    let without_token: Vec<_> = headers
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("x-amz-security-token"))
        .cloned()
        .collect();
    assert_eq!(
        send_signed(
            server.addr,
            "POST",
            url,
            &without_token,
            r#"{"name":"rex"}"#
        )
        .status,
        403
    );

    let (url, headers) = &signed[4];
    let unknown = send_signed(server.addr, "GET", url, headers, "");
    assert_eq!(
        (unknown.status, unknown.body.as_str()),
        (
            403,
            r#"{"message":"The security token included in the request is invalid."}"#
        )
    );

    let (url, headers) = &signed[5];
    let wrong_secret = send_signed(server.addr, "GET", url, headers, "");
    assert_eq!(wrong_secret.status, 403);
    assert!(
        wrong_secret.body.contains("does not match"),
        "{}",
        wrong_secret.body
    );

    let (url, headers) = &signed[6];
    assert!(url.contains("X-Amz-Signature="), "{url}");
    let reply = send_signed(server.addr, "GET", url, headers, "");
    assert_eq!(reply.status, 200, "presigned: {}", reply.body);
}

fn policy_api(allowed_cidr: &str) -> String {
    format!(
        r#"openapi: "3.0.1"
info: {{title: rp, version: "1"}}
x-amazon-apigateway-policy:
  Version: "2012-10-17"
  Statement:
    - {{Effect: Allow, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: {{IpAddress: {{"aws:SourceIp": ["{allowed_cidr}"]}}}}}}
    - {{Effect: Deny, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*/GET/blocked"}}
    - {{Effect: Deny, Principal: "*", Action: "execute-api:Invoke", Resource: "execute-api:/*", Condition: {{StringNotEquals: {{"aws:SourceVpce": "vpce-1a2b3c4d"}}}}}}
paths:
  /open:
    get:
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{"statusCode": 200}}'}}, responses: {{default: {{statusCode: "200"}}}}}}
  /blocked:
    get:
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{"statusCode": 200}}'}}, responses: {{default: {{statusCode: "200"}}}}}}
"#
    )
}

#[test]
fn resource_policies_allow_and_deny_before_any_authorizer() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "local.yaml", &policy_api("127.0.0.0/8"));
    write_file(dir.path(), "elsewhere.yaml", &policy_api("203.0.113.0/24"));
    let config = write_file(
        dir.path(),
        "portcullis.yaml",
        "apis:\n  - {openapi: local.yaml, id: local1, stages: [{name: prod}]}\n  - {openapi: elsewhere.yaml, id: far1, stages: [{name: prod}]}\naws: {account_id: \"123456789012\"}\n",
    );
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    let warned = server
        .startup
        .iter()
        .any(|l| l.contains("aws:SourceVpce") && l.contains("left out"));
    assert!(
        warned,
        "the VPC endpoint statement is dropped with a warning: {:#?}",
        server.startup
    );

    // The APIs are told apart by their execute-api host names.
    let call = |id: &str, path: &str| {
        let raw = format!(
            "GET /prod{path} HTTP/1.1\r\nHost: {id}.execute-api.localhost\r\nConnection: close\r\n\r\n"
        );
        let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stream, &mut out).unwrap();
        out
    };
    let open = call("local1", "/open");
    assert!(open.starts_with("HTTP/1.1 200"), "{open}");
    let blocked = call("local1", "/blocked");
    assert!(blocked.starts_with("HTTP/1.1 403"), "{blocked}");
    assert!(
        blocked.ends_with(r#"{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:local1/prod/GET/blocked with an explicit deny"}"#),
        "{blocked}"
    );
    let far = call("far1", "/open");
    assert!(far.starts_with("HTTP/1.1 403"), "{far}");
    assert!(
        far.ends_with(r#"{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:far1/prod/GET/open"}"#),
        "{far}"
    );
}

/// A cached IAM route answering with the id of the request that filled its entry.
const CACHED_API: &str = r#"openapi: "3.0.1"
info: {title: cached-iam, version: "1"}
paths:
  /report:
    get:
      x-amazon-apigateway-auth: {type: AWS_IAM}
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseTemplates: {application/json: '{"filledBy": "$context.requestId"}'}
"#;

#[test]
fn only_callers_allowed_to_invalidate_refresh_a_cached_entry() {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "api.yaml", CACHED_API);
    let config = CONFIG.replace(
        "stages: [{name: prod}]",
        "stages: [{name: prod, cache: {ttl_seconds: 300}}]",
    );
    let config = write_file(dir.path(), "portcullis.yaml", &config);
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    // Its key names no caller: the load warns that one caller's answer reaches another.
    assert!(
        server
            .startup
            .iter()
            .any(|line| line.contains("`GET /report`") && line.contains("behind an authorizer")),
        "{:#?}",
        server.startup
    );
    let filled_by = |key: &str, secret: &str, refresh: bool| {
        let mut request = spec("GET", "/prod/report", key, secret);
        if key == "ASIABOB" {
            request["token"] = json!("bob-session-token");
        }
        let signed = sign_with_botocore(&json!([request]));
        let (url, mut headers) = signed.into_iter().next().unwrap();
        if refresh {
            // Unsigned: a signature covers only the headers it names.
            headers.push(("Cache-Control".into(), "max-age=0".into()));
        }
        let reply = send_signed(server.addr, "GET", &url, &headers, "");
        assert_eq!(reply.status, 200, "{}", reply.body);
        let body: Value = serde_json::from_str(&reply.body).unwrap();
        (
            body["filledBy"].as_str().unwrap().to_owned(),
            reply.header("Warning").map(str::to_owned),
        )
    };
    let (first, _) = filled_by("AKIDALICE", "alice-secret", false);
    assert_eq!(filled_by("AKIDALICE", "alice-secret", false).0, first);
    // Alice may invoke but not execute-api:InvalidateCache: the cached
    // answer, with a warning (SUCCEED_WITH_RESPONSE_HEADER, AWS's default).
    let (ignored, warning) = filled_by("AKIDALICE", "alice-secret", true);
    assert_eq!(ignored, first);
    assert!(warning.is_some_and(|w| w.contains("ignored")));
    // Bob's policy allows execute-api:*: his max-age=0 refreshes the entry.
    let (refreshed, warning) = filled_by("ASIABOB", "bob-secret", true);
    assert_ne!(refreshed, first);
    assert!(warning.is_none());
    assert_eq!(filled_by("AKIDALICE", "alice-secret", false).0, refreshed);
}
