//! Import rules, one small document each, and a mutation run that shows the
//! importer never panics.

use super::*;
use crate::config::model::{
    ApiKeySource, Authorization, IntegrationCredentials, IntegrationKind, Method,
};

pub(super) const PROXY: &str = "{type: http_proxy, httpMethod: ANY, uri: 'http://backend.test/x'}";

/// A REST (or, with `http`, HTTP API) document: `extra` at the top level and
/// `paths` as given.
pub(super) fn doc(http: bool, extra: &str, paths: &str) -> String {
    let marker = if http {
        "x-amazon-apigateway-importexport-version: '1.0'\n"
    } else {
        ""
    };
    format!("openapi: 3.0.1\ninfo: {{title: t}}\n{marker}{extra}\npaths:\n{paths}\n")
}

pub(super) fn import(text: &str) -> Result<Api, Vec<String>> {
    import_openapi(text, Path::new("api.yaml"), None)
        .map(|imported| imported.api)
        .map_err(|e| located(&e.problems))
}

fn located(problems: &[crate::config::Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.location, p.message))
        .collect()
}

/// The warnings of a definition that imports.
pub(super) fn warnings(text: &str) -> Vec<String> {
    match import_openapi(text, Path::new("api.yaml"), None) {
        Ok(imported) => located(&imported.warnings),
        Err(e) => panic!("expected the definition to import, got:\n{e}"),
    }
}

/// The errors and the warnings of a definition, imported or not.
pub(super) fn findings(text: &str) -> (Vec<String>, Vec<String>) {
    match import_openapi(text, Path::new("api.yaml"), None) {
        Ok(imported) => (Vec::new(), located(&imported.warnings)),
        Err(e) => (located(&e.problems), located(&e.warnings)),
    }
}

pub(super) fn problems(text: &str) -> Vec<String> {
    match import(text) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    }
}

fn has(problems: &[String], needle: &str) -> bool {
    problems.iter().any(|p| p.contains(needle))
}

#[test]
fn documents_must_be_openapi_mappings() {
    assert_eq!(
        problems("- a\n"),
        [": an OpenAPI document is a mapping at the top level; this file holds a list"]
    );
    assert!(problems("info: {title: t}\n")[0].contains("neither an `openapi: 3.0.x`"));
    assert_eq!(
        problems("openapi: 3.0.1\npaths: {}\n"),
        ["info: `info` with a `title` is required; the title names the API"]
    );
    assert_eq!(
        problems("openapi: 3.0.1\ninfo: {}\npaths: {}\n"),
        ["info.title: `title` is required; it names the API"]
    );
    assert_eq!(
        problems("openapi: 3.0.1\ninfo: {title: t}\n"),
        ["paths: `paths` is required"]
    );
}

#[test]
fn security_requirements() {
    let schemes = "components:\n  securitySchemes:\n    \
        iam: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: awsSigv4}\n    \
        lambda: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authorizer: {type: request, authorizerUri: 'arn:aws:lambda:us-east-1:123456789012:function:auth'}}\n    \
        basic: {type: http, scheme: basic}";
    let op = |security: &str| {
        format!(
            "  /a:\n    get: {{security: {security}, x-amazon-apigateway-integration: {PROXY}}}"
        )
    };
    let api = import(&doc(false, schemes, &op("[{iam: []}]"))).unwrap();
    assert_eq!(api.routes[0].authorization, Authorization::Iam);

    let found = problems(&doc(false, schemes, &op("[{iam: []}, {lambda: []}]")));
    assert!(
        has(
            &found,
            "paths./a.get: an operation takes one kind of authorization"
        ),
        "{found:?}"
    );
    let found = problems(&doc(false, schemes, &op("[{nope: []}]")));
    assert!(has(
        &found,
        "paths./a.get.security[0].nope: security scheme `nope` is not defined in components.securitySchemes"
    ));
    let found = problems(&doc(false, schemes, &op("[{basic: []}]")));
    assert!(has(
        &found,
        "security scheme `basic` is not one API Gateway enforces"
    ));
    let found = problems(&doc(false, schemes, &op("[{lambda: [read]}]")));
    assert!(has(
        &found,
        "scopes apply to JWT and Cognito user pool authorizers only"
    ));
    // A malformed authorizer is reported where it is defined, even unused.
    let bad = format!(
        "{schemes}\n    bad: {{type: apiKey, name: a, in: header, x-amazon-apigateway-authorizer: {{type: jwt}}}}"
    );
    let found = problems(&doc(false, &bad, &op("[{iam: []}]")));
    assert_eq!(
        found,
        [
            "components.securitySchemes.bad.x-amazon-apigateway-authorizer.type: JWT authorizers are an HTTP API feature; \
          REST APIs check JWTs with Cognito or Lambda authorizers (http-api-vs-rest)"
        ]
    );
}

