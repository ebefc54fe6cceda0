//! Definitions in the shapes real projects deploy: a console export, a
//! Terraform `templatefile` rendering of an HTTP API, a hand-written OpenAPI
//! file with AWS variables. Each would deploy on AWS, so each loads; what
//! Portcullis does not serve yet is a warning at a precise place, and
//! `--strict` turns exactly those into errors.

use std::path::{Path, PathBuf};

use portcullis_gateway::config::{IntegrationKind, Overrides, Source, load};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/real")
        .join(name)
}

/// Loads one fixture; returns its routes as `METHOD path -> kind` and its
/// warnings as `location: message`, after checking each names the file.
fn load_fixture(name: &str, overrides: &Overrides) -> (Vec<String>, Vec<String>) {
    let source = Source::OpenApi(vec![fixture(name)]);
    let config = load(&source, overrides).unwrap_or_else(|e| panic!("{name} must load:\n{e}"));
    let routes = config.apis[0]
        .routes
        .iter()
        .map(|r| {
            let kind = match &r.integration.kind {
                IntegrationKind::HttpProxy { uri, .. } => format!("http_proxy {uri}"),
                IntegrationKind::Http { uri, .. } => format!("http {uri}"),
                IntegrationKind::Mock => "mock".to_owned(),
                IntegrationKind::Lambda { function, .. } => format!("lambda {}", function.name),
                IntegrationKind::Unserved { .. } => "unserved".to_owned(),
                IntegrationKind::AwsService(action) => format!("aws {}", action.subtype),
                IntegrationKind::AwsRest(target) => format!("aws {}", target.uri),
            };
            format!("{} {} -> {kind}", r.method.as_str(), r.path)
        })
        .collect();
    let warnings = config
        .warnings
        .iter()
        .map(|w| {
            assert_eq!(w.file, fixture(name), "{w}");
            format!("{}: {}", w.location, w.message)
        })
        .collect();
    (routes, warnings)
}

/// `--strict`: the same warnings, each an error.
fn strict_errors(name: &str, overrides: &Overrides) -> usize {
    let strict = Overrides {
        strict: true,
        ..overrides.clone()
    };
    let error = load(&Source::OpenApi(vec![fixture(name)]), &strict).unwrap_err();
    assert!(
        error.problems.iter().all(|p| p
            .message
            .ends_with("[a warning, made an error by --strict]")),
        "{error}"
    );
    error.problems.len()
}

fn starts(warnings: &[String], expected: &[&str]) {
    assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
    for (warning, prefix) in warnings.iter().zip(expected) {
        assert!(
            warning.starts_with(prefix),
            "expected {prefix:?}, got {warning:?}"
        );
    }
}

#[test]
fn console_export_loads_with_warnings() {
    let (routes, warnings) = load_fixture("console-export.json", &Overrides::default());
    assert_eq!(
        routes,
        [
            "GET /orders -> lambda list-orders",
            "POST /orders -> aws arn:aws:apigateway:eu-west-1:dynamodb:action/PutItem",
            "OPTIONS /orders -> mock",
            "GET /orders/{id} -> http_proxy http://internal-orders-nlb.eu-west-1.elb.amazonaws.com/orders/{id}",
        ]
    );
    starts(
        &warnings,
        &[
            "paths./orders/{id}.get.x-amazon-apigateway-integration.connectionId: VPC link `${stageVariables.vpcLinkId}` has no local URL: `http://internal-orders-nlb.eu-west-1.elb.amazonaws.com/orders/{id}` is called directly",
            "paths./orders.get.x-amazon-apigateway-integration.uri: Lambda functions not configured: `list-orders` (GET /orders)",
            "paths./orders.post.x-amazon-apigateway-integration.credentials: dynamodb is called with the gateway's own AWS credentials",
        ],
    );
    assert_eq!(
        strict_errors("console-export.json", &Overrides::default()),
        3
    );

    // Configured, the function and the VPC link stop warning.
    let configured = Overrides {
        functions: vec![("list-orders".into(), "python3 -c pass".into())],
        stage: Some("prod".into()),
        stage_variables: vec![("vpcLinkId".into(), "vl-123".into())],
        vpc_links: vec![("vl-123".into(), "http://127.0.0.1:9000".into())],
        ..Overrides::default()
    };
    let (routes, warnings) = load_fixture("console-export.json", &configured);
    assert_eq!(
        routes[3],
        "GET /orders/{id} -> http_proxy http://127.0.0.1:9000/orders/{id}"
    );
    starts(
        &warnings,
        &[
            "paths./orders.post.x-amazon-apigateway-integration.credentials: dynamodb is called with the gateway's own AWS credentials",
        ],
    );
}

#[test]
fn terraform_http_api_loads_with_warnings() {
    let (routes, warnings) = load_fixture("terraform-http-api.yaml", &Overrides::default());
    assert_eq!(
        routes,
        [
            "GET /products -> lambda products",
            "GET /products/{id} -> lambda products",
            "POST /checkout -> aws SQS-SendMessage",
            "ANY /inventory/{proxy+} -> unserved",
        ]
    );
    starts(
        &warnings,
        &[
            "paths./inventory/{proxy+}.x-amazon-apigateway-any-method.x-amazon-apigateway-integration.tlsConfig.serverNameToVerify: serverNameToVerify is not applied",
            "paths./inventory/{proxy+}.x-amazon-apigateway-any-method.x-amazon-apigateway-integration.connectionId: a private integration through VPC link `vl-0c1d2e`",
            "paths./products.get.x-amazon-apigateway-integration.uri: Lambda functions not configured: `products` (GET /products, GET /products/{id})",
            "paths./checkout.post.x-amazon-apigateway-integration.credentials: SQS-SendMessage is called with the gateway's own AWS credentials",
        ],
    );
    assert_eq!(
        strict_errors("terraform-http-api.yaml", &Overrides::default()),
        4
    );
}

#[test]
fn handwritten_definition_resolves_aws_variables() {
    let overrides = Overrides {
        region: Some("ap-southeast-2".into()),
        account_id: Some("111122223333".into()),
        functions: vec![("render-report".into(), "python3 -c pass".into())],
        ..Overrides::default()
    };
    let source = Source::OpenApi(vec![fixture("handwritten-rest.yaml")]);
    let config = load(&source, &overrides).unwrap();
    let report = &config.apis[0].routes[0];
    match &report.integration.kind {
        IntegrationKind::Lambda { function, .. } => assert_eq!(
            function.uri,
            "arn:aws:apigateway:ap-southeast-2:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-southeast-2:111122223333:function:render-report/invocations"
        ),
        other => panic!("{other:?}"),
    }
    let health = &config.apis[0].routes[2].integration;
    assert_eq!(
        health.responses[0].response_templates["application/json"],
        r#"{"region": "ap-southeast-2"}"#
    );
    let (_, warnings) = load_fixture("handwritten-rest.yaml", &overrides);
    starts(
        &warnings,
        &[
            "paths./reports/{name}.get.x-amazon-apigateway-integration.responseTransferMode: responseTransferMode STREAM is not served for Lambda yet",
            "paths./export.get.x-amazon-apigateway-integration.tlsConfig.insecureSkipVerification: backend certificates are verified anyway",
            "paths./health.get.x-amazon-apigateway-integration.x-future-vendor-note: unknown integration property `x-future-vendor-note`: skipped",
        ],
    );
    assert_eq!(strict_errors("handwritten-rest.yaml", &overrides), 3);
    assert!(config.apis[0].routes[1].integration.stream_response);
}
