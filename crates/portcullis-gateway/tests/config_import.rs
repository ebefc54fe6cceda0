//! OpenAPI import of AWS-shaped exports (tests/fixtures), and the problems
//! reported for broken ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use portcullis_gateway::config::{
    Api, ApiType, Authorization, ConfigError, ContentHandling, IntegrationKind, MappingOp,
    MappingTarget, MappingValue, Method, MethodParameter, ParameterLocation, PassthroughBehavior,
    RequestValidation, Route, ValuePart, import_openapi,
};
use serde_json::json;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn import_as(name: &str, api_type: Option<ApiType>) -> Result<Api, ConfigError> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    import_openapi(&text, &path, api_type).map(|imported| imported.api)
}

fn import(name: &str) -> Api {
    import_as(name, None).unwrap_or_else(|e| panic!("{name} should import:\n{e}"))
}

/// The problems of a broken fixture as `(location, message)`, after checking
/// that each names the fixture.
fn problems(name: &str, api_type: Option<ApiType>) -> Vec<(String, String)> {
    let error = import_as(name, api_type).expect_err("the fixture is broken");
    error
        .problems
        .into_iter()
        .map(|p| {
            assert_eq!(p.file, fixture(name));
            (p.location, p.message)
        })
        .collect()
}

/// The warnings of a fixture as `(location, message)`, whether it loads or not.
fn warnings(name: &str, api_type: Option<ApiType>) -> Vec<(String, String)> {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let warnings = match import_openapi(&text, &path, api_type) {
        Ok(imported) => imported.warnings,
        Err(error) => error.warnings,
    };
    warnings
        .into_iter()
        .map(|p| {
            assert_eq!(p.file, fixture(name));
            (p.location, p.message)
        })
        .collect()
}

/// What AWS's HTTP API import says of a REST-only feature: ignored.
fn rest_only(feature: &str) -> String {
    format!(
        "{feature} are a REST API feature that HTTP APIs do not have (http-api-vs-rest): ignored, \
         as AWS ignores them when importing an HTTP API; import the definition as a REST API \
         (--api-type rest) to serve them"
    )
}

fn route<'a>(api: &'a Api, method: &str, path: &str) -> &'a Route {
    let method = Method::parse(method).unwrap();
    api.routes
        .iter()
        .find(|r| r.method == method && r.path == path)
        .unwrap_or_else(|| panic!("no route {method:?} {path}"))
}

fn lit(text: &str) -> ValuePart {
    ValuePart::Literal(text.to_owned())
}

fn validator(name: &str, body: bool, parameters: bool) -> Option<RequestValidation> {
    Some(RequestValidation {
        name: name.to_owned(),
        body,
        parameters,
    })
}