#[test]
fn http_lambda_authorizers_as_sam_writes_them() {
    // SAM writes identitySource as a list and the payload version as a
    // YAML number; AWS deploys both. Without a TTL, HTTP APIs do not cache.
    let schemes = "components:\n  securitySchemes:\n    \
        auth: {type: apiKey, name: Unused, in: header, x-amazon-apigateway-authorizer: \
        {type: request, authorizerUri: 'arn:aws:lambda:us-east-1:123456789012:function:auth', \
        identitySource: ['$request.header.Authorization', '$request.querystring.token'], \
        authorizerPayloadFormatVersion: 2.0}}\n    \
        bare: {type: apiKey, name: Unused, in: header, x-amazon-apigateway-authorizer: \
        {type: request, authorizerUri: 'arn:aws:lambda:us-east-1:123456789012:function:auth', \
        authorizerPayloadFormatVersion: 1.0}}";
    let paths = format!(
        "  /a:\n    get: {{security: [{{auth: []}}], x-amazon-apigateway-integration: {PROXY}}}\n  \
        /b:\n    get: {{security: [{{bare: []}}], x-amazon-apigateway-integration: {PROXY}}}"
    );
    let api = import(&doc(true, schemes, &paths)).unwrap();
    let lambda = |name: &str| match &api.authorizers[name].kind {
        crate::config::model::AuthorizerKind::Lambda(lambda) => lambda.clone(),
        other => panic!("{other:?}"),
    };
    let auth = lambda("auth");
    assert_eq!(
        auth.identity_sources,
        [
            "$request.header.Authorization",
            "$request.querystring.token"
        ]
    );
    assert!(auth.payload_v2);
    assert_eq!(auth.ttl_seconds, 0);
    let bare = lambda("bare");
    assert!(!bare.payload_v2 && bare.identity_sources.is_empty() && bare.ttl_seconds == 0);
}

#[test]
fn explicit_auth_extension() {
    let op = |auth: &str| {
        format!(
            "  /a:\n    get: {{x-amazon-apigateway-auth: {auth}, x-amazon-apigateway-integration: {PROXY}}}"
        )
    };
    let api = import(&doc(false, "", &op("{type: aws_iam}"))).unwrap();
    assert_eq!(api.routes[0].authorization, Authorization::Iam);
    let api = import(&doc(false, "", &op("{type: NONE}"))).unwrap();
    assert_eq!(api.routes[0].authorization, Authorization::None);
    let found = problems(&doc(false, "", &op("{type: COGNITO}")));
    assert_eq!(
        found,
        [
            "paths./a.get.x-amazon-apigateway-auth.type: `COGNITO` is not an authorization type here; expected AWS_IAM or NONE"
        ]
    );
}

