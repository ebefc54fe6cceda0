//! `serve --template`: SAM templates in the shapes of AWS's SAM
//! documentation (`tests/sam/*/template.yaml`), served by the binary with
//! their Python functions run by `awslambdaric`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use support::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sam")
        .join(name)
        .join("template.yaml")
}

/// `--template` with Python functions run by the test venv's awslambdaric.
fn template_args(name: &str, extra: &[&str]) -> Vec<String> {
    let python = python("run Python functions with awslambdaric");
    let mut args = vec![
        "--template".to_owned(),
        fixture(name).to_string_lossy().into_owned(),
        "--runtime-command".to_owned(),
        format!("python={python} -m awslambdaric"),
        "--no-admin".to_owned(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn serve(name: &str, extra: &[&str]) -> Server {
    let args = template_args(name, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    Server::start(&args)
}

fn json_get(server: &Server, path: &str) -> (u16, Value) {
    let reply = get(server.addr, path).unwrap();
    let body = serde_json::from_str(&reply.body).unwrap_or(Value::String(reply.body.clone()));
    (reply.status, body)
}

#[test]
fn the_implicit_api_serves_a_python_function_with_globals_and_parameters() {
    let server = serve("hello", &[]);
    let (status, body) = json_get(&server, "/Prod/hello/ann");
    assert_eq!(status, 200, "{body}");
    let stack = "hello";
    assert_eq!(
        body,
        json!({
            "message": "Hello, ann",
            "table": format!("{stack}-items"),
            "stage": "Prod",
            "function": "HelloFunction",
            "memory": "256",
        })
    );
    // `Cors` in Globals: a preflight on the implicit API's path, as SAM makes it.
    let preflight = Client::connect(server.addr)
        .unwrap()
        .request(
            "OPTIONS",
            "/Prod/hello/ann",
            &[
                ("Origin", "https://app.example.com"),
                ("Access-Control-Request-Method", "GET"),
            ],
            b"",
        )
        .unwrap();
    assert_eq!(preflight.status, 200, "{}", preflight.body);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        preflight.header("access-control-allow-methods"),
        Some("GET,OPTIONS")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers"),
        Some("Content-Type")
    );
    // What the template reads but Portcullis does not use, once each.
    for said in [
        "not used by Portcullis (served as if absent): Tracing",
        "Jobs (SQS) are not triggered locally",
        "not run by Portcullis: ItemsTable (AWS::DynamoDB::Table), JobsQueue (AWS::SQS::Queue)",
    ] {
        assert!(
            server.startup.iter().any(|line| line.contains(said)),
            "no warning saying {said:?}: {:#?}",
            server.startup
        );
    }
}

#[test]
fn parameter_overrides_and_env_vars_change_what_functions_see() {
    let dir = tempfile::tempdir().unwrap();
    let env = write_file(
        dir.path(),
        "env.json",
        r#"{"HelloFunction": {"TABLE": "local-items", "UNDECLARED": "x"}}"#,
    );
    let server = serve(
        "hello",
        &[
            "--parameter-overrides",
            "ParameterKey=Greeting,ParameterValue=Hola",
            "--env-vars",
            env.to_str().unwrap(),
        ],
    );
    let (status, body) = json_get(&server, "/Prod/hello/bo");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["message"], "Hola, bo");
    assert_eq!(body["table"], "local-items");

    // A value the parameter does not allow is refused, naming it.
    let output = Command::new(env!("CARGO_BIN_EXE_portcullis"))
        .arg("validate")
        .args(template_args(
            "hello",
            &["--parameter-overrides", "Greeting=Ciao"],
        ))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("Greeting"), "{said}");
    assert!(said.contains("Ciao"), "{said}");
}

#[test]
fn an_included_definition_with_intrinsics_and_an_event_route_share_one_http_api() {
    let server = serve("include", &[]);
    // The route the included definition writes (its URI resolved from
    // `${ItemsFunction.Arn}`), on the stage from the parameter's default.
    let (status, body) = json_get(&server, "/v1/items/7");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], "2.0");
    assert_eq!(body["route"], "GET /items/{id}");
    assert_eq!(body["colour"], "blue");
    assert_eq!(body["function"], "include-items");
    // The route the function's event adds, with its payload version.
    let reply = Client::connect(server.addr)
        .unwrap()
        .request(
            "POST",
            "/v1/items",
            &[("Content-Type", "application/json")],
            b"{}",
        )
        .unwrap();
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body: Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(body["version"], "1.0");
    assert_eq!(body["route"], "POST /items");
}

