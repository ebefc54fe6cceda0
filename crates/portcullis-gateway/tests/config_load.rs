//! Loading whole configurations: the native YAML file and `--openapi` files,
//! with command-line overrides.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use portcullis_gateway::config::{ApiType, ConfigError, GatewayConfig, Overrides, Source, load};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn problems(result: Result<GatewayConfig, ConfigError>) -> Vec<String> {
    match result {
        Ok(_) => panic!("expected problems"),
        Err(error) => error.problems.iter().map(ToString::to_string).collect(),
    }
}

fn openapi(names: &[&str]) -> Source {
    Source::OpenApi(names.iter().map(|n| fixture(n)).collect())
}

const HTTP_API: &str = "http-api-export.yaml";
const SWAGGER: &str = "rest-swagger2-export.yaml";

#[test]
fn native_config_file() {
    let config = load(
        &Source::Config(fixture("gateway.yaml")),
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(config.listeners.len(), 1);
    assert_eq!(
        config.listeners[0].address,
        "127.0.0.1:3080".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(config.listeners[0].tls, None);
    let ids: Vec<&str> = config.apis.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["petstore", "h1t2t3p4a5", "x9y8z7w6v5"]);
    let petstore = &config.apis[0];
    let stages: Vec<&str> = petstore.stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(stages, ["prod", "beta"]);
    assert_eq!(petstore.stages[1].variables["legacyHost"], "127.0.0.1:9090");
    assert_eq!(config.apis[1].api_type, ApiType::Http);
    assert_eq!(config.apis[2].stages[0].name, "$default");

    assert_eq!(config.domains.len(), 1);
    let domain = &config.domains[0];
    assert_eq!(domain.name, "api.example.test");
    let mappings: Vec<(&str, &str, &str)> = domain
        .mappings
        .iter()
        .map(|m| (m.base_path.as_str(), m.api_id.as_str(), m.stage.as_str()))
        .collect();
    assert_eq!(
        mappings,
        [
            ("", "petstore", "prod"),
            ("orders/v1", "h1t2t3p4a5", "$default"),
            ("inventory", "x9y8z7w6v5", "$default")
        ]
    );
    assert!(config.reload.watch);
    assert_eq!(config.reload.debounce, Duration::from_millis(500));
    assert_eq!(config.shutdown_grace, Duration::from_secs(10));
    assert!(config.upstream.ca_files.is_empty());
    assert_eq!(
        config.files,
        ["gateway.yaml", "rest-oas30-export.json", HTTP_API, SWAGGER].map(fixture)
    );
}

#[test]
fn broken_native_config_reports_every_problem() {
    let file = fixture("broken-gateway.yaml");
    let f = file.display();
    let dir = fixture("");
    let d = dir.display();
    let export = fixture("rest-oas30-export.json");
    let e = export.display();
    let missing_variable = |at: &str, stage: &str| {
        format!(
            "{f}: {at}: stage `{stage}` does not define stage variable `legacyHost`, which the integration uri of \
             ANY /{{proxy+}} uses ({e}: paths./{{proxy+}}.x-amazon-apigateway-any-method); \
             API Gateway would fail those requests at run time"
        )
    };
    let expected = vec![
        format!(
            "{f}: listeners[0].address: `localhost:3000` is not an IP address and port (like 127.0.0.1:3000 or [::1]:3000)"
        ),
        format!(
            "{f}: listeners[1].tls.cert: certificate file `{d}certs/missing.pem` does not exist or is not a file"
        ),
        format!(
            "{f}: listeners[1].tls.key: key file `{d}certs/missing.key` does not exist or is not a file"
        ),
        format!(
            "{f}: apis[0].stages[0].variables.bad-name: stage variable name `bad-name` may hold only letters, digits and `_`"
        ),
        format!(
            "{f}: apis[0].stages[0].variables.url: the value of stage variable `url` has ` `; \
             values may hold only letters, digits and `-._~:/?#&=,`"
        ),
        format!("{f}: apis[0].stages[1].name: stage `prod` is also defined at apis[0].stages[0]"),
        missing_variable("apis[0].stages[0]", "prod"),
        missing_variable("apis[0].stages[1]", "prod"),
        missing_variable("apis[1]", "$default"),
        format!(
            "{f}: apis[1].id: API id `petstore` is also the id of apis[0]; set `id` to tell them apart"
        ),
        format!(
            "{f}: apis[2].openapi: cannot read `{d}missing.yaml`: No such file or directory (os error 2)"
        ),
        format!(
            "{f}: domains[0].mappings[0].base_path: write base paths without leading or trailing `/`: `v1`"
        ),
        format!(
            "{f}: domains[0].mappings[1].stage: API `petstore` has no stage `gamma`; its stages are: prod, prod"
        ),
        format!("{f}: domains[1].name: domain `api.example.test` is also defined at domains[0]"),
    ];
    assert_eq!(
        problems(load(&Source::Config(file.clone()), &Overrides::default())),
        expected
    );
}

#[test]
fn openapi_source_defaults() {
    let config = load(&openapi(&[SWAGGER]), &Overrides::default()).unwrap();
    assert_eq!(config.listeners.len(), 1);
    assert_eq!(
        config.listeners[0].address,
        "127.0.0.1:3000".parse::<SocketAddr>().unwrap()
    );
    assert_eq!(config.shutdown_grace, Duration::from_secs(30));
    assert!(!config.reload.watch);
    assert_eq!(config.reload.debounce, Duration::from_millis(200));
    assert!(config.domains.is_empty());
    assert_eq!(config.files, [fixture(SWAGGER)]);
    let api = &config.apis[0];
    assert_eq!(api.stages.len(), 1);
    assert_eq!(api.stages[0].name, "$default");
    assert!(api.stages[0].variables.is_empty());
}

#[test]
fn openapi_source_with_stage_overrides() {
    let overrides = Overrides {
        listen: Some("0.0.0.0:8080".parse().unwrap()),
        stage: Some("prod".into()),
        stage_variables: vec![
            ("legacyHost".into(), "127.0.0.1:9000".into()),
            ("env".into(), "prod".into()),
        ],
        api_type: None,
        api_id: Some("orders".into()),
        functions: Vec::new(),
        ..Overrides::default()
    };
    let config = load(&openapi(&[HTTP_API]), &overrides).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        config.listeners[0].address,
        "0.0.0.0:8080".parse::<SocketAddr>().unwrap()
    );
    let api = &config.apis[0];
    assert_eq!(api.id, "orders");
    assert_eq!(api.stages.len(), 1);
    assert_eq!(api.stages[0].name, "prod");
    assert_eq!(api.stages[0].variables["legacyHost"], "127.0.0.1:9000");
}