#[test]
fn integration_requirements() {
    let op = |integration: &str| {
        format!("  /a:\n    get:\n      x-amazon-apigateway-integration: {integration}")
    };
    let at = "paths./a.get.x-amazon-apigateway-integration";
    let found = problems(&doc(false, "", &op("{type: http_proxy}")));
    assert_eq!(
        found,
        [
            format!("{at}: `uri` is required for http_proxy integrations: the backend URL"),
            format!(
                "{at}: `httpMethod` is required for http_proxy integrations (ANY forwards the client's method)"
            ),
        ]
    );
    let (found, warned) = findings(&doc(
        false,
        "",
        &op(
            "{type: http, httpMethod: TRACE, uri: 'ftp://x', tlsConfig: {insecureSkipVerification: true, serverNameToVerify: a.example}, foo: 1, authorizationScopes: [a]}",
        ),
    ));
    assert!(has(
        &found,
        "httpMethod: `TRACE` is not an integration method"
    ));
    assert!(has(&found, "uri: the URL scheme is `ftp`"));
    assert!(has(
        &found,
        "authorizationScopes: unknown integration property `authorizationScopes`: it may decide who can call the route, so it is not skipped"
    ));
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(
        warned,
        [
            format!(
                "{at}.tlsConfig.insecureSkipVerification: backend certificates are verified anyway: skipping verification is not offered; trust the backend's CA with `upstream.ca_files` in the config file"
            ),
            format!(
                "{at}.tlsConfig.serverNameToVerify: serverNameToVerify is not applied: the certificate is checked against the host the request is sent to"
            ),
            format!(
                "{at}.foo: unknown integration property `foo`: skipped (served as if it were absent)"
            ),
        ]
    );
    // Properties AWS added in 2025: served (STREAM on a REST http_proxy), or
    // loaded with a warning where they change what is served.
    let text = doc(
        false,
        "",
        &op(
            "{type: http_proxy, httpMethod: GET, uri: 'http://x/', responseTransferMode: STREAM, integrationTarget: 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/1'}",
        ),
    );
    assert_eq!(findings(&text), (Vec::new(), Vec::new()));
    assert!(import(&text).unwrap().routes[0].integration.stream_response);
    let lambda = format!(
        "{{type: aws_proxy, httpMethod: POST, uri: '{LAMBDA_URI}', responseTransferMode: STREAM}}"
    );
    let (found, warned) = findings(&doc(false, "", &op(&lambda)));
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(
        warned,
        [format!(
            "{at}.responseTransferMode: responseTransferMode STREAM is not served for Lambda yet: the function's response is buffered, at most 10 MB"
        )]
    );
    let text = doc(
        false,
        "",
        &op("{type: http, httpMethod: GET, uri: 'http://x/', responseTransferMode: STREAM}"),
    );
    assert!(has(
        &warnings(&text),
        "applies to REST http_proxy and aws_proxy integrations only"
    ));
    assert!(!import(&text).unwrap().routes[0].integration.stream_response);
    assert!(has(
        &problems(&doc(
            false,
            "",
            &op(
                "{type: http_proxy, httpMethod: GET, uri: 'http://x/', responseTransferMode: SOMETIMES}"
            )
        )),
        "`SOMETIMES` is not a response transfer mode"
    ));
    let found = problems(&doc(
        false,
        "",
        &op("{type: http_proxy, httpMethod: GET, uri: 'http://x/', timeoutInMillis: 10}"),
    ));
    assert_eq!(
        found,
        [format!(
            "{at}.timeoutInMillis: timeoutInMillis is 10; it must be between 50 and 29000"
        )]
    );
    let found = problems(&doc(
        false,
        "",
        &op("{type: mock, passthroughBehavior: sometimes, requestTemplates: {a/b: 1}}"),
    ));
    assert!(has(
        &found,
        "passthroughBehavior: `sometimes` is not a passthrough behavior"
    ));
    assert!(has(
        &found,
        "requestTemplates.a/b: expected a string, found a number"
    ));
    let found = problems(&doc(
        false,
        "",
        &op(
            "{type: http, httpMethod: GET, uri: 'http://x/', responses: {default: {responseTemplates: {}}}}",
        ),
    ));
    assert_eq!(
        found,
        [format!(
            "{at}.responses.default: `statusCode` is required: it names the method response to return"
        )]
    );
}

#[test]
fn http_api_integrations() {
    let op = |integration: &str| {
        format!("  /a:\n    get:\n      x-amazon-apigateway-integration: {integration}")
    };
    let api = import(&doc(true, "", &op("{type: HTTP_PROXY, httpMethod: GET, uri: 'http://x/', timeoutInMillis: 30000, responses: {default: {statusCode: '200'}}}"))).unwrap();
    assert_eq!(api.routes[0].integration.timeout.as_millis(), 30_000);
    assert!(api.routes[0].integration.responses.is_empty());
    let found = warnings(&doc(
        true,
        "",
        &op("{type: http, httpMethod: GET, uri: 'http://x/'}"),
    ));
    assert!(has(
        &found,
        "HTTP API, which supports only proxy integrations"
    ));
    let (found, warned) = findings(&doc(
        true,
        "",
        &op(
            "{type: http_proxy, httpMethod: GET, uri: 'http://x/', responseParameters: {'5xx': {}, '404': {'overwrite:path': 'x', 'append:header.y': '$request.header.z'}}, contentHandling: CONVERT_TO_TEXT, requestParameters: {'integration.request.header.a': \"'b'\"}}",
        ),
    ));
    assert!(has(&found, "`5xx` is not a status code"));
    assert!(has(&found, "`overwrite:path` cannot map a response"));
    assert!(has(
        &found,
        "is a request value; response mappings read $response"
    ));
    assert!(has(
        &warned,
        "contentHandling: payload conversions (contentHandling) are a REST API feature"
    ));
    assert!(has(
        &found,
        "is a REST API mapping key; HTTP API keys look like overwrite:header.NAME"
    ));
}

