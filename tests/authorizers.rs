//! JWT and Cognito authorizers through the `portcullis` binary, against
//! tokens minted by PyJWT and keys served by a stand-in issuer on loopback
//! (`tests/authorizers/issuer.py`).

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};

use serde_json::Value;
use support::*;

fn python() -> String {
    support::python("mint tokens with PyJWT and run handlers with awslambdaric")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    write_file(dir, name, text).display().to_string()
}

const ECHO: &str = "import json\n\ndef handler(event, context):\n    return {\"statusCode\": 200, \"body\": json.dumps(event[\"requestContext\"].get(\"authorizer\"))}\n";

fn echo_integration(version: &str) -> String {
    format!(
        "{{type: aws_proxy, httpMethod: POST, payloadFormatVersion: '{version}', uri: 'arn:aws:lambda:us-east-1:123456789012:function:echo'}}"
    )
}

fn http_api(issuer: &str) -> String {
    format!(
        r#"openapi: "3.0.1"
info: {{title: jwt, version: "1"}}
components:
  securitySchemes:
    jwt:
      type: oauth2
      x-amazon-apigateway-authorizer:
        type: jwt
        identitySource: $request.header.Authorization
        jwtConfiguration: {{issuer: "{issuer}", audience: [portcullis-app]}}
paths:
  /me:
    get:
      security: [{{jwt: []}}]
      x-amazon-apigateway-integration: {v2}
  /v1:
    get:
      security: [{{jwt: []}}]
      x-amazon-apigateway-integration: {v1}
  /pets:
    post:
      security: [{{jwt: [pets.write, pets.admin]}}]
      x-amazon-apigateway-integration: {v2}
  /open:
    get:
      x-amazon-apigateway-integration: {v2}
"#,
        v2 = echo_integration("2.0"),
        v1 = echo_integration("1.0"),
    )
}

fn start_http(dir: &Path, issuer: &Issuer) -> Server {
    write(dir, "echo.py", ECHO);
    let api = write(dir, "http.yaml", &http_api(&issuer.url));
    let function = format!("echo={} -m awslambdaric echo.handler", python());
    let mut command = portcullis();
    command.current_dir(dir);
    Server::start_with(
        command,
        &[
            "--openapi",
            &api,
            "--api-type",
            "http",
            "--function",
            &function,
        ],
    )
}

fn call(server: &Server, method: &str, path: &str, authorization: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| ("Authorization", a))
        .into_iter()
        .collect();
    Client::connect(server.addr)
        .unwrap()
        .request(method, path, &headers, b"")
        .unwrap()
}