fn models(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn rest_openapi3_export() {
    let api = import("rest-oas30-export.json");
    assert_eq!(api.id, "a1b2c3d4e5");
    assert_eq!(api.name, "PetStore");
    assert_eq!(api.api_type, ApiType::Rest);
    assert_eq!(api.source, fixture("rest-oas30-export.json"));
    assert_eq!(api.stages.len(), 1);
    assert_eq!(api.stages[0].name, "$default");
    assert_eq!(
        api.binary_media_types,
        ["image/png", "application/octet-stream"]
    );
    assert_eq!(api.routes.len(), 6);

    let list = route(&api, "GET", "/pets");
    assert_eq!(list.location, "paths./pets.get");
    assert_eq!(list.operation_id.as_deref(), Some("ListPets"));
    assert_eq!(list.authorization, Authorization::None);
    assert!(!list.api_key_required);
    assert_eq!(
        list.request_parameters,
        [
            MethodParameter {
                location: ParameterLocation::QueryString,
                name: "type".into(),
                required: false
            },
            MethodParameter {
                location: ParameterLocation::QueryString,
                name: "page".into(),
                required: false
            },
        ]
    );
    let integration = &list.integration;
    assert_eq!(
        integration.kind,
        IntegrationKind::Http {
            uri: "http://petstore.example.test/petstore/pets".into(),
            method: Some(http::Method::GET)
        }
    );
    assert_eq!(integration.timeout, Duration::from_millis(10_000));
    assert_eq!(integration.passthrough, PassthroughBehavior::WhenNoMatch);
    let keys: Vec<&str> = integration
        .request_parameters
        .iter()
        .map(|m| m.key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "integration.request.querystring.type",
            "integration.request.querystring.page",
            "integration.request.header.x-request-id"
        ]
    );
    assert_eq!(
        integration.request_parameters[2].target,
        MappingTarget::Header {
            name: "x-request-id".into(),
            op: MappingOp::Overwrite
        }
    );
    assert_eq!(
        integration.request_parameters[2].value,
        MappingValue(vec![ValuePart::Context("requestId".into())])
    );
    // Integration responses keep their order in the file; `default` has no pattern.
    assert_eq!(integration.responses.len(), 2);
    assert_eq!(integration.responses[0].key, "2\\d{2}");
    assert_eq!(
        integration.responses[0].selection_pattern.as_deref(),
        Some("2\\d{2}")
    );
    assert_eq!(integration.responses[0].status_code, 200);
    assert_eq!(
        integration.responses[0].response_parameters["method.response.header.Access-Control-Allow-Origin"],
        "'*'"
    );
    assert!(
        integration.responses[0].response_templates["application/json"].starts_with("#set($pets")
    );
    assert_eq!(integration.responses[1].selection_pattern, None);
    assert_eq!(integration.responses[1].status_code, 500);
    assert_eq!(
        list.validation,
        validator("Validate query string parameters and headers", false, true)
    );
    assert!(list.request_models.is_empty());

    let create = route(&api, "POST", "/pets");
    assert!(create.api_key_required);
    assert_eq!(create.validation, validator("Validate body", true, false));
    assert_eq!(
        create.request_models,
        models(&[("application/json", "NewPet")])
    );
    assert_eq!(create.authorization, Authorization::None);
    assert_eq!(
        create.integration.kind,
        IntegrationKind::HttpProxy {
            uri: "http://petstore.example.test/petstore/pets".into(),
            method: Some(http::Method::POST)
        }
    );
    assert_eq!(create.integration.timeout, Duration::from_millis(29_000));

    let cors = route(&api, "OPTIONS", "/pets");
    assert_eq!(cors.integration.kind, IntegrationKind::Mock);
    assert_eq!(cors.validation, None);
    assert_eq!(
        cors.integration.request_templates["application/json"],
        "{\"statusCode\": 200}"
    );
    assert_eq!(cors.integration.responses[0].response_parameters.len(), 2);

    let get = route(&api, "GET", "/pets/{petId}");
    assert_eq!(get.authorization, Authorization::Iam);
    assert_eq!(
        get.validation,
        validator(
            "Validate body, query string parameters, and headers",
            true,
            true
        )
    );
    assert_eq!(
        get.request_parameters[0],
        MethodParameter {
            location: ParameterLocation::Path,
            name: "petId".into(),
            required: true
        }
    );
    assert_eq!(
        get.integration.request_parameters[0].target,
        MappingTarget::PathParameter {
            name: "petId".into()
        }
    );
    assert_eq!(
        get.integration.request_parameters[0].value.0,
        [ValuePart::PathParameter("petId".into())]
    );

    let owners = route(&api, "GET", "/owners/{ownerId}/pets");
    assert_eq!(
        owners.authorization,
        Authorization::Authorizer {
            name: "owners-cognito".into(),
            kind: "cognito_user_pools".into()
        }
    );
    assert_eq!(owners.authorization_scopes, ["petstore/owners.read"]);
    assert_eq!(owners.integration.passthrough, PassthroughBehavior::Never);
    assert_eq!(
        owners.integration.content_handling,
        Some(ContentHandling::ConvertToText)
    );
    assert_eq!(
        owners.integration.responses[0].content_handling,
        Some(ContentHandling::ConvertToText)
    );

    let proxy = route(&api, "ANY", "/{proxy+}");
    assert_eq!(
        proxy.location,
        "paths./{proxy+}.x-amazon-apigateway-any-method"
    );
    assert_eq!(
        proxy.integration.kind,
        IntegrationKind::HttpProxy {
            uri: "http://${stageVariables.legacyHost}/{proxy}".into(),
            method: None
        }
    );

    let default_4xx = &api.gateway_responses["DEFAULT_4XX"];
    assert_eq!(default_4xx.status_code, None);
    assert_eq!(
        default_4xx.response_parameters["gatewayresponse.header.Access-Control-Allow-Origin"],
        "'*'"
    );
    assert_eq!(
        api.gateway_responses["MISSING_AUTHENTICATION_TOKEN"].status_code,
        Some(404)
    );

    // Models are carried as written, `$ref`s intact.
    assert_eq!(
        api.models.keys().collect::<Vec<_>>(),
        ["NewPet", "Pet", "Pets"]
    );
    assert_eq!(
        api.models["Pets"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/Pet"}})
    );
}

#[test]
fn rest_swagger2_export() {
    let api = import("rest-swagger2-export.yaml");
    assert_eq!(api.id, "x9y8z7w6v5");
    assert_eq!(api.name, "Inventory Service");
    assert_eq!(api.api_type, ApiType::Rest);
    assert_eq!(api.binary_media_types, ["image/png"]);
    assert_eq!(api.routes.len(), 4);

    let root = route(&api, "GET", "/");
    assert_eq!(root.integration.kind, IntegrationKind::Mock);
    // The document's validator applies where the operation names none.
    assert_eq!(root.validation, validator("params-only", false, true));
    assert_eq!(
        api.models["Empty"],
        json!({"type": "object", "title": "Empty Schema"})
    );
    assert_eq!(
        root.integration.passthrough,
        PassthroughBehavior::WhenNoTemplates
    );

    let get = route(&api, "GET", "/items/{itemId}");
    assert_eq!(
        get.authorization,
        Authorization::Authorizer {
            name: "inventory-token".into(),
            kind: "token".into()
        }
    );
    assert!(get.api_key_required);
    // The path item's parameter comes first, then the operation's own; `in: body` is skipped.
    let declared: Vec<(&str, ParameterLocation, bool)> = get
        .request_parameters
        .iter()
        .map(|p| (p.name.as_str(), p.location, p.required))
        .collect();
    assert_eq!(
        declared,
        [
            ("itemId", ParameterLocation::Path, true),
            ("Authorization", ParameterLocation::Header, true),
            ("fields", ParameterLocation::QueryString, false)
        ]
    );
    let mappings: Vec<(&MappingTarget, &[ValuePart])> = get
        .integration
        .request_parameters
        .iter()
        .map(|m| (&m.target, m.value.0.as_slice()))
        .collect();
    assert_eq!(
        mappings,
        [
            (
                &MappingTarget::PathParameter { name: "id".into() },
                &[ValuePart::PathParameter("itemId".into())][..]
            ),
            (
                &MappingTarget::QueryString {
                    name: "fields".into(),
                    op: MappingOp::Overwrite
                },
                &[ValuePart::MultiQueryString("fields".into())][..]
            ),
            (
                &MappingTarget::Header {
                    name: "x-stage".into(),
                    op: MappingOp::Overwrite
                },
                &[ValuePart::StageVariable("stageName".into())][..]
            ),
            (
                &MappingTarget::Header {
                    name: "Accept".into(),
                    op: MappingOp::Overwrite
                },
                &[lit("application/json")][..]
            ),
        ]
    );
    assert_eq!(get.integration.timeout, Duration::from_millis(5000));
    assert_eq!(
        get.integration.responses[0].selection_pattern.as_deref(),
        Some("404")
    );
    assert_eq!(get.integration.responses[1].selection_pattern, None);

    let delete = route(&api, "DELETE", "/items/{itemId}");
    assert_eq!(delete.authorization, Authorization::Iam);
    assert!(!delete.api_key_required);

    let photo = route(&api, "PUT", "/items/{itemId}/photo");
    assert_eq!(
        photo.integration.content_handling,
        Some(ContentHandling::ConvertToBinary)
    );
    assert_eq!(photo.request_parameters.len(), 1);
    assert_eq!(photo.validation, validator("body-only", true, false));
    // The body parameter's model, for each type the operation `consumes`.
    assert_eq!(photo.request_models, models(&[("image/png", "Empty")]));
    assert!(get.request_models.is_empty());
}

#[test]
fn http_api_export() {
    let api = import("http-api-export.yaml");
    assert_eq!(api.id, "h1t2t3p4a5");
    assert_eq!(api.name, "orders-http");
    assert_eq!(api.api_type, ApiType::Http);
    assert!(api.gateway_responses.is_empty());
    assert_eq!(api.routes.len(), 3);
    assert!(api.models.is_empty());
    assert!(api.routes.iter().all(|r| r.validation.is_none()));

    let create = route(&api, "POST", "/orders");
    assert_eq!(create.authorization, Authorization::Iam);
    assert_eq!(create.integration.timeout, Duration::from_millis(30_000));
    let mappings: Vec<(&MappingTarget, &[ValuePart])> = create
        .integration
        .request_parameters
        .iter()
        .map(|m| (&m.target, m.value.0.as_slice()))
        .collect();
    assert_eq!(
        mappings,
        [
            (
                &MappingTarget::Header {
                    name: "x-request-id".into(),
                    op: MappingOp::Append
                },
                &[ValuePart::Context("requestId".into())][..]
            ),
            (
                &MappingTarget::QueryString {
                    name: "source".into(),
                    op: MappingOp::Overwrite
                },
                &[lit("gateway-"), ValuePart::StageVariable("env".into())][..]
            ),
            (
                &MappingTarget::Header {
                    name: "cookie".into(),
                    op: MappingOp::Remove
                },
                &[lit("''")][..]
            ),
        ]
    );

    let get = route(&api, "GET", "/orders/{id}");
    assert_eq!(
        get.authorization,
        Authorization::Authorizer {
            name: "orders-jwt".into(),
            kind: "jwt".into()
        }
    );
    assert_eq!(get.authorization_scopes, ["orders/read"]);
    assert_eq!(
        get.request_parameters,
        [MethodParameter {
            location: ParameterLocation::Path,
            name: "id".into(),
            required: true
        }]
    );
    let path = &get.integration.request_parameters[1];
    assert_eq!(path.target, MappingTarget::Path);
    assert_eq!(
        path.value.0,
        [lit("/v2/orders/"), ValuePart::PathParameter("id".into())]
    );

    // The catch-all route, its integration shared through $ref.
    let fallback = route(&api, "ANY", "$default");
    assert_eq!(
        fallback.location,
        "paths./$default.x-amazon-apigateway-any-method"
    );
    assert_eq!(
        fallback.integration.kind,
        IntegrationKind::HttpProxy {
            uri: "http://${stageVariables.legacyHost}".into(),
            method: None
        }
    );
}

#[test]
fn api_type_can_be_overridden() {
    // A REST export read as an HTTP API: its caching and templates are REST-only.
    let found = warnings("rest-oas30-export.json", Some(ApiType::Http));
    assert!(
        found.contains(&(
            "paths./pets.options.x-amazon-apigateway-integration.type".into(),
            "a `mock` integration in an HTTP API, which supports only proxy integrations (http_proxy, \
             aws_proxy; http-api-open-api): AWS imports it with a warning; the route answers 500 \
             Internal Server Error"
                .into()
        )),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(at, m)| at == "x-amazon-apigateway-gateway-responses"
                && m.starts_with("gateway responses are a REST API feature"))
    );
    // And an HTTP API export read as REST: `$default` is no REST resource.
    let found = problems("http-api-export.yaml", Some(ApiType::Rest));
    assert!(
        found
            .iter()
            .any(|(at, m)| at == "paths./$default" && m.contains("has `$`")),
        "{found:?}"
    );
}