#[test]
fn openapi_source_api_type_override() {
    let overrides = Overrides {
        api_type: Some(ApiType::Http),
        ..Overrides::default()
    };
    let found = problems(load(&openapi(&[SWAGGER]), &overrides));
    assert!(found[0].ends_with(
        "swagger: HTTP APIs are imported from OpenAPI 3.0 only, not Swagger 2.0 (http-api-open-api)"
    ));
}

#[test]
fn undefined_stage_variables_are_reported_against_the_command_line() {
    let found = problems(load(&openapi(&[HTTP_API]), &Overrides::default()));
    let export = fixture(HTTP_API);
    assert_eq!(
        found,
        [format!(
            "command line: --stage-variable: stage `$default` does not define stage variable `legacyHost`, which the \
             integration uri of $default uses ({}: paths./$default.x-amazon-apigateway-any-method); \
             API Gateway would fail those requests at run time",
            export.display()
        )]
    );
    let overrides = Overrides {
        stage: Some("beta".into()),
        ..Overrides::default()
    };
    let found = problems(load(&openapi(&[HTTP_API]), &overrides));
    assert!(
        found[0].starts_with("command line: --stage: stage `beta` does not define"),
        "{found:?}"
    );
}

#[test]
fn stage_variable_values_must_make_a_valid_uri() {
    let overrides = Overrides {
        stage_variables: vec![("legacyHost".into(), "#".into())],
        ..Overrides::default()
    };
    let found = problems(load(&openapi(&[HTTP_API]), &overrides));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("with stage `$default`'s variables, the integration uri of $default"),
        "{found:?}"
    );
}

