//! Plain CloudFormation: `AWS::ApiGateway::RestApi` (with a `Body`, or
//! built from `AWS::ApiGateway::Resource`, `Method` and `Authorizer`
//! resources) with its `Stage`s, `AWS::ApiGatewayV2::Api` (HTTP, with a
//! `Body`) with its `Stage`s, and `AWS::Lambda::Function` with local `Code`
//! (a path, as `aws cloudformation package` takes it).

use std::path::Path;

use crate::config::model::ApiType;
use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child};

use super::{ApiDefinition, StageDefinition, note_unused, text};

/// The properties of an `AWS::Lambda::Function`, as SAM's function reads
/// them (`Code` as a local path → `CodeUri`); `None` when the code is not
/// on disk (inline `ZipFile`, S3), with a warning.
pub(super) fn lambda_function(
    logical_id: &str,
    properties: &Node,
    file: &Path,
    problems: &mut Problems,
) -> Option<Node> {
    let at = format!("Resources.{logical_id}.Properties");
    let code = match properties.get("Code") {
        Some(Node::Str(path)) => path.clone(),
        _ => {
            problems.warn(
                file,
                child(&at, "Code"),
                format!("function {logical_id}'s Code is not a local path (write `Code: ./src`, as `aws cloudformation package` takes it): its routes answer 500"),
            );
            return None;
        }
    };
    let Node::Map(entries) = properties else {
        return None;
    };
    let mut out: Vec<(String, Node)> = entries
        .iter()
        .filter(|(k, _)| k != "Code")
        .cloned()
        .collect();
    out.push(("CodeUri".to_owned(), Node::Str(code)));
    Some(Node::Map(out))
}

/// The REST and HTTP APIs of plain CloudFormation among `resources`.
pub(super) fn apis(
    resources: &[(String, Node)],
    file: &Path,
    dir: &Path,
    problems: &mut Problems,
) -> Vec<ApiDefinition> {
    let mut out = Vec::new();
    for (logical_id, resource) in resources {
        let api_type = match text(resource.get("Type")) {
            Some("AWS::ApiGateway::RestApi") => ApiType::Rest,
            Some("AWS::ApiGatewayV2::Api") => ApiType::Http,
            _ => continue,
        };
        let empty = Node::Map(Vec::new());
        let properties = resource.get("Properties").unwrap_or(&empty);
        let at = format!("Resources.{logical_id}.Properties");
        if api_type == ApiType::Http
            && text(properties.get("ProtocolType")).is_some_and(|p| p != "HTTP")
            && properties.get("Body").is_none()
        {
            problems.warn(
                file,
                &at,
                format!("{logical_id} is a WebSocket API, which is not served yet"),
            );
            continue;
        }
        let id = logical_id.to_ascii_lowercase();
        let validation = match api_type {
            ApiType::Rest => super::validation::cloudformation(&id, resources, file, problems),
            ApiType::Http => Default::default(),
        };
        let (mut document, document_at) = match body(properties, &at, dir, file, problems) {
            Some(found) => found,
            None if api_type == ApiType::Rest => (
                built_rest(&id, resources, &validation, file, problems),
                format!("Resources.{logical_id} (built from its Resource and Method resources)"),
            ),
            None => (
                built_http(&id, properties, resources, file, problems),
                format!("Resources.{logical_id} (built from its Route and Integration resources)"),
            ),
        };
        validation.apply(&mut document);
        let mut document = with_properties(document, api_type, properties);
        match api_type {
            ApiType::Rest => super::responses::apply(
                &mut document,
                super::responses::cloudformation(&id, resources),
            ),
            ApiType::Http => {
                if let Some(cors) = properties.get("CorsConfiguration").and_then(|c| {
                    super::cors::http(c, &child(&at, "CorsConfiguration"), file, problems)
                }) {
                    super::cors::set_http(&mut document, cors);
                }
            }
        }
        note_unused(
            file,
            &at,
            properties,
            &[
                "Body",
                "BodyS3Location",
                "Name",
                "Description",
                "BinaryMediaTypes",
                "Policy",
                "ProtocolType",
                "EndpointConfiguration",
                "Tags",
                "FailOnWarnings",
                "Mode",
                "ApiKeySourceType",
            ],
            problems,
        );
        let mut stages = stages(&id, api_type, resources, file, problems);
        if stages.is_empty() {
            problems.warn(
                file,
                &at,
                format!("no Stage deploys {logical_id}: it is served at the root ($default)"),
            );
            stages.push(StageDefinition {
                name: "$default".to_owned(),
                variables: Vec::new(),
                at: at.clone(),
                settings: Default::default(),
            });
        }
        out.push(ApiDefinition {
            logical_id: logical_id.clone(),
            api_type,
            document,
            document_at,
            stages,
        });
    }
    out
}