#[test]
fn broken_rest_definition_reports_every_problem() {
    let found = problems("broken-rest.yaml", None);
    let integration = |path: &str, method: &str, rest: &str| {
        format!("paths.{path}.{method}.x-amazon-apigateway-integration{rest}")
    };
    let expected: Vec<(String, &str)> = vec![
        (
            "x-amazon-apigateway-gateway-responses.NOT_A_TYPE".into(),
            "`NOT_A_TYPE` is not a gateway response type (supported-gateway-response-types)",
        ),
        (
            "components.schemas.Order-Line".into(),
            "model name `Order-Line` is not alphanumeric; \"Model names can only contain alphanumeric characters\" \
             (api-gateway-known-issues): rename it and its `$ref`s",
        ),
        (
            integration("/slow", "get", ".timeoutInMillis"),
            "timeoutInMillis is 60000; it must be between 50 and 29000",
        ),
        (
            "paths./files/{name}.json".into(),
            "`{name}.json`: path parameters must be whole segments (`/res/{id}`, not `/res{id}`)",
        ),
        (
            integration(
                "/users/{userId}",
                "get",
                ".requestParameters[\"integration.request.path.userId\"]",
            ),
            "method.request.path.userId is not declared; add {name: userId, in: path} to the operation's parameters \
             (API Gateway maps only declared method request parameters)",
        ),
        (
            integration("/reports", "get", ".responses[\"5\\\\d{2}[x\"]"),
            "selection pattern `5\\d{2}[x` is not a Java regular expression this gateway can run: \
             Parsing error at position 19: Invalid character class",
        ),
        (
            integration("/reports", "get", ".uri"),
            "`/reports` is not an absolute URL; write http://host/path or https://host/path",
        ),
        (
            integration("/soap", "post", ".type"),
            "`soap` is not an integration type; expected http_proxy, http, mock, aws_proxy or aws",
        ),
        (
            "paths./undocumented.get".into(),
            "no x-amazon-apigateway-integration: API Gateway cannot deploy a method without an integration",
        ),
        (
            "paths./validated.put.x-amazon-apigateway-request-validator".into(),
            "request validator `Validate body` is not defined in x-amazon-apigateway-request-validators",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(a, m)| (a, m.to_owned()))
        .collect();
    assert_eq!(found, expected);
    // What AWS would deploy loads with a warning instead.
    let warned = warnings("broken-rest.yaml", None);
    assert_eq!(
        warned,
        [
            (
                "components.schemas.Order.properties.lines.items.$ref".to_owned(),
                "`#/components/schemas/OrderLine` names model `OrderLine`, which this file does not define: \
                 AWS imports it with a warning; request validation accepts any value here"
                    .to_owned()
            ),
            (
                integration("/queue", "get", ".uri"),
                "an AWS service integration (ssm) at `arn:aws:apigateway:us-east-1:ssm:action/GetParameter`, \
                 which is not served yet: the route answers 500 Internal Server Error"
                    .to_owned()
            ),
        ]
    );
    // The private integration imports; its VPC link is resolved (and warned
    // about) at load, against the configured links.
    let error = import_as("broken-rest.yaml", None).unwrap_err();
    assert!(
        error
            .problems
            .iter()
            .all(|p| !p.location.contains("/private"))
    );
}

#[test]
fn broken_http_api_definition_reports_rest_only_features() {
    let found = problems("broken-http.yaml", None);
    let expected = vec![
        (
            "paths./keys.get.x-amazon-apigateway-integration.requestParameters[\"overwrite:header.Authorization\"]".into(),
            "header `Authorization` is reserved; HTTP APIs cannot map it (http-api-parameter-mapping, Reserved headers)".into(),
        ),
        (
            "paths./pets/{id}.get.x-amazon-apigateway-integration.payloadFormatVersion".into(),
            "payload format version 2.0 is for Lambda proxy integrations; HTTP integrations use 1.0".into(),
        ),
        (
            "paths./pets/{id}.get.x-amazon-apigateway-integration.requestParameters[\"overwrite:header.x-pet\"]".into(),
            "`$request.path.petId` names no path parameter of route `/pets/{id}`".into(),
        ),
    ];
    assert_eq!(found, expected);
    let mock = "a `mock` integration in an HTTP API, which supports only proxy integrations (http_proxy, \
                aws_proxy; http-api-open-api): AWS imports it with a warning; the route answers 500 \
                Internal Server Error";
    let expected = vec![
        (
            "x-amazon-apigateway-policy".into(),
            rest_only("resource policies"),
        ),
        (
            "x-amazon-apigateway-gateway-responses".into(),
            rest_only("gateway responses"),
        ),
        (
            "x-amazon-apigateway-request-validators".into(),
            rest_only("request validators"),
        ),
        (
            "paths./mocked.get.x-amazon-apigateway-request-validator".into(),
            rest_only("request validators"),
        ),
        (
            "paths./mocked.get.x-amazon-apigateway-integration.type".into(),
            mock.to_owned(),
        ),
        (
            "paths./mocked.get.x-amazon-apigateway-integration.requestTemplates".into(),
            rest_only("body mapping templates (requestTemplates)"),
        ),
        (
            "paths./keys.get.security[0].api_key".into(),
            rest_only("API keys"),
        ),
        (
            "paths./keys.get.x-amazon-apigateway-integration.cacheKeyParameters".into(),
            rest_only("caching settings (cacheKeyParameters, cacheNamespace)"),
        ),
    ];
    assert_eq!(warnings("broken-http.yaml", None), expected);
}

#[test]
fn syntax_errors_name_line_and_column() {
    let found = problems("broken-syntax.json", None);
    assert_eq!(
        found,
        [(
            "line 6 column 0".to_owned(),
            "not valid JSON or YAML: EOF while parsing an object".to_owned()
        )]
    );
}

#[test]
fn problems_display_as_file_location_message() {
    let error = import_as("broken-syntax.json", None).unwrap_err();
    let shown = error.to_string();
    assert!(shown.ends_with("broken-syntax.json: line 6 column 0: not valid JSON or YAML: EOF while parsing an object"), "{shown}");
}

#[test]
fn swagger2_cannot_be_an_http_api() {
    let found = problems("rest-swagger2-export.yaml", Some(ApiType::Http));
    assert_eq!(
        found[0],
        (
            "swagger".into(),
            "HTTP APIs are imported from OpenAPI 3.0 only, not Swagger 2.0 (http-api-open-api)"
                .into()
        )
    );
}

#[test]
fn api_id_falls_back_to_the_file_stem() {
    let text = "openapi: 3.0.1\ninfo: {title: t}\nservers: [{url: 'https://api.example.test/v1'}]\npaths: {}\n";
    let api = import_openapi(text, Path::new("/defs/My Pet_Store.v2.yaml"), None)
        .unwrap()
        .api;
    assert_eq!(api.id, "my-pet-store-v2");
    assert!(api.routes.is_empty());
}

#[test]
fn request_validators_and_body_models() {
    let api = import("rest-validation.yaml");
    assert_eq!(api.routes.len(), 3);

    // The document's validator, inherited.
    let list = route(&api, "GET", "/orders");
    assert_eq!(list.validation, validator("params-only", false, true));
    assert!(list.request_parameters[0].required);
    assert!(list.request_models.is_empty());

    // The operation's own, and models from a shared request body, by content type.
    let create = route(&api, "POST", "/orders");
    assert_eq!(create.validation, validator("all", true, true));
    assert_eq!(
        create.request_models,
        models(&[
            ("application/json", "NewOrder"),
            ("application/vnd.orders.v1+json", "NewOrder")
        ])
    );

    // An inline schema becomes a model named after the operation.
    let replace = route(&api, "PUT", "/orders/{id}");
    assert_eq!(replace.validation, validator("body-only", true, false));
    assert_eq!(
        replace.request_models,
        models(&[("application/json", "ReplaceOrderBody")])
    );

    assert_eq!(
        api.models.keys().collect::<Vec<_>>(),
        ["NewOrder", "OrderLine", "ReplaceOrderBody"]
    );
    assert_eq!(
        api.models["ReplaceOrderBody"],
        json!({
            "type": "object",
            "required": ["lines"],
            "properties": {"lines": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}}}
        })
    );
    assert_eq!(
        api.models["OrderLine"],
        json!({
            "type": "object",
            "required": ["sku", "quantity"],
            "properties": {
                "sku": {"type": "string", "pattern": "^[A-Z]{3}-\\d+$"},
                "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                "price": {"type": "number", "multipleOf": 0.01},
                "gift": {"type": "boolean", "default": false}
            }
        })
    );
    assert_eq!(
        api.models["NewOrder"]["properties"]["lines"]["items"]["$ref"],
        "#/components/schemas/OrderLine"
    );
}