#[test]
fn shared_integrations_and_parameters() {
    let components = "components:\n  x-amazon-apigateway-integrations:\n    one: {type: http_proxy, httpMethod: ANY, uri: 'https://x/{id}', timeoutInMillis: 1}\n  \
                      parameters:\n    id: {name: id, in: path, required: true}";
    let paths = "  /a/{id}:\n    parameters: [{$ref: '#/components/parameters/id'}]\n    get:\n      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/one'}\n    \
                 put:\n      x-amazon-apigateway-integration: {$ref: '#/components/x-amazon-apigateway-integrations/one'}";
    // One problem in a shared integration is reported once, where it is written.
    let found = problems(&doc(true, components, paths));
    assert_eq!(
        found,
        [
            "components.x-amazon-apigateway-integrations.one.timeoutInMillis: timeoutInMillis is 1; it must be between 50 and 30000"
        ]
    );
    let fixed = components.replace("timeoutInMillis: 1", "timeoutInMillis: 100");
    let api = import(&doc(true, &fixed, paths)).unwrap();
    assert_eq!(api.routes.len(), 2);
    assert_eq!(api.routes[0].request_parameters[0].name, "id");
    // REST APIs write integrations inline.
    let found = problems(&doc(false, &fixed, paths));
    assert!(has(
        &found,
        "paths./a/{id}.get.x-amazon-apigateway-integration.$ref: integrations shared through $ref"
    ));
}

#[test]
fn routes_the_router_would_refuse() {
    let paths = format!(
        "  /pets/{{id}}:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}\n  /pets/{{name}}/toys:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}"
    );
    let found = problems(&doc(false, "", &paths));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("paths./pets/{name}/toys.get: "),
        "{found:?}"
    );
    let paths = format!(
        "  /pets/:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}\n  /pets:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}"
    );
    let found = problems(&doc(false, "", &paths));
    assert!(
        found[0].starts_with("paths./pets.get: route `GET /pets` is already defined"),
        "{found:?}"
    );
}

#[test]
fn default_route_and_path_items() {
    let paths = format!(
        "  /$default:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}\n  /b:\n    x-amazon-apigateway-any-method: {{isDefaultRoute: true, x-amazon-apigateway-integration: {PROXY}}}\n    trace: {{}}\n    foo: {{}}\n    x-amazon-apigateway-foo: 1\n    x-other-vendor: 1"
    );
    let (found, warned) = findings(&doc(true, "", &paths));
    assert_eq!(
        found,
        [
            "paths./$default.get: the $default route is written with x-amazon-apigateway-any-method",
            "paths./b.x-amazon-apigateway-any-method.isDefaultRoute: only the `/$default` path can be the $default route",
            "paths./b.trace: API Gateway does not support the TRACE method",
            "paths./b.foo: `foo` is not a method or path item field",
        ]
    );
    assert_eq!(
        warned,
        [
            "paths./b.x-amazon-apigateway-foo: `x-amazon-apigateway-foo` is not an API Gateway extension known at a path: skipped"
        ]
    );
    let api = import(&doc(true, "", &format!("  /$default:\n    x-amazon-apigateway-any-method: {{x-amazon-apigateway-integration: {PROXY}}}"))).unwrap();
    assert_eq!(api.routes[0].method, Method::Any);
    assert_eq!(api.routes[0].path, "$default");
}

