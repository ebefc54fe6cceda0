//! The APIs of a SAM template as OpenAPI documents: an explicit API's
//! `DefinitionBody` (or `DefinitionUri`), with the routes its functions'
//! events add; or, as SAM generates it, a document of those routes alone,
//! for explicit APIs without a body and for the implicit APIs SAM creates
//! (`ServerlessRestApi`, stage `Prod`; `ServerlessHttpApi`, stage `$default`).

use std::path::Path;

use crate::config::model::ApiType;
use crate::config::openapi::tree::{self, Node};
use crate::config::problems::{Problems, child};

use super::{note_unused, text};

/// SAM's implicit REST API and its stage.
pub(super) const IMPLICIT_REST: (&str, &str) = ("ServerlessRestApi", "Prod");
/// SAM's implicit HTTP API and its stage.
pub(super) const IMPLICIT_HTTP: (&str, &str) = ("ServerlessHttpApi", "$default");

/// One route a function's `Api` or `HttpApi` event adds.
#[derive(Debug, Clone)]
pub(super) struct Route {
    /// The API's logical id.
    pub(super) api: String,
    /// `Path` (`$default` for an HTTP API event without one).
    pub(super) path: String,
    /// `Method`, lower case (`any` for every method).
    pub(super) method: String,
    /// What the route calls.
    pub(super) target: Target,
    /// The event's `Auth`.
    pub(super) auth: Option<super::auth::RouteAuth>,
    /// `PayloadFormatVersion` (HTTP APIs; `2.0` unless given).
    pub(super) payload: Option<String>,
    /// `TimeoutInMillis` (HTTP APIs).
    pub(super) timeout: Option<i128>,
    /// `RequestModel` and `RequestParameters` (REST events).
    pub(super) request: Option<super::validation::EventRequest>,
    /// `RouteSettings` (HTTP events), and where they are written.
    pub(super) route_settings: Option<(Node, String)>,
    /// Where the event is written.
    pub(super) at: String,
}

/// What an event's route calls.
#[derive(Debug, Clone)]
pub(super) enum Target {
    /// A function, by ARN: a Lambda proxy integration.
    Function(String),
    /// A state machine: Step Functions' StartExecution with the request
    /// body as the input, as SAM writes it.
    StateMachine {
        /// Its ARN (what `Ref` gives).
        arn: String,
        /// The role SAM creates for the event.
        role: String,
        /// `UnescapeMappingTemplate`: single quotes put back in the input.
        unescape: bool,
    },
}

impl Target {
    /// The ARN's partition and region.
    fn place(&self) -> (&str, &str) {
        let arn = match self {
            Target::Function(arn) | Target::StateMachine { arn, .. } => arn,
        };
        (partition_of(arn), region_of(arn))
    }
}

/// An API of the template, as read.
#[derive(Debug)]
pub(super) struct SamApi {
    pub(super) logical_id: String,
    pub(super) api_type: ApiType,
    /// Its definition, when it has one of its own.
    pub(super) body: Option<Node>,
    /// Where the definition came from, for problems.
    pub(super) body_at: String,
    pub(super) stage: String,
    pub(super) variables: Vec<(String, String)>,
    pub(super) name: Option<String>,
    pub(super) binary_media_types: Vec<Node>,
    /// Whether events' routes are added to the API's own definition: for
    /// HTTP APIs always, for REST APIs only with `MergeDefinitions: true`
    /// (SAM leaves a REST `DefinitionBody` as written otherwise).
    pub(super) takes_event_routes: bool,
    /// `Auth`.
    pub(super) auth: Option<super::auth::ApiAuth>,
    /// `Cors` (REST) or `CorsConfiguration` (HTTP).
    pub(super) cors: Option<Cors>,
    /// `GatewayResponses` (REST), in the definition's form.
    pub(super) gateway_responses: Vec<(String, Node)>,
    /// Throttles, cache and access log of its stage.
    pub(super) stage_settings: super::stage::StageSettings,
    /// `Models` (REST), named in lower case.
    pub(super) models: Vec<(String, Node)>,
    /// `MinimumCompressionSize` (REST).
    pub(super) minimum_compression_size: Option<Node>,
    /// `OpenApiVersion` (REST).
    pub(super) open_api_version: Option<String>,
}

/// An API's CORS settings.
#[derive(Debug, Clone)]
pub(super) enum Cors {
    Rest(super::cors::RestCors),
    Http(Node),
}