#[test]
fn what_would_open_an_api_or_cannot_be_read_is_refused_naming_the_resource() {
    let dir = tempfile::tempdir().unwrap();
    let validate = |name: &str, template: &str| {
        let path = write_file(dir.path(), name, template);
        let output = Command::new(env!("CARGO_BIN_EXE_portcullis"))
            .args(["validate", "--template", path.to_str().unwrap()])
            .output()
            .unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, said) = validate(
        "auth.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      Auth: {ResourcePolicy: {IpRangeAllowlist: [10.0.0.0/8]}}\n",
    );
    assert!(!ok);
    assert!(
        said.contains("Resources.Api.Properties.Auth.ResourcePolicy.IpRangeAllowlist"),
        "{said}"
    );
    let (ok, said) = validate(
        "unresolved.yaml",
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.h\n      Environment: {Variables: {TABLE: !Ref Missing}}\n",
    );
    assert!(!ok);
    assert!(
        said.contains("Resources.Fn.Properties.Environment.Variables.TABLE"),
        "{said}"
    );
    assert!(said.contains("Missing"), "{said}");
    let (ok, said) = validate("tags.yaml", "Resources:\n  X: !Bogus 1\n");
    assert!(!ok);
    assert!(said.contains("Bogus"), "{said}");
}