#[test]
fn document_extensions() {
    let route = format!("  /a:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}");
    let ignored = "x-amazon-apigateway-documentation: {version: '1'}\nx-amazon-apigateway-endpoint-configuration: {vpcEndpointIds: [a]}\n\
                   x-amazon-apigateway-tag-value: x\nx-amazon-apigateway-request-validators: {none: {validateRequestBody: false}}\n\
                   x-amazon-apigateway-request-validator: none\nx-amazon-apigateway-api-key-source: header\nx-other: 1";
    assert!(import(&doc(false, ignored, &route)).is_ok());
    let from_authorizer = import(&doc(
        false,
        "x-amazon-apigateway-api-key-source: AUTHORIZER",
        &route,
    ))
    .unwrap();
    assert_eq!(from_authorizer.api_key_source, ApiKeySource::Authorizer);
    let rejected = "x-amazon-apigateway-api-key-source: BODY\nx-amazon-apigateway-minimum-compression-size: 0\n\
                    x-amazon-apigateway-cors: {}\nx-amazon-apigateway-request-validator: missing\nx-amazon-apigateway-magic: 1\n\
                    x-amazon-apigateway-binary-media-types: [image/png, bad]";
    let (found, warned) = findings(&doc(false, rejected, &route));
    assert_eq!(
        found,
        [
            "x-amazon-apigateway-api-key-source: `BODY` is not an API key source; expected HEADER or AUTHORIZER",
            "x-amazon-apigateway-binary-media-types[1]: `bad` is not a media type (type/subtype, `*` allowed)",
            "x-amazon-apigateway-request-validator: request validator `missing` is not defined in x-amazon-apigateway-request-validators",
        ]
    );
    assert_eq!(
        warned,
        [
            "x-amazon-apigateway-cors: x-amazon-apigateway-cors configures HTTP APIs only: ignored, as AWS ignores it on a REST API (REST APIs answer CORS with OPTIONS methods and gateway responses)",
            "x-amazon-apigateway-magic: `x-amazon-apigateway-magic` is not an API Gateway extension known at the document: skipped",
        ]
    );
    // An unknown extension whose name speaks of access is never skipped.
    assert_eq!(
        problems(&doc(
            false,
            "x-amazon-apigateway-authorization-magic: {}",
            &route
        )),
        [
            "x-amazon-apigateway-authorization-magic: `x-amazon-apigateway-authorization-magic` is not an API Gateway extension known at the document; it may decide who can call, so it is not skipped"
        ]
    );
    let (found, warned) = findings(
        &doc(
            true,
            "x-amazon-apigateway-minimum-compression-size: 0\nx-amazon-apigateway-cors: {allowOrigins: ['*']}",
            &route,
        )
        .replace("'1.0'", "'2.0'"),
    );
    assert_eq!(
        found,
        [
            "x-amazon-apigateway-importexport-version: import/export version `2.0` is not supported; the only version is 1.0"
        ]
    );
    assert_eq!(
        warned,
        [
            "x-amazon-apigateway-minimum-compression-size: payload compression settings are a REST API feature that HTTP APIs do not have (http-api-vs-rest): ignored, as AWS ignores them when importing an HTTP API; import the definition as a REST API (--api-type rest) to serve them",
        ]
    );
}

#[test]
fn minimum_compression_size_is_read_and_checked() {
    let route = format!("  /a:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}");
    let size = |value: &str| {
        import(&doc(
            false,
            &format!("x-amazon-apigateway-minimum-compression-size: {value}"),
            &route,
        ))
        .unwrap()
        .minimum_compression_size
    };
    assert_eq!(size("0"), Some(0));
    assert_eq!(size("1024"), Some(1024));
    assert_eq!(size("10485760"), Some(10_485_760));
    assert_eq!(size("null"), None);
    assert_eq!(
        import(&doc(false, "", &route))
            .unwrap()
            .minimum_compression_size,
        None
    );
    for (value, problem) in [
        (
            "10485761",
            "the minimum compression size 10485761 is out of range: API Gateway accepts 0 to 10485760 bytes (omit it or write null to leave compression off)",
        ),
        (
            "-1",
            "the minimum compression size -1 is out of range: API Gateway accepts 0 to 10485760 bytes (omit it or write null to leave compression off)",
        ),
        (
            "'1024'",
            "expected a whole number of bytes from 0 to 10485760, found a string",
        ),
        (
            "1.5",
            "expected a whole number of bytes from 0 to 10485760, found a number",
        ),
        (
            "true",
            "expected a whole number of bytes from 0 to 10485760, found a boolean",
        ),
    ] {
        assert_eq!(
            problems(&doc(
                false,
                &format!("x-amazon-apigateway-minimum-compression-size: {value}"),
                &route
            )),
            [format!(
                "x-amazon-apigateway-minimum-compression-size: {problem}"
            )],
            "{value}"
        );
    }
    // HTTP APIs have no compression: a warning, and nothing in the model.
    let (found, warned) = findings(&doc(
        true,
        "x-amazon-apigateway-minimum-compression-size: 99999999",
        &route,
    ));
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(warned.len(), 1);
    assert!(
        warned[0].contains("payload compression settings are a REST API feature"),
        "{warned:?}"
    );
}