/// Reads a REST API's (or `Globals`') `GatewayResponses`.
fn gateway_responses(
    api_type: ApiType,
    properties: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Vec<(String, Node)> {
    match (api_type, properties.get("GatewayResponses")) {
        (ApiType::Rest, Some(responses)) => {
            super::responses::sam(responses, &child(at, "GatewayResponses"), file, problems)
        }
        _ => Vec::new(),
    }
}

/// Reads `Cors` / `CorsConfiguration` from an API's (or `Globals`') properties.
fn cors(
    api_type: ApiType,
    properties: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Option<Cors> {
    match api_type {
        ApiType::Rest => properties
            .get("Cors")
            .and_then(|c| super::cors::rest(c, &child(at, "Cors"), file, problems).map(Cors::Rest)),
        ApiType::Http => properties.get("CorsConfiguration").and_then(|c| {
            super::cors::http(c, &child(at, "CorsConfiguration"), file, problems).map(Cors::Http)
        }),
    }
}

const REST_USED: &[&str] = &[
    "Auth",
    "Models",
    "MinimumCompressionSize",
    "Cors",
    "GatewayResponses",
    "StageName",
    "MergeDefinitions",
    "DefinitionBody",
    "DefinitionUri",
    "Variables",
    "Name",
    "BinaryMediaTypes",
    "OpenApiVersion",
    "Description",
    "Tags",
];

const HTTP_USED: &[&str] = &[
    "Auth",
    "CorsConfiguration",
    "StageName",
    "DefinitionBody",
    "DefinitionUri",
    "StageVariables",
    "Name",
    "Description",
    "Tags",
];

/// Reads an explicit `AWS::Serverless::Api` or `AWS::Serverless::HttpApi`.
pub(super) fn explicit(
    logical_id: &str,
    api_type: ApiType,
    properties: &Node,
    env: &super::auth::Env<'_>,
    dir: &Path,
    problems: &mut Problems,
) -> SamApi {
    let at = format!("Resources.{logical_id}.Properties");
    read(logical_id, api_type, properties, &at, env, dir, problems)
}

/// Reads an API's properties (written at `at`).
fn read(
    logical_id: &str,
    api_type: ApiType,
    properties: &Node,
    at: &str,
    env: &super::auth::Env<'_>,
    dir: &Path,
    problems: &mut Problems,
) -> SamApi {
    let file = env.file;
    let at = at.to_owned();
    let used: Vec<&str> = match api_type {
        ApiType::Rest => [REST_USED, super::stage::REST_STAGE_KEYS].concat(),
        ApiType::Http => [HTTP_USED, super::stage::HTTP_STAGE_KEYS].concat(),
    };
    note_unused(file, &at, properties, &used, problems);
    let auth = properties
        .get("Auth")
        .map(|auth| super::auth::api_auth(api_type, auth, &child(&at, "Auth"), env, problems));
    let (body, body_at) = match (
        properties.get("DefinitionBody"),
        properties.get("DefinitionUri"),
    ) {
        (Some(body), _) => (Some(body.clone()), child(&at, "DefinitionBody")),
        (None, Some(uri)) => (
            definition_uri(uri, file, dir, &child(&at, "DefinitionUri"), problems),
            child(&at, "DefinitionUri"),
        ),
        (None, None) => (None, String::new()),
    };
    let stage = match (text(properties.get("StageName")), api_type) {
        (Some(stage), _) => stage.to_owned(),
        (None, ApiType::Http) => IMPLICIT_HTTP.1.to_owned(),
        (None, ApiType::Rest) => {
            problems.at(file, &at, "an AWS::Serverless::Api needs a StageName");
            IMPLICIT_REST.1.to_owned()
        }
    };
    let variables_key = match api_type {
        ApiType::Rest => "Variables",
        ApiType::Http => "StageVariables",
    };
    let variables = properties
        .get(variables_key)
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| match v {
            Node::Str(s) => Some((k.clone(), s.clone())),
            Node::Int(i) => Some((k.clone(), i.to_string())),
            _ => {
                problems.at(
                    file,
                    child(&child(&at, variables_key), k),
                    format!("a stage variable is text, not {}", v.kind()),
                );
                None
            }
        })
        .collect();
    SamApi {
        logical_id: logical_id.to_owned(),
        api_type,
        body,
        body_at,
        stage,
        variables,
        name: text(properties.get("Name")).map(str::to_owned),
        binary_media_types: properties
            .get("BinaryMediaTypes")
            .and_then(Node::as_seq)
            .map(<[Node]>::to_vec)
            .unwrap_or_default(),
        takes_event_routes: api_type == ApiType::Http
            || matches!(properties.get("MergeDefinitions"), Some(Node::Bool(true))),
        auth,
        cors: cors(api_type, properties, &at, file, problems),
        gateway_responses: gateway_responses(api_type, properties, &at, file, problems),
        stage_settings: super::stage::read(api_type, properties, &at, file, problems),
        models: match api_type {
            ApiType::Rest => super::validation::sam_models(properties, &at, file, problems),
            ApiType::Http => Vec::new(),
        },
        open_api_version: text(properties.get("OpenApiVersion")).map(str::to_owned),
        minimum_compression_size: match api_type {
            ApiType::Rest => properties.get("MinimumCompressionSize").cloned(),
            ApiType::Http => None,
        },
    }
}

/// The implicit API SAM creates for events that name none: an API of
/// `Globals`' `Api` or `HttpApi` section (stage `Prod` for REST unless it
/// names one), read as an explicit one is, its problems located there.
pub(super) fn implicit(
    api_type: ApiType,
    globals: Option<&Node>,
    env: &super::auth::Env<'_>,
    dir: &Path,
    problems: &mut Problems,
) -> SamApi {
    let (logical_id, stage) = match api_type {
        ApiType::Rest => IMPLICIT_REST,
        ApiType::Http => IMPLICIT_HTTP,
    };
    let section = match api_type {
        ApiType::Rest => "Globals.Api",
        ApiType::Http => "Globals.HttpApi",
    };
    let defaults = Node::Map(vec![("StageName".to_owned(), Node::Str(stage.to_owned()))]);
    let properties = match globals {
        Some(globals) => super::globals::merged(&defaults, globals),
        None => defaults,
    };
    read(
        logical_id,
        api_type,
        &properties,
        section,
        env,
        dir,
        problems,
    )
}

/// A local `DefinitionUri`, read and parsed.
fn definition_uri(
    uri: &Node,
    file: &Path,
    dir: &Path,
    at: &str,
    problems: &mut Problems,
) -> Option<Node> {
    let Some(path) = text(Some(uri)).filter(|p| !p.starts_with("s3://")) else {
        problems.warn(
            file,
            at,
            "the definition is in S3, which Portcullis does not read: the API serves only the routes its functions' events add; give a local path (DefinitionUri: ./api.yaml) to serve it",
        );
        return None;
    };
    let path = dir.join(path);
    let body = match std::fs::read_to_string(&path) {
        Ok(body) => body,
        Err(error) => {
            problems.at(file, at, format!("cannot read {}: {error}", path.display()));
            return None;
        }
    };
    match tree::parse(&body) {
        Ok(node) => Some(node),
        Err(error) => {
            problems.at(
                &path,
                error.location,
                format!("not valid JSON or YAML: {}", error.message),
            );
            None
        }
    }
}

/// The API's OpenAPI document: its own definition, with the events' routes
/// added where it lacks them when SAM adds them (see
/// [`SamApi::takes_event_routes`]), or one generated from the routes alone.
pub(super) fn document(api: &SamApi, routes: &[&Route], title: &str) -> Node {
    let mut doc = match &api.body {
        Some(body) => body.clone(),
        None => generated(api, title),
    };
    if api.body.is_none() || api.takes_event_routes {
        for route in routes {
            add_route(&mut doc, api, route);
            if let Some(request) = &route.request {
                request.apply(&mut doc, &route.path, &route.method);
            }
        }
    }
    super::validation::add_models(&mut doc, &api.models);
    add_api_settings(&mut doc, api);
    doc
}

/// SAM's last step on a REST definition that is not Swagger 2: when it is
/// OpenAPI 3 (its `openapi`, or the API's `OpenApiVersion`, is `3.x` or
/// `3.x.y`), Swagger's `securityDefinitions` and `definitions` move into
/// `components`, where an OpenAPI 3 definition keeps them.
pub(super) fn openapi3_postprocess(doc: &mut Node, api: &SamApi) {
    if api.api_type != ApiType::Rest || doc.get("swagger").is_some() {
        return;
    }
    let version = api
        .open_api_version
        .clone()
        .or_else(|| text(doc.get("openapi")).map(str::to_owned));
    let is_3 = version.as_deref().is_some_and(|v| {
        let mut parts = v.split('.');
        parts.next() == Some("3")
            && parts.clone().count() <= 2
            && parts.clone().count() >= 1
            && parts.all(|p| p.len() == 1 && p.chars().all(|c| c.is_ascii_digit()))
    });
    let Node::Map(top) = doc else { return };
    if !is_3 {
        return;
    }
    for (from, to) in [
        ("securityDefinitions", "securitySchemes"),
        ("definitions", "schemas"),
    ] {
        let Some(index) = top.iter().position(|(k, _)| k == from) else {
            continue;
        };
        let (_, moved) = top.remove(index);
        if matches!(&moved, Node::Map(entries) if entries.is_empty()) {
            continue;
        }
        if let Some(components) = super::map_entry(top, "components") {
            components.retain(|(k, _)| k != to);
            components.push((to.to_owned(), moved));
        }
    }
}

fn generated(api: &SamApi, title: &str) -> Node {
    let title = Node::Str(api.name.clone().unwrap_or_else(|| title.to_owned()));
    let mut entries = match api.api_type {
        ApiType::Rest => vec![
            ("swagger".to_owned(), Node::Str("2.0".to_owned())),
            (
                "info".to_owned(),
                Node::Map(vec![
                    ("version".to_owned(), Node::Str("1.0".to_owned())),
                    ("title".to_owned(), title),
                ]),
            ),
        ],
        ApiType::Http => vec![
            ("openapi".to_owned(), Node::Str("3.0.1".to_owned())),
            (
                "info".to_owned(),
                Node::Map(vec![
                    ("version".to_owned(), Node::Str("1.0".to_owned())),
                    ("title".to_owned(), title),
                ]),
            ),
            (
                "x-amazon-apigateway-importexport-version".to_owned(),
                Node::Str("1.0".to_owned()),
            ),
        ],
    };
    entries.push(("paths".to_owned(), Node::Map(Vec::new())));
    Node::Map(entries)
}

/// The API resource's settings a definition also carries, added to
/// `doc` (its own or a generated one): `BinaryMediaTypes` and (REST)
/// `MinimumCompressionSize`.
fn add_api_settings(doc: &mut Node, api: &SamApi) {
    let Node::Map(top) = doc else { return };
    if !api.binary_media_types.is_empty()
        && let Some(types) = super::seq_entry(top, "x-amazon-apigateway-binary-media-types")
    {
        // The property escapes `/` as `~1` (a JSON pointer segment on
        // AWS's API resource); a definition lists media types as written.
        for kind in &api.binary_media_types {
            let kind = match kind {
                Node::Str(text) => Node::Str(text.replace("~1", "/")),
                other => other.clone(),
            };
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
    }
    if let Some(size) = &api.minimum_compression_size {
        const KEY: &str = "x-amazon-apigateway-minimum-compression-size";
        top.retain(|(k, _)| k != KEY);
        top.push((KEY.to_owned(), size.clone()));
    }
}

/// Adds `route`'s Lambda integration to `doc`'s paths, on the method the
/// definition already has if it has no integration yet; a method with an
/// integration is left as written, as SAM leaves it.
fn add_route(doc: &mut Node, api: &SamApi, route: &Route) {
    let api_type = api.api_type;
    let Node::Map(top) = doc else { return };
    let Some(methods) =
        super::map_entry(top, "paths").and_then(|paths| super::map_entry(paths, &route.path))
    else {
        return;
    };
    let key = if route.method == "any" {
        "x-amazon-apigateway-any-method".to_owned()
    } else {
        route.method.clone()
    };
    let existing = methods.iter().position(|(k, _)| *k == key);
    if let Some(i) = existing
        && methods[i]
            .1
            .get("x-amazon-apigateway-integration")
            .is_some()
    {
        return;
    }
    let (partition, region) = route.target.place();
    let mut integration = match &route.target {
        Target::Function(arn) => vec![
            ("type".to_owned(), Node::Str("aws_proxy".to_owned())),
            ("httpMethod".to_owned(), Node::Str("POST".to_owned())),
            (
                "uri".to_owned(),
                Node::Str(format!(
                    "arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
                )),
            ),
        ],
        Target::StateMachine { .. } if api_type == ApiType::Http => return,
        Target::StateMachine {
            arn,
            role,
            unescape,
        } => state_machine_integration(arn, role, *unescape, partition, region),
    };
    if api_type == ApiType::Http {
        integration.push((
            "payloadFormatVersion".to_owned(),
            Node::Str(route.payload.clone().unwrap_or_else(|| "2.0".to_owned())),
        ));
        if let Some(timeout) = route.timeout {
            integration.push(("timeoutInMillis".to_owned(), Node::Int(timeout)));
        }
    }
    if api_type == ApiType::Rest
        && matches!(route.target, Target::Function(_))
        && let Some(credentials) =
            super::auth::invoke_credentials(api.auth.as_ref(), route.auth.as_ref(), partition)
    {
        integration.push(("credentials".to_owned(), Node::Str(credentials)));
    }
    let integration = (
        "x-amazon-apigateway-integration".to_owned(),
        Node::Map(integration),
    );
    let index = existing.unwrap_or_else(|| {
        methods.push((key, Node::Map(Vec::new())));
        methods.len() - 1
    });
    let operation = &mut methods[index].1;
    let Node::Map(operation) = operation else {
        *operation = Node::Map(vec![integration]);
        return;
    };
    operation.push(integration);
    if api_type == ApiType::Rest && !operation.iter().any(|(k, _)| k == "responses") {
        let responses = match route.target {
            Target::Function(_) => Vec::new(),
            Target::StateMachine { .. } => ["200", "400"]
                .iter()
                .map(|code| {
                    let description = if *code == "200" { "OK" } else { "Bad Request" };
                    (
                        (*code).to_owned(),
                        Node::Map(vec![(
                            "description".to_owned(),
                            Node::Str(description.to_owned()),
                        )]),
                    )
                })
                .collect(),
        };
        operation.push(("responses".to_owned(), Node::Map(responses)));
    }
}

/// SAM's integration for a state machine's `Api` event: StartExecution
/// with the request body as the execution's input, Step Functions' 200
/// and 400 passed on, called as the role SAM creates for the event.
fn state_machine_integration(
    arn: &str,
    role: &str,
    unescape: bool,
    partition: &str,
    region: &str,
) -> Vec<(String, Node)> {
    let input = if unescape {
        r#"$util.escapeJavaScript($input.json('$')).replaceAll("\\'","'")"#
    } else {
        "$util.escapeJavaScript($input.json('$'))"
    };
    let template = format!(r#"{{"input": "{input}", "stateMachineArn": "{arn}"}}"#);
    let status = |code: &str| {
        (
            code.to_owned(),
            Node::Map(vec![("statusCode".to_owned(), Node::Str(code.to_owned()))]),
        )
    };
    vec![
        ("type".to_owned(), Node::Str("aws".to_owned())),
        ("httpMethod".to_owned(), Node::Str("POST".to_owned())),
        (
            "uri".to_owned(),
            Node::Str(format!(
                "arn:{partition}:apigateway:{region}:states:action/StartExecution"
            )),
        ),
        (
            "responses".to_owned(),
            Node::Map(vec![status("200"), status("400")]),
        ),
        ("credentials".to_owned(), Node::Str(role.to_owned())),
        (
            "requestTemplates".to_owned(),
            Node::Map(vec![("application/json".to_owned(), Node::Str(template))]),
        ),
    ]
}

/// `arn:PARTITION:lambda:REGION:...` → `PARTITION`.
fn partition_of(arn: &str) -> &str {
    arn.split(':').nth(1).unwrap_or("aws")
}

/// `arn:PARTITION:lambda:REGION:...` → `REGION`.
fn region_of(arn: &str) -> &str {
    arn.split(':').nth(3).unwrap_or("us-east-1")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(path: &str, method: &str) -> Route {
        Route {
            api: "ServerlessRestApi".to_owned(),
            path: path.to_owned(),
            method: method.to_owned(),
            target: Target::Function(
                "arn:aws:lambda:eu-west-1:123456789012:function:hello".to_owned(),
            ),
            auth: None,
            payload: None,
            timeout: None,
            request: None,
            route_settings: None,
            at: String::new(),
        }
    }

    #[test]
    fn generated_documents_hold_each_route_once() {
        let env = super::super::auth::Env {
            file: Path::new("t.yaml"),
            region: "eu-west-1",
            partition: "aws",
        };
        let mut problems = Problems::new();
        let api = implicit(ApiType::Rest, None, &env, Path::new("."), &mut problems);
        let (get, any, again) = (
            route("/hello", "get"),
            route("/{proxy+}", "any"),
            route("/hello", "get"),
        );
        let doc = document(&api, &[&get, &any, &again], "stack");
        let json = doc.to_json();
        assert_eq!(json["swagger"], "2.0");
        assert_eq!(
            json["paths"]["/hello"]["get"]["x-amazon-apigateway-integration"]["uri"],
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:hello/invocations"
        );
        assert!(json["paths"]["/{proxy+}"]["x-amazon-apigateway-any-method"].is_object());
        assert_eq!(json["paths"].as_object().unwrap().len(), 2);
        let http = implicit(ApiType::Http, None, &env, Path::new("."), &mut problems);
        let doc = document(&http, &[&route("$default", "any")], "stack").to_json();
        assert_eq!(doc["x-amazon-apigateway-importexport-version"], "1.0");
        assert_eq!(
            doc["paths"]["$default"]["x-amazon-apigateway-any-method"]["x-amazon-apigateway-integration"]
                ["payloadFormatVersion"],
            "2.0"
        );
    }
}