#[test]
fn sam_auth_guards_routes_as_the_template_says() {
    let server = serve("auth", &["--api-key", "local-key-0123456789abcdef"]);
    let call = |path: &str, headers: &[(&str, &str)]| {
        let mut all = vec![("Host", "guardedapi.execute-api.localhost")];
        all.extend_from_slice(headers);
        Client::connect(server.addr)
            .unwrap()
            .request("GET", path, &all, b"")
            .unwrap()
    };
    // The default authorizer: no token 401 (the template's gateway
    // response), a refused token 403, an allowed one through.
    let unauthorized = call("/prod/secret", &[]);
    assert_eq!(unauthorized.status, 401);
    assert_eq!(unauthorized.body, r#"{"error": "sign in first"}"#);
    assert_eq!(unauthorized.header("www-authenticate"), Some("Token"));
    assert_eq!(call("/prod/secret", &[("X-Token", "wrong")]).status, 403);
    let allowed = call("/prod/secret", &[("X-Token", "let-me-in")]);
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let body: Value = serde_json::from_str(&allowed.body).unwrap();
    assert_eq!(
        body,
        json!({"path": "/secret", "principal": "tester", "tier": "gold"})
    );
    // `Authorizer: NONE` opens one route; `ApiKeyRequired` closes another to keyless callers.
    assert_eq!(call("/prod/health", &[]).status, 200);
    assert_eq!(call("/prod/report", &[]).status, 403);
    assert_eq!(
        call(
            "/prod/report",
            &[("x-api-key", "local-key-0123456789abcdef")]
        )
        .status,
        200
    );
    // SAM's ResourcePolicy shorthand: the API's IP allow list lets
    // loopback in; an event's block list and a custom statement keep it out
    // of one path each, with API Gateway's answer.
    let policy = |path: &str| {
        Client::connect(server.addr)
            .unwrap()
            .request(
                "GET",
                path,
                &[("Host", "policyapi.execute-api.localhost")],
                b"",
            )
            .unwrap()
    };
    let open = policy("/v1/open");
    assert_eq!(open.status, 200, "{}", open.body);
    for closed in ["/v1/closed", "/v1/custom"] {
        let reply = policy(closed);
        assert_eq!(reply.status, 403, "{closed}: {}", reply.body);
        assert!(
            reply
                .body
                .contains("is not authorized to perform: execute-api:Invoke"),
            "{closed}: {}",
            reply.body
        );
    }
}

#[test]
fn the_sam_example_serves_its_routes_against_moto() {
    let mut moto = Moto::start();
    let issuer = Issuer::start();
    moto.run(json!({"op": "create_table", "name": "sam-items"}));
    moto.run(json!({"op": "put_item", "table": "sam-items", "item": {"id": {"S": "1"}, "name": {"S": "lamp"}}}));
    let python = python("run Python functions with awslambdaric");
    let template = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sam/template.yaml");
    let rust = rust_example("sam_rust_function");
    let mut command = portcullis();
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ENDPOINT_URL_DYNAMODB", &moto.endpoint);
    let server = Server::start_with(
        command,
        &[
            "--template",
            template.to_str().unwrap(),
            "--runtime-command",
            &format!("python={python} -m awslambdaric"),
            "--runtime-command",
            &format!("provided={}", rust.display()),
            "--parameter-overrides",
            &format!("Issuer={} Audience=portcullis-app", issuer.url),
            "--no-admin",
        ],
    );
    let call = |method: &str, host: &str, path: &str, headers: &[(&str, &str)]| {
        let mut all = vec![("Host", host)];
        all.extend_from_slice(headers);
        Client::connect(server.addr)
            .unwrap()
            .request(method, path, &all, b"")
            .unwrap()
    };
    let shop = "shopapi.execute-api.localhost";
    let token = [("X-Token", "open-sesame")];
    assert_eq!(call("GET", shop, "/dev/hello", &[]).status, 401);
    let hello = call("GET", shop, "/dev/hello", &token);
    assert_eq!(hello.status, 200, "{}", hello.body);
    let body: Value = serde_json::from_str(&hello.body).unwrap();
    assert_eq!(
        body,
        json!({"hello": "world", "table": "sam-items", "function": "HelloFunction"})
    );
    // The table, read through the definition's DynamoDB integration.
    let items = call("GET", shop, "/dev/items", &token);
    assert_eq!(items.status, 200, "{}", items.body);
    let items: Value = serde_json::from_str(&items.body).unwrap();
    assert_eq!(items, json!([{"id": "1", "name": "lamp"}]));
    // The usage plan's key.
    assert_eq!(call("GET", shop, "/dev/report", &[]).status, 403);
    let key = [("x-api-key", "partner-key-0123456789abcdef")];
    assert_eq!(call("GET", shop, "/dev/report", &key).status, 200);
    // A browser's preflight needs no token here.
    let preflight = call(
        "OPTIONS",
        shop,
        "/dev/hello",
        &[
            ("Origin", "http://localhost:8080"),
            ("Access-Control-Request-Method", "GET"),
        ],
    );
    assert_eq!(preflight.status, 200, "{}", preflight.body);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    // The HTTP API: its JWT authorizer on the greet route, its CORS configuration.
    let web = "webapi.execute-api.localhost";
    assert_eq!(call("GET", web, "/greet/ann", &[]).status, 401);
    let bearer = format!("Bearer {}", issuer.token("good"));
    let greet = call(
        "GET",
        web,
        "/greet/ann",
        &[
            ("Origin", "http://localhost:8080"),
            ("Authorization", &bearer),
        ],
    );
    assert_eq!(greet.status, 200, "{}", greet.body);
    assert_eq!(
        greet.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    let body: Value = serde_json::from_str(&greet.body).unwrap();
    assert_eq!(body["hello"], "ann");
    // The Rust function, built with lambda_runtime.
    let rust = call("GET", "webapi.execute-api.localhost", "/rust/bo", &[]);
    assert_eq!(rust.status, 200, "{}", rust.body);
    let body: Value = serde_json::from_str(&rust.body).unwrap();
    assert_eq!(
        body,
        json!({"hello": "bo", "runtime": "rust", "function": "RustFunction"})
    );
}

#[test]
fn an_os_only_runtime_runs_its_code_directory_s_bootstrap() {
    let server = serve("provided", &[]);
    let (status, body) = json_get(&server, "/echo/hi");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"word": "hi", "handler": "bootstrap", "cwd": "src", "task_root": "src"})
    );
}

