//! What would deploy on AWS loads, with warnings: `validate` lists them apart
//! from errors and exits zero; `serve` prints each once at start and answers
//! what it cannot serve as AWS answers; `--strict` makes every warning an error.

mod support;

use std::time::Duration;

use support::*;

/// An OpenAPI header for a REST API (`http: false`) or an HTTP API.
fn header(http: bool) -> String {
    let marker = if http {
        "x-amazon-apigateway-importexport-version: \"1.0\"\n"
    } else {
        ""
    };
    format!("openapi: \"3.0.1\"\ninfo:\n  title: \"w\"\n  version: \"1\"\n{marker}")
}

/// A REST API AWS would deploy that holds one of each kind of warning (and a
/// compression setting, served without one).
fn rest_with_warnings(backend: std::net::SocketAddr) -> String {
    format!(
        "{}x-amazon-apigateway-minimum-compression-size: 1024\nx-amazon-apigateway-future-setting: {{a: 1}}\npaths:
  /fn:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:orders/invocations
  /queue:
    post:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:ssm:action/GetParameter
        credentials: arn:aws:iam::123456789012:role/apigw
  /stream:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://{backend}/streamed
        responseTransferMode: STREAM
        futureProperty: 1
",
        header(false)
    )
}

#[test]
fn validate_lists_warnings_apart_and_strict_makes_them_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "warned.yaml",
        &rest_with_warnings("127.0.0.1:9".parse().unwrap()),
    );
    let out = portcullis()
        .args(["validate", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "warnings:", "{stdout}");
    assert!(!stdout.contains("errors:"), "{stdout}");
    let path = file.display().to_string();
    for (at, says) in [
        (
            "x-amazon-apigateway-future-setting",
            "is not an API Gateway extension known at the document: skipped",
        ),
        (
            "paths./queue.post.x-amazon-apigateway-integration.uri",
            "an AWS service integration (ssm)",
        ),
        (
            "paths./stream.get.x-amazon-apigateway-integration.futureProperty",
            "unknown integration property `futureProperty`: skipped",
        ),
        (
            "paths./fn.post.x-amazon-apigateway-integration.uri",
            "Lambda functions not configured: `orders` (POST /fn)",
        ),
    ] {
        let wanted = format!("  {path}: {at}: ");
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with(&wanted) && l.contains(says)),
            "no warning at {at} saying {says:?}:\n{stdout}"
        );
    }
    // Compression is served: its setting loads without a warning.
    assert!(!stdout.contains("minimum-compression-size"), "{stdout}");
    assert_eq!(lines.len(), 6, "{stdout}");
    assert_eq!(lines[5], "ok: 1 API(s), 3 route(s), 4 warning(s)");

    // --strict: the same four, as errors; nothing is served.
    let out = portcullis()
        .args(["validate", "--strict", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("errors:\n"), "{stderr}");
    assert_eq!(
        stderr
            .matches("[a warning, made an error by --strict]")
            .count(),
        4,
        "{stderr}"
    );
    assert!(
        stderr.ends_with("invalid: 4 error(s), 0 warning(s)\n"),
        "{stderr}"
    );
    let out = portcullis()
        .args(["serve", "--strict", "--listen", "127.0.0.1:0", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success(), "serve --strict must refuse warnings");
    assert!(String::from_utf8_lossy(&out.stderr).contains("made an error by --strict"));
}

#[test]
fn validate_lists_errors_and_warnings_of_a_broken_definition() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}x-amazon-apigateway-cors: {{allowOrigins: ['https://app.example/', 'https://app.example']}}\npaths:
  /slow:
    get:
      x-amazon-apigateway-integration: {{type: http_proxy, httpMethod: GET, uri: 'http://127.0.0.1:9/', timeoutInMillis: 40000, payloadFormatVersion: '1.0'}}
",
        header(true)
    );
    let file = write_file(dir.path(), "broken.yaml", &text);
    let out = portcullis()
        .args(["validate", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let path = file.display().to_string();
    assert_eq!(
        stderr,
        format!(
            "errors:\n  {path}: paths./slow.get.x-amazon-apigateway-integration.timeoutInMillis: timeoutInMillis is 40000; it must be between 50 and 30000\n\
             warnings:\n  {path}: x-amazon-apigateway-cors.allowOrigins[0]: `https://app.example/` is left out: no browser's `Origin` can equal it, since browsers send an origin without a path or a trailing `/`\n\
             invalid: 1 error(s), 1 warning(s)\n"
        )
    );
}

#[test]
fn unknown_properties_that_may_decide_access_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}paths:
  /a:
    get:
      x-amazon-apigateway-integration: {{type: mock, requestTemplates: {{application/json: '{{\"statusCode\": 200}}'}}, responses: {{default: {{statusCode: '200'}}}}}}
      x-amazon-apigateway-auth-context: {{required: true}}