/// The API's `Body`, or the local file `BodyS3Location.Key` names.
fn body(
    properties: &Node,
    at: &str,
    dir: &Path,
    file: &Path,
    problems: &mut Problems,
) -> Option<(Node, String)> {
    if let Some(body) = properties.get("Body") {
        return Some((body.clone(), child(at, "Body")));
    }
    let location = properties.get("BodyS3Location")?;
    let key_at = child(&child(at, "BodyS3Location"), "Key");
    let Some(key) = text(location.get("Key")) else {
        problems.at(
            file,
            &key_at,
            "BodyS3Location needs a Key: locally, the definition's path beside the template",
        );
        return None;
    };
    let path = dir.join(key);
    let read = std::fs::read_to_string(&path)
        .map_err(|e| {
            format!(
                "cannot read {} (BodyS3Location's Key, read beside the template): {e}",
                path.display()
            )
        })
        .and_then(|text| {
            crate::config::openapi::tree::parse(&text)
                .map_err(|e| format!("{}: not valid JSON or YAML: {}", path.display(), e.message))
        });
    match read {
        Ok(node) => Some((node, key_at)),
        Err(message) => {
            problems.at(file, &key_at, message);
            None
        }
    }
}

/// The API resource's own settings that a definition also carries.
fn with_properties(mut document: Node, api_type: ApiType, properties: &Node) -> Node {
    let Node::Map(top) = &mut document else {
        return document;
    };
    let mut set = |key: &str, value: Node| {
        if !top.iter().any(|(k, _)| k == key) {
            top.push((key.to_owned(), value));
        }
    };
    if let Some(Node::Seq(types)) = properties.get("BinaryMediaTypes") {
        let types = types
            .iter()
            .map(|t| match t {
                Node::Str(text) => Node::Str(text.replace("~1", "/")),
                other => other.clone(),
            })
            .collect();
        set("x-amazon-apigateway-binary-media-types", Node::Seq(types));
    }
    if api_type == ApiType::Rest {
        if let Some(policy) = properties.get("Policy") {
            set("x-amazon-apigateway-policy", policy.clone());
        }
        if let Some(source) = properties.get("ApiKeySourceType") {
            set("x-amazon-apigateway-api-key-source", source.clone());
        }
    }
    document
}

/// The `Stage` resources deploying API `id`, and the stages its
/// Deployments' `StageName` create (with their `StageDescription`).
fn stages(
    id: &str,
    api_type: ApiType,
    resources: &[(String, Node)],
    file: &Path,
    problems: &mut Problems,
) -> Vec<StageDefinition> {
    let (stage_type, api_key, variables_key, settings_keys) = match api_type {
        ApiType::Rest => (
            "AWS::ApiGateway::Stage",
            "RestApiId",
            "Variables",
            super::stage::REST_STAGE_KEYS,
        ),
        ApiType::Http => (
            "AWS::ApiGatewayV2::Stage",
            "ApiId",
            "StageVariables",
            super::stage::HTTP_STAGE_KEYS,
        ),
    };
    let used = [
        &[
            "StageName",
            api_key,
            variables_key,
            "DeploymentId",
            "Description",
            "Tags",
            "AutoDeploy",
        ][..],
        settings_keys,
    ]
    .concat();
    let empty = Node::Map(Vec::new());
    let mut out = Vec::new();
    for (logical_id, resource) in of_api(resources, stage_type, api_key, id) {
        let properties = resource.get("Properties").unwrap_or(&empty);
        let at = format!("Resources.{logical_id}.Properties");
        let Some(name) = text(properties.get("StageName")) else {
            continue;
        };
        note_unused(file, &at, properties, &used, problems);
        out.push(StageDefinition {
            name: name.to_owned(),
            variables: variables(properties.get(variables_key)),
            settings: super::stage::read(api_type, properties, &at, file, problems),
            at,
        });
    }
    // A Deployment's StageName creates that stage too.
    if api_type == ApiType::Rest {
        for (logical_id, resource) in
            of_api(resources, "AWS::ApiGateway::Deployment", "RestApiId", id)
        {
            let properties = resource.get("Properties").unwrap_or(&empty);
            let Some(name) = text(properties.get("StageName")) else {
                continue;
            };
            if out.iter().any(|s| s.name == name) {
                continue;
            }
            let at = format!("Resources.{logical_id}.Properties.StageDescription");
            let description = properties.get("StageDescription").unwrap_or(&empty);
            note_unused(file, &at, description, &used, problems);
            out.push(StageDefinition {
                name: name.to_owned(),
                variables: variables(description.get(variables_key)),
                settings: super::stage::read(api_type, description, &at, file, problems),
                at,
            });
        }
    }
    out
}