#[test]
fn bad_command_line_values() {
    let overrides = Overrides {
        stage: Some("pro d".into()),
        stage_variables: vec![
            ("a".into(), "1".into()),
            ("a".into(), "2".into()),
            ("b-c".into(), "x".into()),
        ],
        api_id: Some("bad id".into()),
        ..Overrides::default()
    };
    let found = problems(load(&openapi(&[SWAGGER, SWAGGER]), &overrides));
    let swagger = fixture(SWAGGER);
    assert_eq!(
        found,
        [
            "command line: --api-id: --api-id names one API, but 2 OpenAPI files are given; use a config file to set each id".to_owned(),
            "command line: --api-id: `bad id` is not an API id (letters, digits, `_` and `-`)".to_owned(),
            "command line: --stage: stage name `pro d` has ` `; stage names hold only letters, digits, `-` and `_` (or are `$default`)".to_owned(),
            "command line: --stage-variable a: stage variable `a` is given twice".to_owned(),
            "command line: --stage-variable b-c: stage variable name `b-c` may hold only letters, digits and `_`".to_owned(),
            format!("{}: API id `bad id` is also the id of {}; give each API its own id in a config file", swagger.display(), swagger.display()),
        ]
    );
    assert_eq!(
        problems(load(&Source::OpenApi(Vec::new()), &Overrides::default())),
        ["command line: --openapi: no OpenAPI file given"]
    );
}

#[test]
fn openapi_only_flags_are_refused_with_a_config_file() {
    let overrides = Overrides {
        stage: Some("prod".into()),
        stage_variables: vec![("a".into(), "b".into())],
        api_type: Some(ApiType::Rest),
        api_id: Some("x".into()),
        listen: Some("127.0.0.1:4000".parse().unwrap()),
        functions: Vec::new(),
        ..Overrides::default()
    };
    let found = problems(load(&Source::Config(fixture("gateway.yaml")), &overrides));
    let expected: Vec<String> = ["--stage", "--stage-variable", "--api-type", "--api-id"]
        .iter()
        .map(|f| format!("command line: {f}: {f} applies to --openapi only; set stages, types and ids in the config file"))
        .collect();
    assert_eq!(found, expected);
    // --listen alone is fine, and replaces the file's listeners.
    let overrides = Overrides {
        listen: Some("127.0.0.1:4000".parse().unwrap()),
        ..Overrides::default()
    };
    let config = load(&Source::Config(fixture("gateway.yaml")), &overrides).unwrap();
    assert_eq!(config.listeners.len(), 1);
    assert_eq!(
        config.listeners[0].address,
        "127.0.0.1:4000".parse::<SocketAddr>().unwrap()
    );
}

#[test]
fn unreadable_files() {
    let found = problems(load(
        &Source::Config(fixture("nope.yaml")),
        &Overrides::default(),
    ));
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("nope.yaml: cannot read"), "{found:?}");
    let found = problems(load(&openapi(&["nope.json"]), &Overrides::default()));
    assert!(found[0].contains("nope.json: cannot read"), "{found:?}");
}

/// A config in a temporary folder, with copies of the fixtures it names.
fn temp_config(yaml: &str, files: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for name in files {
        std::fs::copy(fixture(name), dir.path().join(name)).unwrap();
    }
    let path = dir.path().join("gateway.yaml");
    std::fs::write(&path, yaml).unwrap();
    (dir, path)
}