#[test]
fn http_method_keys_map_to_router_methods() {
    let mut paths = String::from("  /a:\n");
    for key in [
        "get",
        "put",
        "post",
        "delete",
        "options",
        "head",
        "patch",
        "x-amazon-apigateway-any-method",
    ] {
        paths.push_str(&format!(
            "    {key}: {{x-amazon-apigateway-integration: {PROXY}}}\n"
        ));
    }
    let api = import(&doc(false, "", &paths)).unwrap();
    let methods: Vec<Method> = api.routes.iter().map(|r| r.method).collect();
    assert_eq!(
        methods,
        [
            Method::Get,
            Method::Put,
            Method::Post,
            Method::Delete,
            Method::Options,
            Method::Head,
            Method::Patch,
            Method::Any
        ]
    );
    assert!(matches!(
        api.routes[0].integration.kind,
        IntegrationKind::HttpProxy { method: None, .. }
    ));
}

const LAMBDA_URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations";

fn lambda_paths(integration: &str) -> String {
    format!("  /pets:\n    get:\n      x-amazon-apigateway-integration: {integration}\n")
}

#[test]
fn lambda_integrations_name_their_function() {
    let rest = import(&doc(
        false,
        "",
        &lambda_paths(&format!(
            "{{type: aws_proxy, httpMethod: POST, uri: '{LAMBDA_URI}'}}"
        )),
    ))
    .unwrap();
    match &rest.routes[0].integration.kind {
        IntegrationKind::Lambda {
            function,
            proxy,
            payload_format,
        } => {
            assert_eq!(function.name, "pets");
            assert!(*proxy);
            assert_eq!(*payload_format, crate::config::PayloadFormat::V1);
        }
        other => panic!("{other:?}"),
    }
    let http = import(&doc(
        true,
        "",
        &lambda_paths(&format!(
            "{{type: aws_proxy, httpMethod: POST, payloadFormatVersion: '2.0', uri: '{LAMBDA_URI}'}}"
        )),
    ))
    .unwrap();
    assert!(matches!(
        &http.routes[0].integration.kind,
        IntegrationKind::Lambda {
            proxy: true,
            payload_format: crate::config::PayloadFormat::V2,
            ..
        }
    ));
}