/// A stage's variables (text values).
fn variables(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect()
}

/// The resources of `type_` that belong to API `id` (their `key`,
/// `RestApiId` or `ApiId`, names it).
pub(super) fn of_api<'r>(
    resources: &'r [(String, Node)],
    type_: &'static str,
    key: &'static str,
    id: &'r str,
) -> impl Iterator<Item = &'r (String, Node)> {
    resources.iter().filter(move |(_, r)| {
        text(r.get("Type")) == Some(type_)
            && r.get("Properties")
                .and_then(|p| text(p.get(key)))
                .is_some_and(|a| a.eq_ignore_ascii_case(id))
    })
}

/// A swagger document for REST API `id` from its `Resource`, `Method` and
/// `Authorizer` resources, as API Gateway would export it.
fn built_rest(
    id: &str,
    resources: &[(String, Node)],
    validation: &super::validation::CfnValidation,
    file: &Path,
    problems: &mut Problems,
) -> Node {
    let of_api = |wanted| of_api(resources, wanted, "RestApiId", id);
    let props = |r: &Node| {
        r.get("Properties")
            .cloned()
            .unwrap_or(Node::Map(Vec::new()))
    };
    // Resource id (its Ref: the logical id) → (parent id, path part).
    let parts: Vec<(String, String, String)> = of_api("AWS::ApiGateway::Resource")
        .map(|(logical_id, r)| {
            let p = props(r);
            (
                logical_id.clone(),
                text(p.get("ParentId")).unwrap_or_default().to_owned(),
                text(p.get("PathPart")).unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let path_of = |resource: &str| -> String {
        let mut segments = Vec::new();
        let mut current = resource.to_owned();
        for _ in 0..64 {
            match parts.iter().find(|(id, _, _)| *id == current) {
                Some((_, parent, part)) => {
                    segments.push(part.clone());
                    current = parent.clone();
                }
                None => break,
            }
        }
        segments.reverse();
        format!("/{}", segments.join("/"))
    };
    let mut schemes: Vec<(String, Node)> = Vec::new();
    let mut names: Vec<(String, String)> = Vec::new();
    for (logical_id, r) in of_api("AWS::ApiGateway::Authorizer") {
        let p = props(r);
        let name = text(p.get("Name")).unwrap_or(logical_id).to_owned();
        names.push((logical_id.clone(), name.clone()));
        let kind = text(p.get("Type")).unwrap_or("TOKEN").to_ascii_lowercase();
        let mut authorizer = vec![("type".to_owned(), Node::Str(kind.clone()))];
        for (from, to) in [
            ("AuthorizerUri", "authorizerUri"),
            ("IdentitySource", "identitySource"),
            (
                "IdentityValidationExpression",
                "identityValidationExpression",
            ),
            (
                "AuthorizerResultTtlInSeconds",
                "authorizerResultTtlInSeconds",
            ),
            ("ProviderARNs", "providerARNs"),
        ] {
            if let Some(value) = p.get(from) {
                authorizer.push((to.to_owned(), value.clone()));
            }
        }
        let header = text(p.get("IdentitySource"))
            .and_then(|s| s.strip_prefix("method.request.header."))
            .unwrap_or("Authorization")
            .to_owned();
        let authtype = if kind == "cognito_user_pools" {
            "cognito_user_pools"
        } else {
            "custom"
        };
        schemes.push((
            name,
            super::auth::api_key_scheme(&header, authtype, authorizer),
        ));
    }
    let mut paths: Vec<(String, Node)> = Vec::new();
    let mut needs_key = false;
    let mut needs_iam = false;
    for (logical_id, r) in of_api("AWS::ApiGateway::Method") {
        let p = props(r);
        let at = format!("Resources.{logical_id}.Properties");
        let resource = text(p.get("ResourceId")).unwrap_or_default();
        // The root resource's id (`!GetAtt Api.RootResourceId`) has no Resource of its own.
        let path = if parts.iter().any(|(id, _, _)| id == resource) {
            path_of(resource)
        } else {
            "/".to_owned()
        };
        let method = text(p.get("HttpMethod"))
            .unwrap_or("ANY")
            .to_ascii_lowercase();
        let key = if method == "any" {
            "x-amazon-apigateway-any-method".to_owned()
        } else {
            method
        };
        let mut operation: Vec<(String, Node)> = Vec::new();
        if let Some(integration) = p.get("Integration") {
            operation.push((
                "x-amazon-apigateway-integration".to_owned(),
                integration_of(integration),
            ));
        }
        let mut responses = Vec::new();
        for response in p
            .get("MethodResponses")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let code = match response.get("StatusCode") {
                Some(Node::Int(i)) => i.to_string(),
                Some(Node::Str(s)) => s.clone(),
                _ => continue,
            };
            let headers: Vec<(String, Node)> = response
                .get("ResponseParameters")
                .and_then(Node::as_map)
                .unwrap_or_default()
                .iter()
                .filter_map(|(k, _)| k.strip_prefix("method.response.header."))
                .map(|h| {
                    (
                        h.to_owned(),
                        Node::Map(vec![("type".to_owned(), Node::Str("string".to_owned()))]),
                    )
                })
                .collect();
            responses.push((
                code,
                Node::Map(vec![
                    ("description".to_owned(), Node::Str("response".to_owned())),
                    ("headers".to_owned(), Node::Map(headers)),
                ]),
            ));
        }
        operation.push(("responses".to_owned(), Node::Map(responses)));
        let parameters: Vec<Node> = p
            .get("RequestParameters")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, required)| {
                let rest = k.strip_prefix("method.request.")?;
                let (place, name) = rest.split_once('.')?;
                let place = match place {
                    "querystring" => "query",
                    "header" => "header",
                    "path" => "path",
                    _ => return None,
                };
                Some(Node::Map(vec![
                    ("name".to_owned(), Node::Str(name.to_owned())),
                    ("in".to_owned(), Node::Str(place.to_owned())),
                    (
                        "required".to_owned(),
                        Node::Bool(place == "path" || matches!(required, Node::Bool(true))),
                    ),
                    ("type".to_owned(), Node::Str("string".to_owned())),
                ]))
            })
            .collect();
        if !parameters.is_empty() {
            operation.push(("parameters".to_owned(), Node::Seq(parameters)));
        }
        validation.method(&p, &mut operation, &at, file, problems);
        if let Some(name) = p.get("OperationName") {
            operation.push(("operationId".to_owned(), name.clone()));
        }
        note_unused(
            file,
            &at,
            &p,
            &[
                "RestApiId",
                "ResourceId",
                "HttpMethod",
                "Integration",
                "MethodResponses",
                "RequestParameters",
                "AuthorizationType",
                "AuthorizerId",
                "AuthorizationScopes",
                "ApiKeyRequired",
                "RequestValidatorId",
                "RequestModels",
                "OperationName",
            ],
            problems,
        );
        let mut security = Vec::new();
        let kinds = ["CUSTOM", "COGNITO_USER_POOLS"];
        let authorizer_type = "AWS::ApiGateway::Authorizer";
        if let Some(requirement) =
            requirement(&p, &names, &kinds, authorizer_type, &at, file, problems)
        {
            needs_iam |= text(p.get("AuthorizationType")) == Some("AWS_IAM");
            security.push(requirement);
        }
        if matches!(p.get("ApiKeyRequired"), Some(Node::Bool(true))) {
            needs_key = true;
            security.push(Node::Map(vec![(
                "api_key".to_owned(),
                Node::Seq(Vec::new()),
            )]));
        }
        if !security.is_empty() {
            operation.push(("security".to_owned(), Node::Seq(security)));
        }
        if !paths.iter().any(|(k, _)| *k == path) {
            paths.push((path.clone(), Node::Map(Vec::new())));
        }
        if let Some((_, Node::Map(methods))) = paths.iter_mut().find(|(k, _)| *k == path) {
            methods.push((key, Node::Map(operation)));
        }
    }
    if needs_key {
        schemes.push(("api_key".to_owned(), super::auth::api_key_definition()));
    }
    if needs_iam {
        schemes.push(("AWS_IAM".to_owned(), super::auth::iam_scheme()));
    }
    let mut doc = vec![
        ("swagger".to_owned(), Node::Str("2.0".to_owned())),
        (
            "info".to_owned(),
            Node::Map(vec![
                ("title".to_owned(), Node::Str(id.to_owned())),
                ("version".to_owned(), Node::Str("1.0".to_owned())),
            ]),
        ),
        ("paths".to_owned(), Node::Map(paths)),
    ];
    if !schemes.is_empty() {
        doc.push(("securityDefinitions".to_owned(), Node::Map(schemes)));
    }
    Node::Map(doc)
}