#[test]
fn tls_and_ca_files_resolve_against_the_config_folder() {
    let yaml = "listeners:\n  - address: 127.0.0.1:3443\n    tls: { cert: certs/server.pem, key: certs/server.key }\n\
                apis:\n  - openapi: rest-swagger2-export.yaml\nupstream: { ca_files: [certs/ca.pem] }\n";
    let (dir, path) = temp_config(yaml, &[SWAGGER]);
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    for name in ["server.pem", "server.key", "ca.pem"] {
        std::fs::write(dir.path().join("certs").join(name), "-----BEGIN-----\n").unwrap();
    }
    let config = load(&Source::Config(path.clone()), &Overrides::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let tls = config.listeners[0].tls.as_ref().unwrap();
    assert_eq!(tls.cert, dir.path().join("certs/server.pem"));
    assert_eq!(tls.key, dir.path().join("certs/server.key"));
    assert_eq!(config.upstream.ca_files, [dir.path().join("certs/ca.pem")]);
    assert_eq!(
        config.files,
        [
            path,
            dir.path().join("certs/server.pem"),
            dir.path().join("certs/server.key"),
            dir.path().join(SWAGGER),
            dir.path().join("certs/ca.pem"),
        ]
    );
}

#[test]
fn mappings_name_known_apis_and_stages() {
    let yaml = "apis:\n  - openapi: rest-swagger2-export.yaml\n    id: inventory\n    stages: [{name: a}, {name: b}]\n\
                domains:\n  - name: api.example.test\n    mappings:\n      - { base_path: x, api: nothing }\n      - { base_path: y, api: inventory }\n";
    let (_dir, path) = temp_config(yaml, &[SWAGGER]);
    let found = problems(load(&Source::Config(path.clone()), &Overrides::default()));
    let f = path.display();
    assert_eq!(
        found,
        [
            format!(
                "{f}: domains[0].mappings[0].api: no API has id `nothing`; the ids are: inventory"
            ),
            format!(
                "{f}: domains[0].mappings[1]: API `inventory` has several stages; name one with `stage`"
            ),
        ]
    );
}

#[test]
fn shape_errors_name_the_yaml_path() {
    let (_dir, path) = temp_config(
        "apis:\n  - openapi: a.yaml\n    stages:\n      - nam: prod\n",
        &[],
    );
    let found = problems(load(&Source::Config(path.clone()), &Overrides::default()));
    assert_eq!(found.len(), 1);
    let expected = format!(
        "{}: apis[0].stages[0].nam: unknown field `nam`, expected one of `name`, `variables`, `throttle`, `method_throttle`",
        path.display()
    );
    assert!(found[0].starts_with(&expected), "{found:?}");
    let (_dir, path) = temp_config("apis: []\n", &[]);
    let found = problems(load(&Source::Config(path.clone()), &Overrides::default()));
    assert_eq!(
        found,
        [format!(
            "{}: apis: no APIs; add an entry with `openapi: FILE`, or a `template`",
            path.display()
        )]
    );
}

fn write_config(dir: &Path, text: &str) -> PathBuf {
    std::fs::write(
        dir.join("api.yaml"),
        "openapi: 3.0.1\ninfo: {title: t}\npaths: {}\n",
    )
    .unwrap();
    let path = dir.join("gateway.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn functions_in_the_config_file_and_on_the_command_line() {
    use portcullis_gateway::config::FunctionConfig;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("fn")).unwrap();
    let path = write_config(
        dir.path(),
        r#"apis: [{ openapi: api.yaml }]
functions:
  pets:
    command: python3 -m awslambdaric "app.handler"
    cwd: fn
    environment: { TABLE: pets, RETRIES: 3 }
    timeout_seconds: 10
    reserved_concurrency: 2
    queue: 5
  orders:
    remote: { function: "arn:aws:lambda:eu-west-1:123456789012:function:orders", endpoint: "http://127.0.0.1:9001" }
"#,
    );
    let overrides = Overrides {
        functions: vec![("cli".into(), "node 'index.js'".into())],
        ..Overrides::default()
    };
    let config = load(&Source::Config(path), &overrides).unwrap_or_else(|e| panic!("{e}"));
    let FunctionConfig::Local(pets) = &config.functions["pets"] else {
        panic!("pets is local");
    };
    assert_eq!(
        pets.command,
        ["python3", "-m", "awslambdaric", "app.handler"]
    );
    assert_eq!(pets.cwd.as_deref(), Some(dir.path().join("fn").as_path()));
    assert_eq!(pets.environment["RETRIES"], "3");
    assert_eq!(pets.timeout, Duration::from_secs(10));
    assert_eq!(
        (pets.reserved_concurrency, pets.queue, pets.memory_mb),
        (2, 5, 128)
    );
    let FunctionConfig::Remote(orders) = &config.functions["orders"] else {
        panic!("orders is remote");
    };
    // The region comes from the ARN.
    assert_eq!(orders.region, "eu-west-1");
    let FunctionConfig::Local(cli) = &config.functions["cli"] else {
        panic!("cli is local");
    };
    assert_eq!(cli.command, ["node", "index.js"]);
    assert_eq!(cli.timeout, Duration::from_secs(3));
}

#[test]
fn bad_functions_are_reported_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        r#"apis: [{ openapi: api.yaml }]
functions:
  nothing: {}
  slow: { command: "x", timeout_seconds: 901, memory_mb: 64, reserved_concurrency: 0 }
  mixed: { command: "x", remote: { region: us-east-1 } }
  "bad.name": { command: "x" }
  quote: { command: "python3 'app" }
"#,
    );
    let overrides = Overrides {
        functions: vec![("f".into(), "".into())],
        ..Overrides::default()
    };
    let found = problems(load(&Source::Config(path), &overrides));
    for needle in [
        "functions.nothing: a function needs `command` (run locally) or `remote`",
        "functions.slow.timeout_seconds: 901 is not a function timeout; Lambda allows 1 to 900 seconds",
        "functions.slow.memory_mb: 64 MB is not a memory size",
        "functions.slow.reserved_concurrency: 0 would throttle every call",
        "functions.mixed.command: `command` applies to local functions",
        "`bad.name` is not a function name",
        "functions.quote.command: cannot split `python3 'app` into words: a quote is not closed",
        "--function: f: the command is empty",
    ] {
        assert!(
            found.iter().any(|p| p.contains(needle)),
            "{needle}\n{found:#?}"
        );
    }
}