#[test]
fn a_plain_cloudformation_api_built_from_resources_and_methods_is_served() {
    let server = serve("cloudformation", &[]);
    let (status, body) = json_get(&server, "/v1/items/42");
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"id": "42", "resource": "/items/{id}", "stage": "v1"})
    );
    let (status, body) = json_get(&server, "/v1/");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"pong": "green"}));
    // The Method's RequestValidatorId and RequestModels: API Gateway's 400s.
    let post = |body: &str, headers: &[(&str, &str)]| {
        let mut all = vec![("Content-Type", "application/json")];
        all.extend_from_slice(headers);
        Client::connect(server.addr)
            .unwrap()
            .request("POST", "/v1/items", &all, body.as_bytes())
            .unwrap()
    };
    let tenant = [("X-Tenant", "acme")];
    let created = post(r#"{"name": "lamp"}"#, &tenant);
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body, r#"{"created": true}"#);
    let invalid = post(r#"{"colour": "red"}"#, &tenant);
    assert_eq!(invalid.status, 400, "{}", invalid.body);
    assert_eq!(invalid.body, r#"{"message":"Invalid request body"}"#);
    let missing = post(r#"{"name": "lamp"}"#, &[]);
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert_eq!(
        missing.body,
        r#"{"message":"Missing required request parameters: [X-Tenant]"}"#
    );
    assert!(
        server.startup.iter().any(
            |line| line.contains("Resources.ItemsFunction.Properties") && line.contains("Role")
        ),
        "{:#?}",
        server.startup
    );
}

/// An example binary of this package, built once per test binary (as the
/// Lambda crate's tests build their Rust function): `cargo test` builds
/// examples with the test harness, which cannot serve as a runtime.
fn rust_example(name: &str) -> PathBuf {
    static BUILT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut built = BUILT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !built.iter().any(|b| b == name) {
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--example", name])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo runs");
        assert!(status.success(), "example {name} builds");
        built.push(name.to_owned());
    }
    // Examples land beside this test binary's `deps` directory.
    let binary = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples")
        .join(name);
    assert!(binary.is_file(), "{} was not built", binary.display());
    binary
}

/// Copies a fixture project into `dir`.
fn copy_fixture(name: &str, dir: &Path) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sam")
        .join(name);
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        std::fs::create_dir_all(dir.join(&relative)).unwrap();
        for entry in std::fs::read_dir(from.join(&relative)).unwrap() {
            let entry = entry.unwrap();
            let path = relative.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                if entry.file_name() != "__pycache__" {
                    pending.push(path);
                }
            } else {
                std::fs::copy(entry.path(), dir.join(&path)).unwrap();
            }
        }
    }
}