",
        header(false)
    );
    let file = write_file(dir.path(), "guarded.yaml", &text);
    let out = portcullis()
        .args(["validate", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("paths./a.get.x-amazon-apigateway-auth-context: `x-amazon-apigateway-auth-context` is not an API Gateway extension known at an operation; it may decide who can call, so it is not skipped"),
        "{stderr}"
    );
}

#[test]
fn serve_prints_warnings_once_and_answers_unserved_routes_as_aws() {
    let backend = echo_backend(4);
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), "warned.yaml", &rest_with_warnings(backend));
    let server = Server::start(&["--openapi", file.to_str().unwrap()]);
    let warnings: Vec<&String> = server
        .startup
        .iter()
        .filter(|l| l.contains("WARN"))
        .collect();
    assert_eq!(warnings.len(), 4, "{:#?}", server.startup);
    assert!(warnings.iter().all(|l| l.contains("warned.yaml")));

    // An unconfigured function: AWS's 500 for a function it cannot invoke, and how to fix it in the log.
    let reply = Client::connect(server.addr)
        .unwrap()
        .request("POST", "/fn", &[], b"{}")
        .unwrap();
    assert_eq!(reply.status, 500);
    assert_eq!(reply.body, r#"{"message":"Internal server error"}"#);
    assert_eq!(
        reply.header("x-amzn-ErrorType"),
        Some("InternalServerErrorException")
    );
    let logged = server
        .wait_log(
            "function `orders` is not configured",
            Duration::from_secs(5),
        )
        .expect("the refusal is logged");
    assert!(logged.contains("--function orders=COMMAND"), "{logged}");

    // An AWS service integration: AWS's 500, and the reason logged.
    let reply = Client::connect(server.addr)
        .unwrap()
        .request("POST", "/queue", &[], b"Action=SendMessage")
        .unwrap();
    assert_eq!(reply.status, 500);
    assert_eq!(reply.body, r#"{"message":"Internal server error"}"#);
    assert!(
        server
            .wait_log("AWS service integration (ssm)", Duration::from_secs(5))
            .is_some()
    );

    // STREAM on http_proxy: served (streamed; see the gateway's streaming test).
    let reply = get(server.addr, "/stream").unwrap();
    assert_eq!(reply.status, 200);
    assert!(
        reply.body.starts_with("GET /streamed host="),
        "{}",
        reply.body
    );
}

#[test]
fn http_api_routes_aws_would_not_serve_answer_500() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}paths:
  /mocked:
    get:
      x-amazon-apigateway-integration: {{type: mock, payloadFormatVersion: '1.0'}}
  /fn:
    get:
      x-amazon-apigateway-integration: {{type: aws_proxy, httpMethod: POST, payloadFormatVersion: '2.0', uri: 'arn:aws:lambda:us-east-1:123456789012:function:missing'}}
",
        header(true)
    );
    let file = write_file(dir.path(), "http.yaml", &text);
    let server = Server::start(&["--openapi", file.to_str().unwrap()]);
    assert!(
        server.startup.iter().any(|l| l
            .contains("paths./mocked.get.x-amazon-apigateway-integration.type")
            && l.contains("a `mock` integration in an HTTP API")),
        "{:#?}",
        server.startup
    );
    for path in ["/mocked", "/fn"] {
        let reply = get(server.addr, path).unwrap();
        assert_eq!(reply.status, 500, "{path}");
        assert_eq!(
            reply.body, r#"{"message":"Internal Server Error"}"#,
            "{path}"
        );
    }
}