/// An OpenAPI document for HTTP API `id` from its `Route`, `Integration`
/// and `Authorizer` resources, or from its quick-create `Target` (and
/// `RouteKey`, `$default` unless given).
fn built_http(
    id: &str,
    api: &Node,
    resources: &[(String, Node)],
    file: &Path,
    problems: &mut Problems,
) -> Node {
    let of_api = |wanted| of_api(resources, wanted, "ApiId", id);
    let empty = Node::Map(Vec::new());
    let integration_of = |p: &Node| {
        let mut out = vec![(
            "type".to_owned(),
            Node::Str(
                text(p.get("IntegrationType"))
                    .unwrap_or("AWS_PROXY")
                    .to_ascii_lowercase(),
            ),
        )];
        for (from, to) in [
            ("IntegrationUri", "uri"),
            ("IntegrationMethod", "httpMethod"),
            ("PayloadFormatVersion", "payloadFormatVersion"),
            ("IntegrationSubtype", "integrationSubtype"),
            ("RequestParameters", "requestParameters"),
            ("ResponseParameters", "responseParameters"),
            ("TimeoutInMillis", "timeoutInMillis"),
            ("CredentialsArn", "credentials"),
            ("ConnectionType", "connectionType"),
            ("ConnectionId", "connectionId"),
        ] {
            if let Some(value) = p.get(from) {
                out.push((to.to_owned(), value.clone()));
            }
        }
        if !out.iter().any(|(k, _)| k == "payloadFormatVersion") {
            out.push((
                "payloadFormatVersion".to_owned(),
                Node::Str("2.0".to_owned()),
            ));
        }
        if !out.iter().any(|(k, _)| k == "httpMethod") {
            out.push(("httpMethod".to_owned(), Node::Str("POST".to_owned())));
        }
        Node::Map(out)
    };
    let mut needs_iam = false;
    let mut schemes: Vec<(String, Node)> = Vec::new();
    let mut names: Vec<(String, String)> = Vec::new();
    for (logical_id, r) in of_api("AWS::ApiGatewayV2::Authorizer") {
        let p = r.get("Properties").unwrap_or(&empty);
        let name = text(p.get("Name")).unwrap_or(logical_id).to_owned();
        names.push((logical_id.clone(), name.clone()));
        let kind = text(p.get("AuthorizerType"))
            .unwrap_or("JWT")
            .to_ascii_lowercase();
        let mut authorizer = vec![("type".to_owned(), Node::Str(kind.clone()))];
        if let Some(jwt) = p.get("JwtConfiguration") {
            let mut configuration = Vec::new();
            if let Some(issuer) = jwt.get("Issuer") {
                configuration.push(("issuer".to_owned(), issuer.clone()));
            }
            if let Some(audience) = jwt.get("Audience") {
                configuration.push(("audience".to_owned(), audience.clone()));
            }
            authorizer.push(("jwtConfiguration".to_owned(), Node::Map(configuration)));
        }
        for (from, to) in [
            ("IdentitySource", "identitySource"),
            ("AuthorizerUri", "authorizerUri"),
            (
                "AuthorizerPayloadFormatVersion",
                "authorizerPayloadFormatVersion",
            ),
            ("EnableSimpleResponses", "enableSimpleResponses"),
            (
                "AuthorizerResultTtlInSeconds",
                "authorizerResultTtlInSeconds",
            ),
        ] {
            if let Some(value) = p.get(from) {
                authorizer.push((to.to_owned(), value.clone()));
            }
        }
        let scheme = if kind == "jwt" {
            Node::Map(vec![
                ("type".to_owned(), Node::Str("oauth2".to_owned())),
                (
                    "x-amazon-apigateway-authorizer".to_owned(),
                    Node::Map(authorizer),
                ),
            ])
        } else {
            super::auth::api_key_scheme("Authorization", "custom", authorizer)
        };
        schemes.push((name, scheme));
    }
    let integrations: Vec<(&String, &Node)> = of_api("AWS::ApiGatewayV2::Integration")
        .map(|(id, r)| (id, r.get("Properties").unwrap_or(&empty)))
        .collect();
    let mut paths: Vec<(String, Node)> = Vec::new();
    let mut add = |route_key: &str, operation: Node| {
        let (method, path) = match route_key.split_once(' ') {
            Some((method, path)) => (method.to_ascii_lowercase(), path.to_owned()),
            None => ("any".to_owned(), route_key.to_owned()),
        };
        let method = if method == "any" {
            "x-amazon-apigateway-any-method".to_owned()
        } else {
            method
        };
        if !paths.iter().any(|(k, _)| *k == path) {
            paths.push((path.clone(), Node::Map(Vec::new())));
        }
        if let Some((_, Node::Map(methods))) = paths.iter_mut().find(|(k, _)| *k == path) {
            methods.push((method, operation));
        }
    };
    if let Some(target) = text(api.get("Target")) {
        let route_key = text(api.get("RouteKey")).unwrap_or("$default");
        let integration = Node::Map(vec![
            ("type".to_owned(), Node::Str("aws_proxy".to_owned())),
            ("httpMethod".to_owned(), Node::Str("POST".to_owned())),
            ("uri".to_owned(), Node::Str(target.to_owned())),
            (
                "payloadFormatVersion".to_owned(),
                Node::Str("2.0".to_owned()),
            ),
        ]);
        add(
            route_key,
            Node::Map(vec![(
                "x-amazon-apigateway-integration".to_owned(),
                integration,
            )]),
        );
    }
    for (logical_id, r) in of_api("AWS::ApiGatewayV2::Route") {
        let p = r.get("Properties").unwrap_or(&empty);
        let at = format!("Resources.{logical_id}.Properties");
        let Some(route_key) = text(p.get("RouteKey")) else {
            continue;
        };
        let mut operation = Vec::new();
        match text(p.get("Target")).and_then(|t| t.strip_prefix("integrations/")) {
            Some(target) => match integrations
                .iter()
                .find(|(id, _)| id.eq_ignore_ascii_case(target))
            {
                Some((_, integration)) => operation.push((
                    "x-amazon-apigateway-integration".to_owned(),
                    integration_of(integration),
                )),
                None => problems.at(
                    file,
                    child(&at, "Target"),
                    format!("`{target}` is no AWS::ApiGatewayV2::Integration of this API"),
                ),
            },
            None => problems.warn(
                file,
                &at,
                format!("route `{route_key}` has no integrations/ID Target: it answers 500"),
            ),
        }
        let authorizer_type = "AWS::ApiGatewayV2::Authorizer";
        if let Some(requirement) = requirement(
            p,
            &names,
            &["JWT", "CUSTOM"],
            authorizer_type,
            &at,
            file,
            problems,
        ) {
            needs_iam |= text(p.get("AuthorizationType")) == Some("AWS_IAM");
            operation.push(("security".to_owned(), Node::Seq(vec![requirement])));
        }
        add(route_key, Node::Map(operation));
    }
    if needs_iam {
        schemes.push(("AWS_IAM".to_owned(), super::auth::iam_scheme()));
    }
    let mut doc = vec![
        ("openapi".to_owned(), Node::Str("3.0.1".to_owned())),
        (
            "info".to_owned(),
            Node::Map(vec![
                ("title".to_owned(), Node::Str(id.to_owned())),
                ("version".to_owned(), Node::Str("1.0".to_owned())),
            ]),
        ),
        (
            "x-amazon-apigateway-importexport-version".to_owned(),
            Node::Str("1.0".to_owned()),
        ),
        ("paths".to_owned(), Node::Map(paths)),
    ];
    if !schemes.is_empty() {
        doc.push((
            "components".to_owned(),
            Node::Map(vec![("securitySchemes".to_owned(), Node::Map(schemes))]),
        ));
    }
    Node::Map(doc)
}