#[test]
fn a_config_file_serves_a_template_beside_its_apis() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("template.yaml"),
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Orders:\n    Type: AWS::Serverless::HttpApi\n  ListOrders:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: .\n      Environment: {Variables: {STAGE: !Ref Stage}}\n      Events:\n        List: {Type: HttpApi, Properties: {ApiId: !Ref Orders, Path: /orders, Method: get}}\nParameters:\n  Stage: {Type: String}\n",
    )
    .unwrap();
    let template = "template: {path: template.yaml, parameter_overrides: {Stage: dev}}\n";
    let file = write_config(
        dir.path(),
        &format!("apis: [{{openapi: api.yaml, id: catalog}}]\n{template}"),
    );
    let config = load(&Source::Config(file), &Overrides::default()).unwrap();
    let ids: Vec<&str> = config.apis.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["catalog", "orders"]);
    let Some(portcullis_gateway::config::FunctionConfig::Local(function)) =
        config.functions.get("ListOrders")
    else {
        panic!(
            "the template's function is served: {:?}",
            config.functions.keys()
        );
    };
    assert_eq!(function.environment["STAGE"], "dev");
    assert!(
        config.files.iter().any(|f| f.ends_with("template.yaml")),
        "{:?}",
        config.files
    );

    // The template's API ids may not repeat the file's, and a file with
    // neither APIs nor a template has nothing to serve.
    let clash = write_config(
        dir.path(),
        &format!("apis: [{{openapi: api.yaml, id: orders}}]\n{template}"),
    );
    let found = problems(load(&Source::Config(clash.clone()), &Overrides::default()));
    assert!(
        found
            .iter()
            .any(|p| p.contains("template: the template's API `orders` has the id of apis[0]")),
        "{found:?}"
    );
    let empty = write_config(dir.path(), "listeners: []\n");
    let found = problems(load(&Source::Config(empty), &Overrides::default()));
    assert!(
        found.iter().any(
            |p| p.contains("apis: no APIs; add an entry with `openapi: FILE`, or a `template`")
        ),
        "{found:?}"
    );
}