#[test]
fn http_api_jwt_authorizer_passes_verified_claims_on() {
    let issuer = Issuer::start();
    let dir = tempfile::tempdir().unwrap();
    let server = start_http(dir.path(), &issuer);

    let bearer = format!("Bearer {}", issuer.token("good"));
    let reply = call(&server, "GET", "/me", Some(&bearer));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let authorizer: Value = serde_json::from_str(&reply.body).unwrap();
    let claims = &authorizer["jwt"]["claims"];
    assert_eq!(claims["sub"], "alice");
    assert_eq!(claims["groups"], "[admin dev]");
    assert_eq!(claims["email_verified"], "true");
    assert_eq!(claims["level"], "3");
    assert_eq!(claims["nested"], r#"{"a":1}"#);
    assert!(claims.get("nothing").is_none(), "null claims are left out");
    assert!(claims["exp"].is_string());
    assert_eq!(
        authorizer["jwt"]["scopes"],
        Value::Null,
        "the route lists no scopes"
    );

    // The bare token works too, and payload 1.0 has claims at the top.
    let reply = call(&server, "GET", "/v1", Some(issuer.token("good")));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let authorizer: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(authorizer["claims"]["sub"], "alice");

    // `client_id` stands in for `aud`.
    assert_eq!(
        call(&server, "GET", "/me", Some(issuer.token("client_id"))).status,
        200
    );

    // Routes without an authorizer see none.
    let reply = call(&server, "GET", "/open", None);
    assert_eq!((reply.status, reply.body.as_str()), (200, "null"));
}

#[test]
fn http_api_jwt_authorizer_refuses_as_api_gateway_does() {
    let issuer = Issuer::start();
    let dir = tempfile::tempdir().unwrap();
    let server = start_http(dir.path(), &issuer);

    let missing = call(&server, "GET", "/me", None);
    assert_eq!(
        (missing.status, missing.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );

    for (name, description) in [
        ("expired", "the token has expired"),
        ("wrong_audience", "the token does not have a valid audience"),
        ("wrong_issuer", "the token does not have a valid issuer"),
        ("not_yet", "not valid yet"),
        ("unknown_key", "no key of the issuer matches"),
        ("wrong_key", "signature is invalid"),
        ("tampered", "signature is invalid"),
        ("es256", "ES256 is not allowed"),
        ("hs256_confusion", "HS256 is not supported"),
        ("none", "none is not supported"),
    ] {
        let reply = call(
            &server,
            "GET",
            "/me",
            Some(&format!("Bearer {}", issuer.token(name))),
        );
        assert_eq!(reply.status, 401, "{name}: {}", reply.body);
        assert_eq!(reply.body, r#"{"message":"Unauthorized"}"#, "{name}");
        let challenge = reply.header("www-authenticate").unwrap_or_default();
        assert!(
            challenge.starts_with(r#"Bearer scope="" error="invalid_token" error_description=""#)
                && challenge.contains(description),
            "{name}: {challenge}"
        );
    }
    for garbage in [
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer a.b.c",
        "Bearer .....",
    ] {
        let reply = call(&server, "GET", "/me", Some(garbage));
        assert_eq!(reply.status, 401, "{garbage:?}: {}", reply.body);
    }
}

#[test]
fn http_api_scopes_answer_403_and_keys_are_fetched_once() {
    let issuer = Issuer::start();
    let dir = tempfile::tempdir().unwrap();
    let server = start_http(dir.path(), &issuer);

    let allowed = call(&server, "POST", "/pets", Some(issuer.token("good")));
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let authorizer: Value = serde_json::from_str(&allowed.body).unwrap();
    assert_eq!(
        authorizer["jwt"]["scopes"],
        serde_json::json!(["pets.read", "pets.write"]),
        "a route with scopes shows the token's whole scope list"
    );
    let denied = call(&server, "POST", "/pets", Some(issuer.token("read_only")));
    assert_eq!(
        (denied.status, denied.body.as_str()),
        (403, r#"{"message":"Forbidden"}"#)
    );
    assert!(
        denied
            .header("www-authenticate")
            .unwrap()
            .contains("insufficient_scope")
    );

    for _ in 0..5 {
        assert_eq!(
            call(&server, "GET", "/me", Some(issuer.token("good"))).status,
            200
        );
    }
    assert_eq!(issuer.jwks_fetches(), 1, "keys are cached across requests");
}

const MOCK: &str = r#"{type: mock, requestTemplates: {application/json: '{"statusCode": 200}'}, responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"email": "$context.authorizer.claims.email", "groups": "$context.authorizer.claims[''cognito:groups'']", "user": "$context.authorizer.claims[''cognito:username'']"}'}}}}"#;

fn rest_api() -> String {
    format!(
        r#"swagger: "2.0"
info: {{title: cognito, version: "1"}}
securityDefinitions:
  pool:
    type: apiKey
    name: Authorization
    in: header
    x-amazon-apigateway-authtype: cognito_user_pools
    x-amazon-apigateway-authorizer:
      type: cognito_user_pools
      providerARNs: ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Portcullis"]
paths:
  /profile:
    get:
      security: [{{pool: []}}]
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration: {MOCK}
  /scoped:
    get:
      security: [{{pool: [pets/read]}}]
      responses: {{"200": {{description: ok}}}}
      x-amazon-apigateway-integration: {MOCK}
"#
    )
}

#[test]
fn rest_cognito_authorizer_with_a_local_stand_in_pool() {
    let issuer = Issuer::start();
    let dir = tempfile::tempdir().unwrap();
    let api = write(dir.path(), "rest.yaml", &rest_api());
    let jwks = format!("us-east-1_Portcullis={}/jwks.json", issuer.url);
    let server = Server::start(&["--openapi", &api, "--jwks", &jwks]);

    let reply = call(&server, "GET", "/profile", Some(issuer.token("cognito_id")));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body,
        r#"{"email": "alice@example.com", "groups": "[admins]", "user": "alice"}"#
    );

    // Without scopes on the method, only an ID token; with scopes, an access token carrying one.
    let access = call(
        &server,
        "GET",
        "/profile",
        Some(issuer.token("cognito_access")),
    );
    assert_eq!(
        (access.status, access.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );
    assert_eq!(
        access.header("x-amzn-errortype"),
        Some("UnauthorizedException")
    );
    assert_eq!(
        call(
            &server,
            "GET",
            "/scoped",
            Some(issuer.token("cognito_access"))
        )
        .status,
        200
    );
    assert_eq!(
        call(&server, "GET", "/scoped", Some(issuer.token("cognito_id"))).status,
        401
    );

    let expired = call(
        &server,
        "GET",
        "/profile",
        Some(issuer.token("cognito_expired")),
    );
    assert_eq!(
        (expired.status, expired.body.as_str()),
        (401, r#"{"message":"The incoming token has expired"}"#)
    );
    // REST Cognito authorizers take the header's value as the token.
    let bearer = format!("Bearer {}", issuer.token("cognito_id"));
    assert_eq!(call(&server, "GET", "/profile", Some(&bearer)).status, 401);
    assert_eq!(call(&server, "GET", "/profile", None).status, 401);
    // A token of another issuer (the stand-in's own) is not the pool's.
    assert_eq!(
        call(&server, "GET", "/profile", Some(issuer.token("good"))).status,
        401
    );
}

#[test]
fn plain_http_key_urls_are_refused_unless_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let api = write(dir.path(), "rest.yaml", &rest_api());
    let output = portcullis()
        .args([
            "validate",
            "--openapi",
            &api,
            "--jwks",
            "us-east-1_Portcullis=http://keys.example.com/jwks.json",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("loopback"), "{stderr}");
}

/// moto's Cognito in server mode: a real user pool's tokens and JWKS.
struct UserPool {
    child: Child,
    _stdin: ChildStdin,
    info: Value,
}

impl UserPool {
    fn start() -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/authorizers/cognito.py");
        let mut child = Command::new(python())
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto starts");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            panic!("moto printed {line:?} ({e}); is moto[server] installed? run scripts/test.sh")
        });
        Self {
            child,
            _stdin: stdin,
            info,
        }
    }

    fn get(&self, key: &str) -> &str {
        self.info[key].as_str().unwrap()
    }

    fn jwks(&self) -> String {
        format!(
            "{}/{}/.well-known/jwks.json",
            self.get("endpoint"),
            self.get("pool")
        )
    }
}

impl Drop for UserPool {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn tokens_of_a_real_cognito_user_pool_pass_rest_and_http_authorizers() {
    let pool = UserPool::start();
    let dir = tempfile::tempdir().unwrap();
    let (pool_id, client) = (pool.get("pool"), pool.get("client"));
    let (id_token, access_token) = (pool.get("id_token"), pool.get("access_token"));

    // REST: a Cognito user pool authorizer naming the pool by ARN.
    let rest = rest_api().replace("us-east-1_Portcullis", pool_id);
    let api = write(dir.path(), "rest.yaml", &rest);
    let jwks = format!("{pool_id}={}", pool.jwks());
    let server = Server::start(&["--openapi", &api, "--jwks", &jwks]);
    let reply = call(&server, "GET", "/profile", Some(id_token));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains(r#""user": "alice""#), "{}", reply.body);
    assert_eq!(
        call(&server, "GET", "/profile", Some(access_token)).status,
        401,
        "an access token without method scopes"
    );
    let mut forged = id_token.to_owned();
    forged.pop();
    forged.push(if id_token.ends_with('A') { 'B' } else { 'A' });
    assert_eq!(call(&server, "GET", "/profile", Some(&forged)).status, 401);
    drop(server);

    // HTTP API: a JWT authorizer with the pool as issuer and the app client as audience.
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{pool_id}");
    let http = http_api(&issuer).replace("portcullis-app", client);
    write(dir.path(), "echo.py", ECHO);
    let api = write(dir.path(), "http.yaml", &http);
    let function = format!("echo={} -m awslambdaric echo.handler", python());
    let jwks = format!("{issuer}={}", pool.jwks());
    let mut command = portcullis();
    command.current_dir(dir.path());
    let server = Server::start_with(
        command,
        &[
            "--openapi",
            &api,
            "--api-type",
            "http",
            "--function",
            &function,
            "--jwks",
            &jwks,
        ],
    );
    for token in [id_token, access_token] {
        let reply = call(&server, "GET", "/me", Some(&format!("Bearer {token}")));
        assert_eq!(reply.status, 200, "{}", reply.body);
        let authorizer: Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(authorizer["jwt"]["claims"]["iss"], issuer.as_str());
    }
}

#[test]
fn the_jwt_layer_guards_an_axum_server_alone() {
    let issuer = Issuer::start();
    let dir = tempfile::tempdir().unwrap();
    let port: u16 = issuer.url.rsplit(':').next().unwrap().parse().unwrap();
    let jwks = get(([127, 0, 0, 1], port).into(), "/jwks.json")
        .unwrap()
        .body;
    let jwks_file = write(dir.path(), "jwks.json", &jwks);

    let status = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", "jwt_axum"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the example builds");
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let mut example = Command::new(target.join("debug/examples/jwt_axum"))
        .args([&issuer.url, "portcullis-app", &jwks_file, "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let mut line = String::new();
    BufReader::new(example.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr: std::net::SocketAddr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    let request = |path: &str, authorization: Option<&str>| {
        let headers: Vec<(&str, &str)> = authorization
            .map(|a| ("Authorization", a))
            .into_iter()
            .collect();
        Client::connect(addr)
            .unwrap()
            .request("GET", path, &headers, b"")
            .unwrap()
    };
    let bearer = format!("Bearer {}", issuer.token("good"));
    let reply = request("/hello", Some(&bearer));
    assert_eq!((reply.status, reply.body.as_str()), (200, "hello alice\n"));
    let refused = request("/hello", Some(issuer.token("expired")));
    assert_eq!(
        (refused.status, refused.body.as_str()),
        (401, r#"{"message":"Unauthorized"}"#)
    );
    assert!(
        refused
            .header("www-authenticate")
            .unwrap()
            .contains("expired")
    );
    assert_eq!(request("/hello", None).status, 401);
    assert_eq!(
        request("/admin", Some(&bearer)).status,
        403,
        "the token has no admin scope"
    );
    let _ = example.kill();
    let _ = example.wait();
}