/// The security requirement a `Method`'s or `Route`'s `AuthorizationType`
/// makes: none for `NONE`, `AWS_IAM`, or the authorizer `AuthorizerId`
/// names (with its `AuthorizationScopes`) for one of `kinds`. `names` maps
/// the API's `authorizer_type` resources' logical ids to scheme names.
fn requirement(
    p: &Node,
    names: &[(String, String)],
    kinds: &[&str],
    authorizer_type: &str,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Option<Node> {
    let kind = text(p.get("AuthorizationType")).unwrap_or("NONE");
    if kind == "NONE" {
        return None;
    }
    if kind == "AWS_IAM" {
        return Some(Node::Map(vec![(
            "AWS_IAM".to_owned(),
            Node::Seq(Vec::new()),
        )]));
    }
    if !kinds.contains(&kind) {
        problems.at(
            file,
            child(at, "AuthorizationType"),
            format!("`{kind}` is not NONE, AWS_IAM, {}", kinds.join(" or ")),
        );
        return None;
    }
    let authorizer = text(p.get("AuthorizerId")).unwrap_or_default();
    let Some((_, name)) = names
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(authorizer))
    else {
        problems.at(
            file,
            child(at, "AuthorizerId"),
            format!("`{authorizer}` is no {authorizer_type} of this API"),
        );
        return None;
    };
    let scopes = p
        .get("AuthorizationScopes")
        .cloned()
        .unwrap_or(Node::Seq(Vec::new()));
    Some(Node::Map(vec![(name.clone(), scopes)]))
}