#[test]
fn private_integrations_go_to_the_configured_vpc_link() {
    let backend = echo_backend(6);
    let dir = tempfile::tempdir().unwrap();
    // REST: the uri's host names the NLB; a configured link replaces where it
    // is sent, the path and placeholders stay.
    let rest = format!(
        "{}paths:
  /orders/{{id}}:
    get:
      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://internal-nlb.example.test:8080/v1/orders/{{id}}
        connectionType: VPC_LINK
        connectionId: ${{stageVariables.link}}
        requestParameters: {{integration.request.path.id: method.request.path.id}}
  /direct:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://{backend}/direct
        connectionType: VPC_LINK
        connectionId: unmapped
",
        header(false)
    );
    let file = write_file(dir.path(), "private.yaml", &rest);
    let link = format!("lnk123=http://{backend}");
    let server = Server::start(&[
        "--openapi",
        file.to_str().unwrap(),
        "--stage",
        "prod",
        "--stage-variable",
        "link=lnk123",
        "--vpc-link",
        &link,
    ]);
    let reply = get(server.addr, "/prod/orders/42").unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body, "GET /v1/orders/42 host=internal-nlb.example.test:8080",
        "the uri's host is the Host header, as AWS sends it"
    );
    // Without a link for its id the uri is called directly, with a warning.
    let reply = get(server.addr, "/prod/direct").unwrap();
    assert!(
        reply.body.starts_with("GET /direct host="),
        "{}",
        reply.body
    );
    let warned: Vec<&String> = server
        .startup
        .iter()
        .filter(|l| l.contains("WARN"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:#?}");
    assert!(warned[0].contains("paths./direct.get.x-amazon-apigateway-integration.connectionId: VPC link `unmapped` has no local URL"));
    drop(server);

    // HTTP API: the listener ARN resolves only through a link; the whole
    // path, stage included, is sent (as AWS does for private integrations).
    let http = format!(
        "{}paths:
  /items/{{proxy+}}:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/50dc6c495c0c9188/0467ef3c8400ae65
        connectionType: VPC_LINK
        connectionId: vl-abc
        payloadFormatVersion: '1.0'
",
        header(true)
    );
    let file = write_file(dir.path(), "private-http.yaml", &http);
    let link = format!("vl-abc=http://{backend}");
    let server = Server::start(&[
        "--openapi",
        file.to_str().unwrap(),
        "--stage",
        "test",
        "--vpc-link",
        &link,
    ]);
    let reply = get(server.addr, "/test/items/a/b?x=1").unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body.starts_with("GET /test/items/a/b?x=1 host="),
        "{}",
        reply.body
    );
    assert!(
        !server.startup.iter().any(|l| l.contains("WARN")),
        "{:#?}",
        server.startup
    );
    drop(server);
    // No link: a warning, and AWS's 500.
    let server = Server::start(&["--openapi", file.to_str().unwrap()]);
    assert!(
        server.startup.iter().any(|l| l.contains("WARN")
            && l.contains("through VPC link `vl-abc`")
            && l.contains("pass --vpc-link vl-abc=URL")),
        "{:#?}",
        server.startup
    );
    let reply = get(server.addr, "/items/a").unwrap();
    assert_eq!(reply.status, 500);
    assert_eq!(reply.body, r#"{"message":"Internal Server Error"}"#);
}

#[test]
fn aws_variables_resolve_at_import() {
    let backend = echo_backend(4);
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}paths:
  /where:
    get:
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: http://{backend}/${{AWS::Partition}}/${{AWS::Region}}/${{AWS::AccountId}}
",
        header(false)
    );
    let file = write_file(dir.path(), "vars.yaml", &text);
    let server = Server::start(&["--openapi", file.to_str().unwrap()]);
    let reply = get(server.addr, "/where").unwrap();
    assert!(
        reply.body.starts_with("GET /aws/us-east-1/000000000000 "),
        "{}",
        reply.body
    );
    drop(server);
    let server = Server::start(&[
        "--openapi",
        file.to_str().unwrap(),
        "--region",
        "cn-north-1",
        "--account-id",
        "123456789012",
    ]);
    let reply = get(server.addr, "/where").unwrap();
    assert!(
        reply
            .body
            .starts_with("GET /aws-cn/cn-north-1/123456789012 "),
        "{}",
        reply.body
    );
    drop(server);
    // From a config file's `aws:` section.
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        "aws: {region: eu-west-1, account_id: '210987654321'}\napis:\n  - openapi: vars.yaml\n",
    );
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    let reply = get(server.addr, "/where").unwrap();
    assert!(
        reply.body.starts_with("GET /aws/eu-west-1/210987654321 "),
        "{}",
        reply.body
    );
    drop(server);
    // A bad value is an error naming where it was written.
    let out = portcullis()
        .args(["validate", "--region", "Mars 1", "--openapi"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("command line: --region: `Mars 1` is not an AWS region"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = write_file(
        dir.path(),
        "bad.yaml",
        "aws: {account_id: '12'}\napis:\n  - openapi: vars.yaml\n",
    );
    let out = portcullis()
        .args(["validate", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("bad.yaml: aws.account_id: `12` is not an AWS account id (12 digits)"),
        "{stderr}"
    );
}
