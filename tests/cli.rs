//! The `portcullis` binary: `validate`, `routes`, and `serve` on the PetStore example.

mod support;

use std::path::PathBuf;

use support::*;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples/petstore")
        .join(name)
}

#[test]
fn validate_accepts_the_petstore_example() {
    let out = portcullis()
        .args(["validate", "--config"])
        .arg(example("portcullis.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 API(s), 5 route(s)"));
}

#[test]
fn validate_names_file_location_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(
        &file,
        "openapi: \"3.0.1\"\ninfo:\n  title: \"b\"\n  version: \"1\"\npaths:\n  /fn:\n    post:\n      x-amazon-apigateway-integration:\n        type: \"aws_proxy\"\n        httpMethod: \"POST\"\n        uri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations\"\n  /slow:\n    get:\n      x-amazon-apigateway-integration:\n        type: \"http_proxy\"\n        httpMethod: \"GET\"\n        uri: \"http://127.0.0.1:9/\"\n        timeoutInMillis: 40000\n",
    )
    .unwrap();
    let out = portcullis()
        .args(["validate", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.yaml"), "{stderr}");
    assert!(stderr.contains("paths./slow.get"), "{stderr}");
    assert!(stderr.contains("timeoutInMillis"), "{stderr}");
}

#[test]
fn validate_warns_of_unconfigured_and_refuses_unrunnable_functions() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("fn.yaml");
    std::fs::write(
        &file,
        "openapi: \"3.0.1\"\ninfo:\n  title: \"f\"\n  version: \"1\"\npaths:\n  /fn:\n    post:\n      x-amazon-apigateway-integration:\n        type: \"aws_proxy\"\n        httpMethod: \"POST\"\n        uri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:f/invocations\"\n",
    )
    .unwrap();
    let out = portcullis()
        .args(["validate", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    // Unconfigured: the API loads with one warning naming the function and its route.
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "fn.yaml: paths./fn.post.x-amazon-apigateway-integration.uri: Lambda functions not configured: \
             `f` (POST /fn); their routes answer 500 Internal Server Error until each is given, as \
             --function f=COMMAND or under `functions:` in a config file"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("ok: 1 API(s), 1 route(s), 1 warning(s)\n"),
        "{stdout}"
    );
    // A command whose program does not exist is reported at load, before any request.
    let out = portcullis()
        .args([
            "validate",
            "--function",
            "f=no-such-program-xyz --flag",
            "--openapi",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"no-such-program-xyz\" was not found"),
        "{stderr}"
    );
    // A runnable one validates.
    let out = portcullis()
        .args(["validate", "--function", "f=sh -c 'exit 0'", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn config_and_openapi_together_is_an_error() {
    let out = portcullis()
        .args(["validate", "--config"])
        .arg(example("portcullis.yaml"))
        .arg("--openapi")
        .arg(example("openapi.yaml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be used with"));
}

#[test]
fn routes_prints_the_table_with_api_id() {
    let out = portcullis()
        .args(["routes", "--openapi"])
        .arg(example("openapi.yaml"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("petstore01"),
        "the id comes from the execute-api host: {table}"
    );
    assert!(table.contains("GET     /pets"), "{table}");
    assert!(table.contains("DELETE  /pets/{petId}"), "{table}");
}

#[test]
fn serve_answers_the_petstore_like_aws() {
    let server = Server::start(&["--config", example("portcullis.yaml").to_str().unwrap()]);
    let reply = get(server.addr, "/pets").unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("\"type\": \"dog\""), "{}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("access-control-allow-origin"), Some("*"));
    assert!(reply.header("x-amzn-requestid").is_some());
    let reply = Client::connect(server.addr)
        .unwrap()
        .request(
            "POST",
            "/pets",
            &[("content-type", "application/json")],
            b"{}",
        )
        .unwrap();
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body, r#"{"pet": {"id": 4}, "message": "success"}"#);
    let reply = get(server.addr, "/pets/7").unwrap();
    assert_eq!(reply.status, 200);
    assert!(
        reply.body.contains(r#""id": "7""#),
        "the VTL template renders the path parameter: {}",
        reply.body
    );
    let reply = get(server.addr, "/").unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/html"));
    assert!(
        reply
            .body
            .starts_with("<html><body><h1>Welcome to the PetStore"),
        "{}",
        reply.body
    );
    // The example customises MISSING_AUTHENTICATION_TOKEN.
    let reply = get(server.addr, "/unknown").unwrap();
    assert_eq!(reply.status, 404);
    assert_eq!(reply.header("x-petstore-hint"), Some("try GET /pets"));
    assert!(
        reply.body.contains("Missing Authentication Token"),
        "{}",
        reply.body
    );
}

#[test]
fn stage_flag_serves_under_the_stage() {
    let server = Server::start(&[
        "--openapi",
        example("openapi.yaml").to_str().unwrap(),
        "--stage",
        "prod",
    ]);
    let reply = get(server.addr, "/prod/pets").unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.body.contains("\"type\": \"dog\""), "{}", reply.body);
    let reply = get(server.addr, "/pets").unwrap();
    assert_eq!(reply.status, 403);
    assert_eq!(reply.body, r#"{"message":"Forbidden"}"#);
}

#[test]
fn secrets_never_reach_the_log() {
    let mut server = Server::start(&[
        "--config",
        example("portcullis.yaml").to_str().unwrap(),
        "--log-json",
    ]);
    let secret_headers = [
        (
            "authorization",
            "Bearer eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig-AUTHSECRET",
        ),
        ("x-api-key", "APIKEYSECRET"),
        ("cookie", "session=COOKIESECRET"),
    ];
    let reply = Client::connect(server.addr)
        .unwrap()
        .request("GET", "/pets?token=QUERYSECRET", &secret_headers, b"")
        .unwrap();
    assert_eq!(reply.status, 200);
    let access = server
        .wait_log("portcullis::access", std::time::Duration::from_secs(5))
        .expect("an access log line");
    assert!(access.contains("/pets"), "{access}");
    server.signal("TERM");
    server
        .wait_exit(std::time::Duration::from_secs(10))
        .expect("exits");
    let mut log = vec![access];
    while let Ok(line) = server.log.try_recv() {
        log.push(line);
    }
    let log = log.join("\n");
    for secret in ["AUTHSECRET", "APIKEYSECRET", "COOKIESECRET", "QUERYSECRET"] {
        assert!(
            !log.contains(secret),
            "{secret} leaked into the log:\n{log}"
        );
    }
}

#[test]
fn validator_rejects_a_bad_body_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("validated.yaml");
    std::fs::write(
        &file,
        "openapi: \"3.0.1\"\ninfo:\n  title: \"v\"\n  version: \"1\"\nx-amazon-apigateway-request-validators:\n  all:\n    validateRequestBody: true\n    validateRequestParameters: true\npaths:\n  /pets:\n    post:\n      x-amazon-apigateway-request-validator: all\n      requestBody:\n        content:\n          application/json:\n            schema:\n              $ref: \"#/components/schemas/Pet\"\n      x-amazon-apigateway-integration:\n        type: \"mock\"\n        requestTemplates:\n          application/json: \"{\\\"statusCode\\\": 200}\"\n        responses:\n          default:\n            statusCode: \"200\"\ncomponents:\n  schemas:\n    Pet:\n      type: object\n      required: [name]\n      properties:\n        name: {type: string}\n",
    )
    .unwrap();
    let out = portcullis()
        .args(["validate", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = Server::start(&["--openapi", file.to_str().unwrap()]);
    let json = [("content-type", "application/json")];
    let reply = Client::connect(server.addr)
        .unwrap()
        .request("POST", "/pets", &json, br#"{"age": 3}"#)
        .unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body, r#"{"message":"Invalid request body"}"#);
    let reply = Client::connect(server.addr)
        .unwrap()
        .request("POST", "/pets", &json, br#"{"name": "rex"}"#)
        .unwrap();
    assert_eq!(reply.status, 200);
}