/// A `Method`'s `Integration` as `x-amazon-apigateway-integration`.
fn integration_of(integration: &Node) -> Node {
    let mut out = Vec::new();
    for (from, to) in [
        ("Type", "type"),
        ("IntegrationHttpMethod", "httpMethod"),
        ("Uri", "uri"),
        ("Credentials", "credentials"),
        ("RequestParameters", "requestParameters"),
        ("RequestTemplates", "requestTemplates"),
        ("PassthroughBehavior", "passthroughBehavior"),
        ("ContentHandling", "contentHandling"),
        ("TimeoutInMillis", "timeoutInMillis"),
        ("CacheKeyParameters", "cacheKeyParameters"),
        ("CacheNamespace", "cacheNamespace"),
        ("ConnectionType", "connectionType"),
        ("ConnectionId", "connectionId"),
    ] {
        if let Some(value) = integration.get(from) {
            let value = match (to, value) {
                ("type" | "passthroughBehavior", Node::Str(s)) => Node::Str(s.to_ascii_lowercase()),
                (_, v) => v.clone(),
            };
            out.push((to.to_owned(), value));
        }
    }
    let mut responses = Vec::new();
    for response in integration
        .get("IntegrationResponses")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let key = text(response.get("SelectionPattern"))
            .unwrap_or("default")
            .to_owned();
        let key = if key.is_empty() {
            "default".to_owned()
        } else {
            key
        };
        let mut fields = Vec::new();
        for (from, to) in [
            ("StatusCode", "statusCode"),
            ("ResponseParameters", "responseParameters"),
            ("ResponseTemplates", "responseTemplates"),
            ("ContentHandling", "contentHandling"),
        ] {
            if let Some(value) = response.get(from) {
                let value = match value {
                    Node::Int(i) => Node::Str(i.to_string()),
                    other => other.clone(),
                };
                fields.push((to.to_owned(), value));
            }
        }
        responses.push((key, Node::Map(fields)));
    }
    if !responses.is_empty() {
        out.push(("responses".to_owned(), Node::Map(responses)));
    }
    Node::Map(out)
}