#[test]
fn lambda_integrations_follow_aws_rules() {
    // HTTP APIs require payloadFormatVersion for Lambda.
    let found = problems(&doc(
        true,
        "",
        &lambda_paths(&format!(
            "{{type: aws_proxy, httpMethod: POST, uri: '{LAMBDA_URI}'}}"
        )),
    ));
    assert!(
        has(
            &found,
            "`payloadFormatVersion` is required for HTTP API Lambda integrations"
        ),
        "{found:?}"
    );
    // Custom Lambda integrations are REST-only: AWS imports them with a
    // warning, and the route answers 500.
    let text = doc(
        true,
        "",
        &lambda_paths(&format!(
            "{{type: aws, httpMethod: POST, payloadFormatVersion: '1.0', uri: '{LAMBDA_URI}'}}"
        )),
    );
    let found = warnings(&text);
    assert!(
        has(
            &found,
            "a `aws` integration in an HTTP API, which supports only proxy integrations"
        ),
        "{found:?}"
    );
    assert!(matches!(
        import(&text).unwrap().routes[0].integration.kind,
        IntegrationKind::Unserved { .. }
    ));
    // REST APIs send 1.0 only.
    let found = problems(&doc(
        false,
        "",
        &lambda_paths(&format!(
            "{{type: aws_proxy, httpMethod: POST, payloadFormatVersion: '2.0', uri: '{LAMBDA_URI}'}}"
        )),
    ));
    assert!(
        has(&found, "REST APIs send payload format 1.0"),
        "{found:?}"
    );
    // Served services' URIs become service calls.
    let text = doc(
        false,
        "",
        &lambda_paths(
            "{type: aws, httpMethod: POST, uri: 'arn:aws:apigateway:eu-west-1:sqs:path/123/q'}",
        ),
    );
    match &import(&text).unwrap().routes[0].integration.kind {
        IntegrationKind::AwsRest(target) => {
            assert_eq!(
                (
                    target.service.as_str(),
                    target.region.as_str(),
                    target.path.as_deref()
                ),
                ("sqs", "eu-west-1", Some("123/q"))
            );
            assert_eq!(target.subdomain, None);
        }
        other => panic!("{other:?}"),
    }
    // `credentials`: a role, the caller's own identity, or refused.
    for (credentials, expected) in [
        (
            "arn:aws:iam::123456789012:role/api-sqs",
            Some(IntegrationCredentials::Role(
                "arn:aws:iam::123456789012:role/api-sqs".to_owned(),
            )),
        ),
        (
            "arn:aws:iam::*:user/*",
            Some(IntegrationCredentials::Caller),
        ),
        (
            "arn:aws-cn:iam::*:user/*",
            Some(IntegrationCredentials::Caller),
        ),
    ] {
        let text = doc(
            false,
            "",
            &lambda_paths(&format!(
                "{{type: aws, httpMethod: POST, credentials: '{credentials}', uri: 'arn:aws:apigateway:eu-west-1:sqs:path/123/q'}}"
            )),
        );
        assert_eq!(
            import(&text).unwrap().routes[0].integration.credentials,
            expected
        );
    }
    let text = doc(
        false,
        "",
        &lambda_paths(
            "{type: aws, httpMethod: POST, credentials: 'api-role', uri: 'arn:aws:apigateway:eu-west-1:sqs:path/123/q'}",
        ),
    );
    assert!(has(&problems(&text), "`api-role` is not an IAM ARN"));
    // S3 by path, the bucket as the URI's subdomain.
    let text = doc(
        false,
        "",
        &lambda_paths(
            "{type: aws, httpMethod: ANY, uri: 'arn:aws:apigateway:eu-west-1:photos.s3:path/{key}'}",
        ),
    );
    match &import(&text).unwrap().routes[0].integration.kind {
        IntegrationKind::AwsRest(target) => {
            assert_eq!(
                (
                    target.service.as_str(),
                    target.subdomain.as_deref(),
                    target.path.as_deref(),
                    target.method.as_ref()
                ),
                ("s3", Some("photos"), Some("{key}"), None)
            );
        }
        other => panic!("{other:?}"),
    }
    // Other AWS services load with a warning and are not served yet, as are
    // functions named by a stage variable.
    for (uri, what) in [
        (
            "arn:aws:apigateway:us-east-1:ssm:action/GetParameter",
            "AWS service integration (ssm)",
        ),
        (
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:${stageVariables.fn}/invocations",
            "a Lambda function named by a stage variable",
        ),
    ] {
        let text = doc(
            false,
            "",
            &lambda_paths(&format!("{{type: aws, httpMethod: POST, uri: '{uri}'}}")),
        );
        let found = warnings(&text);
        assert!(has(&found, what), "{found:?}");
        assert!(has(&found, "the route answers 500"), "{found:?}");
        match &import(&text).unwrap().routes[0].integration.kind {
            IntegrationKind::Unserved { reason } => assert!(reason.contains(what), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
    // Served subtypes: their parameters checked against AWS's table.
    let text = doc(
        true,
        "",
        &lambda_paths(
            "{type: aws_proxy, integrationSubtype: SQS-SendMessage, payloadFormatVersion: '1.0', requestParameters: {QueueUrl: '$request.header.queue', MessageBody: '$request.body.message'}}",
        ),
    );
    match &import(&text).unwrap().routes[0].integration.kind {
        IntegrationKind::AwsService(action) => {
            assert_eq!(action.subtype, "SQS-SendMessage");
            assert_eq!(action.parameters.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    let found = problems(&doc(
        true,
        "",
        &lambda_paths(
            "{type: aws_proxy, integrationSubtype: SQS-SendMessage, payloadFormatVersion: '1.0', requestParameters: {QueueUrl: q, Colour: red}}",
        ),
    ));
    assert!(
        has(&found, "SQS-SendMessage has no parameter `Colour`"),
        "{found:?}"
    );
    let found = problems(&doc(
        true,
        "",
        &lambda_paths(
            "{type: aws_proxy, integrationSubtype: SQS-SendMessage, payloadFormatVersion: '1.0', requestParameters: {QueueUrl: q}}",
        ),
    ));
    assert!(
        has(&found, "SQS-SendMessage needs the parameter `MessageBody`"),
        "{found:?}"
    );
    let found = problems(&doc(
        true,
        "",
        &lambda_paths(
            "{type: aws_proxy, integrationSubtype: SQS-Teleport, payloadFormatVersion: '1.0'}",
        ),
    ));
    assert!(
        has(&found, "`SQS-Teleport` is not an integration subtype"),
        "{found:?}"
    );
    let found = problems(&doc(
        false,
        "",
        &lambda_paths("{type: aws_proxy, httpMethod: POST}"),
    ));
    assert!(has(&found, "`uri` is required for aws_proxy"), "{found:?}");
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Thousands of random edits of real exports go through the importer without
/// a panic (the fuzz target does the same, coverage-guided).
#[test]
fn mutated_exports_never_panic() {
    let seeds = [
        include_str!("../../../tests/fixtures/rest-oas30-export.json"),
        include_str!("../../../tests/fixtures/http-api-export.yaml"),
        include_str!("../../../tests/fixtures/rest-swagger2-export.yaml"),
        include_str!("../../../tests/fixtures/rest-validation.yaml"),
    ];
    let tokens = [
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"",
        "'",
        "$",
        "${",
        "$ref",
        "\n",
        "  ",
        "-",
        "/",
        "{proxy+}",
        "~1",
        "%",
        "\\",
        "null",
        "true",
        "1e999",
        "-1",
        "x-amazon-apigateway-integration",
        "#/components/",
        "*",
        "&a",
        "*a",
        "!tag",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut imported = 0;
    for round in 0..3000 {
        let mut text: Vec<char> = seeds[round % seeds.len()].chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len());
            match rng.below(4) {
                0 => {
                    let end = (at + rng.below(40)).min(text.len());
                    text.drain(at..end);
                }
                1 => {
                    let token = tokens[rng.below(tokens.len())];
                    text.splice(at..at, token.chars());
                }
                2 => {
                    let from = rng.below(text.len());
                    let len = rng.below(200).min(text.len() - from);
                    let copied: Vec<char> = text[from..from + len].to_vec();
                    text.splice(at..at, copied);
                }
                _ => {
                    if let Some(c) = text.get_mut(at) {
                        *c = char::from_u32(rng.below(0x250) as u32).unwrap_or('x');
                    }
                }
            }
        }
        let text: String = text.into_iter().collect();
        if import_openapi(&text, Path::new("fuzz.yaml"), None).is_ok() {
            imported += 1;
        }
        let _ = import_openapi(&text, Path::new("fuzz.yaml"), Some(ApiType::Http));
    }
    // Some mutations leave a valid document; most are reported, none panic.
    assert!(imported > 0);
}

#[test]
fn gateway_response_paths_and_query_strings_are_accepted_and_not_applied() {
    let extra = "x-amazon-apigateway-gateway-responses:\n  UNAUTHORIZED:\n    responseParameters:\n      \
        gatewayresponse.header.X-Why: \"'auth'\"\n      gatewayresponse.path.Key: \"'v'\"\n      \
        gatewayresponse.querystring.Key: \"'v'\"";
    let paths = format!("  /a:\n    get: {{x-amazon-apigateway-integration: {PROXY}}}");
    let text = doc(false, extra, &paths);
    let api = import(&text).unwrap();
    let kept: Vec<&String> = api.gateway_responses["UNAUTHORIZED"]
        .response_parameters
        .keys()
        .collect();
    assert_eq!(kept, ["gatewayresponse.header.X-Why"]);
    let said = warnings(&text);
    assert_eq!(
        said.iter()
            .filter(|w| w.contains("a response has no path or query string"))
            .count(),
        2,
        "{said:?}"
    );
}