#[test]
fn watch_reloads_changed_code_and_templates_without_failing_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("shop");
    copy_fixture("hello", &project);
    let python = python("run Python functions with awslambdaric");
    let template = project.join("template.yaml");
    let server = Server::start(&[
        "--template",
        template.to_str().unwrap(),
        "--runtime-command",
        &format!("python={python} -m awslambdaric"),
        "--no-admin",
        "--watch",
    ]);
    let message = || {
        let (status, body) = json_get(&server, "/Prod/hello/ann");
        assert_eq!(status, 200, "a request failed during a reload: {body}");
        body["message"].as_str().unwrap().to_owned()
    };
    let until = |wanted: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        loop {
            let got = message();
            if got == wanted {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "still {got:?}, not {wanted:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    assert_eq!(message(), "Hello, ann");
    // The function's code: its processes are replaced.
    let code = project.join("src/app.py");
    let changed = std::fs::read_to_string(&code)
        .unwrap()
        .replace("\"%s, %s\" %", "\"%s again, %s\" %");
    write_atomically(&code, &changed);
    until("Hello again, ann");
    // The template: a parameter's default.
    let edited = std::fs::read_to_string(&template)
        .unwrap()
        .replace("Default: Hello", "Default: Bonjour");
    write_atomically(&template, &edited);
    until("Bonjour again, ann");
}

#[test]
fn an_http_api_built_from_route_and_integration_resources_is_served() {
    let server = serve("http-routes", &[]);
    let (status, body) = json_get(&server, "/live/items/7");
    assert_eq!(status, 200, "{body}");
    // Payload 1.0, as the integration says: `resource` is the route's path.
    assert_eq!(
        body,
        json!({"id": "7", "resource": "/items/{id}", "stage": "live"})
    );
}

#[test]
fn stage_method_settings_cache_and_throttle_as_the_template_says() {
    let server = serve("settings", &[]);
    let call = |host: &str, path: &str| {
        let reply = Client::connect(server.addr)
            .unwrap()
            .request("GET", path, &[("Host", host)], b"")
            .unwrap();
        let calls = serde_json::from_str::<Value>(&reply.body)
            .ok()
            .and_then(|body| body["calls"].as_u64());
        (reply.status, calls, reply.body)
    };
    let rest = "counterapi.execute-api.localhost";
    // `/~1cached` GET has CachingEnabled: the second answer is the first's.
    let (status, first, body) = call(rest, "/live/cached");
    assert_eq!(status, 200, "{body}");
    assert_eq!(call(rest, "/live/cached").1, first);
    // `/fresh` has no caching of its own, and `/*` `*` does not enable it.
    let (_, a, _) = call(rest, "/live/fresh");
    let (_, b, _) = call(rest, "/live/fresh");
    assert!(
        b > a,
        "{a:?} then {b:?}: /fresh must reach the function each time"
    );
    // `/~1limited` GET: a burst of one.
    assert_eq!(call(rest, "/live/limited").0, 200);
    let (status, _, body) = call(rest, "/live/limited");
    assert_eq!(status, 429, "{body}");
    assert_eq!(body, r#"{"message":"Too Many Requests"}"#);
    // HTTP API: `RouteSettings` for `GET /limited`, the default elsewhere.
    let http = "counterhttpapi.execute-api.localhost";
    assert_eq!(call(http, "/limited").0, 200);
    let (status, _, body) = call(http, "/limited");
    assert_eq!(status, 429, "{body}");
    for _ in 0..5 {
        assert_eq!(call(http, "/open").0, 200);
    }
    // What is read but not applied is said once.
    let startup = server.startup.join("\n");
    assert!(startup.contains("LoggingLevel"), "{startup}");
}

#[test]
fn a_config_file_serves_a_template_with_its_iam_identities() {
    let python = python("run Python functions with awslambdaric");
    let dir = tempfile::tempdir().unwrap();
    let config = write_file(
        dir.path(),
        "gateway.yaml",
        &format!(
            r#"
aws: {{region: us-east-1, account_id: "123456789012"}}
template:
  path: {template}
  runtime_commands:
    python: "{python} -m awslambdaric"
iam:
  identities:
    - access_key_id: AKIDREPORTS
      secret_access_key: reports-secret
      principal: arn:aws:iam::123456789012:user/analyst
      policies:
        - Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: execute-api:Invoke
              Resource: "*"
admin: null
"#,
            template = fixture("iam").display(),
        ),
    );
    let server = Server::start(&["--config", config.to_str().unwrap()]);
    let spec = |path: &str, secret: &str| {
        json!({"method": "GET", "url": format!("http://localhost{path}"),
               "access_key": "AKIDREPORTS", "secret_key": secret})
    };
    let signed = sign_with_botocore(&json!([
        spec("/reports/7", "reports-secret"),
        spec("/reports/7", "not-the-secret"),
    ]));
    let send = |(url, headers): &(String, Vec<(String, String)>)| {
        send_signed(server.addr, "GET", url, headers, "")
    };
    // The template's default AWS_IAM: the file's identity is let in, and
    // the HTTP API event names the caller.
    let allowed = send(&signed[0]);
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    let body: Value = serde_json::from_str(&allowed.body).unwrap();
    assert_eq!(
        body,
        json!({"route": "GET /reports/{id}", "user": "arn:aws:iam::123456789012:user/analyst", "key": "AKIDREPORTS"})
    );
    assert_eq!(send(&signed[1]).status, 403);
    let unsigned = get(server.addr, "/reports/7").unwrap();
    assert_eq!(unsigned.status, 403, "{}", unsigned.body);
    // `Authorizer: NONE` on an event opens its route.
    assert_eq!(get(server.addr, "/health").unwrap().status, 200);
}

#[test]
fn a_state_machine_s_api_event_starts_an_execution_with_the_body_as_input() {
    let mut moto = Moto::start();
    let machine = moto.run(json!({"op": "create_state_machine", "name": "OrdersFlow"}));
    let arn = machine["arn"].as_str().unwrap().to_owned();
    let mut command = portcullis();
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_ENDPOINT_URL", &moto.endpoint);
    let template = fixture("statemachine");
    let server = Server::start_with(
        command,
        &[
            "--template",
            template.to_str().unwrap(),
            "--account-id",
            "123456789012",
            "--no-admin",
        ],
    );
    let post = |path: &str, body: &str| {
        Client::connect(server.addr)
            .unwrap()
            .request(
                "POST",
                path,
                &[("Content-Type", "application/json")],
                body.as_bytes(),
            )
            .unwrap()
    };
    let reply = post("/Prod/orders", r#"{"item": "lamp"}"#);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let started: Value = serde_json::from_str(&reply.body).unwrap();
    assert!(
        started["executionArn"].as_str().is_some_and(
            |a| a.starts_with("arn:aws:states:us-east-1:123456789012:execution:OrdersFlow:")
        ),
        "{started}"
    );
    // UnescapeMappingTemplate: a single quote reaches the input as written.
    let reply = post("/Prod/notes", r#"{"note": "it's fragile"}"#);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let runs = moto.run(json!({"op": "executions", "arn": arn}));
    let mut inputs: Vec<Value> = runs["executions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| serde_json::from_str(run["input"].as_str().unwrap()).unwrap())
        .collect();
    inputs.sort_by_key(Value::to_string);
    assert_eq!(
        inputs,
        [json!({"item": "lamp"}), json!({"note": "it's fragile"})]
    );
    // What is done instead of the role SAM would create is said.
    let startup = server.startup.join("\n");
    assert!(startup.contains("OrdersFlowPlaceOrderRole"), "{startup}");
}
