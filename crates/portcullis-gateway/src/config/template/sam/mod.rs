//! SAM and CloudFormation templates as a gateway configuration: each
//! `AWS::Serverless::Function` a local function, each API (explicit or the
//! implicit one SAM creates for events that name none) an OpenAPI document
//! imported as any other, with its stage. What is read but not used is a
//! warning; what would decide who may call an API is an error until served.

mod apis;
mod auth;
mod cloudformation;
mod cors;
mod functions;
mod globals;
mod plans;
mod policy;
mod responses;
mod stage;
mod validation;

pub(crate) use plans::{Plans, add_flag_key};

use std::collections::BTreeMap;
use std::path::Path;

pub(crate) use functions::EnvVars;

use crate::config::model::{ApiType, FunctionConfig};
use crate::config::openapi::tree::Node;
use crate::config::problems::{Problems, child};

use super::resources;

/// What translating a template needs besides its resources.
pub(crate) struct Setup<'a> {
    /// The template, for problems.
    pub(crate) file: &'a Path,
    /// The template's directory: `CodeUri` and `DefinitionUri` are relative to it.
    pub(crate) dir: &'a Path,
    /// The stack's name (the title of generated definitions).
    pub(crate) stack_name: &'a str,
    /// The region, account and partition functions' ARNs are in.
    pub(crate) region: &'a str,
    pub(crate) account_id: &'a str,
    pub(crate) partition: &'a str,
    /// `--runtime-command RUNTIME=COMMAND`, in order.
    pub(crate) runtime_commands: &'a [(String, String)],
    /// `--env-vars`.
    pub(crate) env_vars: &'a EnvVars,
}

/// A translated template.
#[derive(Debug, Default)]
pub(crate) struct Translated {
    /// Each API's definition, type, stage and variables, ready to import.
    pub(crate) apis: Vec<ApiDefinition>,
    /// The functions, by the name their ARNs carry.
    pub(crate) functions: BTreeMap<String, FunctionConfig>,
    /// Usage plans and API keys.
    pub(crate) plans: Plans,
    /// The functions' code files (what `--watch` watches besides the template).
    pub(crate) code_files: Vec<std::path::PathBuf>,
}

/// An API to import.
#[derive(Debug)]
pub(crate) struct ApiDefinition {
    /// Its logical id, which is its id (what `Ref` gives).
    pub(crate) logical_id: String,
    pub(crate) api_type: ApiType,
    /// The OpenAPI document.
    pub(crate) document: Node,
    /// Where problems in the document are reported: the resource's
    /// `DefinitionBody`, or the generated definition.
    pub(crate) document_at: String,
    /// Its stages (none: served at `$default`, with a warning).
    pub(crate) stages: Vec<StageDefinition>,
}

/// A stage of an API.
#[derive(Debug)]
pub(crate) struct StageDefinition {
    pub(crate) name: String,
    pub(crate) variables: Vec<(String, String)>,
    /// Where the stage is defined.
    pub(crate) at: String,
    /// Its throttles, cache and access log.
    pub(crate) settings: stage::StageSettings,
}

/// Whether Portcullis reads resources of this type (the others are only
/// named by what it reads, or warned about as not run).
pub(crate) fn reads(kind: &str) -> bool {
    matches!(
        kind,
        "AWS::Serverless::Function"
            | "AWS::Serverless::Api"
            | "AWS::Serverless::HttpApi"
            | "AWS::Lambda::Function"
            | "AWS::ApiGateway::UsagePlan"
            | "AWS::ApiGateway::ApiKey"
            | "AWS::ApiGateway::UsagePlanKey"
            | "AWS::ApiGateway::RestApi"
            | "AWS::ApiGateway::Resource"
            | "AWS::ApiGateway::Method"
            | "AWS::ApiGateway::Authorizer"
            | "AWS::ApiGateway::Stage"
            | "AWS::ApiGateway::Deployment"
            | "AWS::ApiGateway::GatewayResponse"
            | "AWS::ApiGateway::Model"
            | "AWS::ApiGateway::RequestValidator"
            | "AWS::ApiGatewayV2::Api"
            | "AWS::ApiGatewayV2::Stage"
            | "AWS::ApiGatewayV2::Route"
            | "AWS::ApiGatewayV2::Integration"
            | "AWS::ApiGatewayV2::Authorizer"
    )
}

/// What a problem at `location` (`Resources.Id.Properties...` in `root`,
/// the template as written) is inside, when Portcullis does not use it: a
/// resource of a type it does not read, or a function's property or
/// event that running it locally does not need.
pub(crate) fn unused_at(root: &Node, location: &str) -> Option<String> {
    if let Some(rest) = location.strip_prefix("Globals.") {
        let mut segments = rest.split(['.', '[']);
        let section = segments.next()?;
        let property = segments.next()?;
        let used = match section {
            "Function" => runs_with(property),
            "Api" | "HttpApi" => !serves_nothing(property),
            _ => false,
        };
        return (!used).then(|| format!("Globals.{section}.{property}"));
    }
    let rest = location.strip_prefix("Resources.")?;
    let mut segments = rest.split(['.', '[']);
    let id = segments.next()?;
    let resource = root.get("Resources")?.get(id)?;
    let kind = resource.get("Type")?.as_str()?;
    if !reads(kind) {
        return Some(format!("{id}, a {kind}"));
    }
    if segments.next() != Some("Properties") {
        return None;
    }
    let property = segments.next()?;
    if serves_nothing(property) {
        return Some(format!("{id}'s {property}"));
    }
    if !matches!(kind, "AWS::Serverless::Function" | "AWS::Lambda::Function") {
        return None;
    }
    match property {
        property if runs_with(property) => None,
        "Events" => {
            let event = segments.next()?;
            let kind = resource
                .get("Properties")?
                .get("Events")?
                .get(event)?
                .get("Type")?
                .as_str()?;
            (!matches!(kind, "Api" | "HttpApi"))
                .then(|| format!("{id}'s {event} event, of type {kind}"))
        }
        other => Some(format!("{id}'s {other}")),
    }
}

/// What an API or stage has that serves nothing locally.
fn serves_nothing(property: &str) -> bool {
    matches!(
        property,
        "Tags"
            | "Description"
            | "Domain"
            | "EndpointConfiguration"
            | "CanarySetting"
            | "TracingEnabled"
            | "PropagateTags"
            | "FailOnWarnings"
            | "DisableExecuteApiEndpoint"
    )
}

/// The function properties running it locally needs.
fn runs_with(property: &str) -> bool {
    matches!(
        property,
        "FunctionName"
            | "CodeUri"
            | "Code"
            | "Handler"
            | "Runtime"
            | "Timeout"
            | "MemorySize"
            | "Environment"
            | "ReservedConcurrentExecutions"
    )
}

/// Translates a template's resolved resources (`Globals` not merged yet).
pub(crate) fn translate(
    resources: &[(String, Node)],
    globals: Option<&Node>,
    setup: &Setup<'_>,
    problems: &mut Problems,
) -> Translated {
    let mut out = Translated::default();
    let mut explicit = Vec::new();
    let mut functions = Vec::new();
    let mut unread = Vec::new();
    let mut state_machines = Vec::new();
    let env = auth::Env {
        file: setup.file,
        region: setup.region,
        partition: setup.partition,
    };
    for (logical_id, resource) in resources {
        let kind = text(resource.get("Type")).unwrap_or_default();
        let empty = Node::Map(Vec::new());
        let own = resource.get("Properties").unwrap_or(&empty);
        let properties = match (globals::section_of(kind), globals) {
            (Some(section), Some(globals)) => match globals.get(section) {
                Some(shared) => globals::merged(shared, own),
                None => own.clone(),
            },
            _ => own.clone(),
        };
        match kind {
            "AWS::Serverless::Function" => functions.push((logical_id.as_str(), properties)),
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
                let api_type = if kind == "AWS::Serverless::Api" {
                    ApiType::Rest
                } else {
                    ApiType::Http
                };
                explicit.push(apis::explicit(
                    logical_id,
                    api_type,
                    &properties,
                    &env,
                    setup.dir,
                    problems,
                ));
            }
            "AWS::Lambda::Function" => {
                if let Some(properties) =
                    cloudformation::lambda_function(logical_id, &properties, setup.file, problems)
                {
                    functions.push((logical_id.as_str(), properties));
                }
            }
            kind if reads(kind) => {}
            "AWS::Serverless::StateMachine" => {
                // Run by Step Functions (at the endpoint configured); its
                // Api events are routes of the gateway.
                unread.push(format!("{logical_id} ({kind})"));
                state_machines.push((logical_id.as_str(), properties));
            }
            _ => unread.push(format!("{logical_id} ({kind})")),
        }
    }
    if !unread.is_empty() {
        problems.warn(
            setup.file,
            "Resources",
            format!(
                "not run by Portcullis: {}; integrations that call them reach the AWS endpoints configured (aws.endpoints, AWS_ENDPOINT_URL_*), where they must exist",
                unread.join(", ")
            ),
        );
    }
    let function_setup = functions::Setup {
        file: setup.file,
        dir: setup.dir,
        runtime_commands: setup.runtime_commands,
        env_vars: setup.env_vars,
    };
    let mut routes = Vec::new();
    for (logical_id, properties) in &functions {
        let name = text(properties.get("FunctionName"))
            .unwrap_or(logical_id)
            .to_owned();
        let arn = format!(
            "arn:{}:lambda:{}:{}:function:{name}",
            setup.partition, setup.region, setup.account_id
        );
        events(
            logical_id,
            properties,
            &|_| apis::Target::Function(arn.clone()),
            setup.file,
            &mut routes,
            problems,
        );
        if let Some((name, config)) = functions::function(
            logical_id,
            properties,
            &function_setup,
            &mut out.code_files,
            problems,
        ) {
            out.functions.insert(name, config);
        }
    }
    let place = resources::Env {
        region: setup.region,
        account_id: setup.account_id,
        partition: setup.partition,
        url_suffix: if setup.partition == "aws-cn" {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        },
        stack_name: setup.stack_name,
    };
    for (logical_id, properties) in &state_machines {
        let arn = resources::reference(
            logical_id,
            "AWS::Serverless::StateMachine",
            properties,
            &place,
        );
        let Node::Str(arn) = arn else { continue };
        let target = |event: &(&str, &Node)| apis::Target::StateMachine {
            arn: arn.clone(),
            // SAM creates a role per event, named after both.
            role: format!(
                "arn:{}:iam::{}:role/{logical_id}{}Role",
                setup.partition, setup.account_id, event.0
            ),
            unescape: matches!(
                event
                    .1
                    .get("Properties")
                    .and_then(|p| p.get("UnescapeMappingTemplate")),
                Some(Node::Bool(true))
            ),
        };
        events(
            logical_id,
            properties,
            &target,
            setup.file,
            &mut routes,
            problems,
        );
    }
    for (api_type, globals_key) in [(ApiType::Rest, "Api"), (ApiType::Http, "HttpApi")] {
        let implicit_id = match api_type {
            ApiType::Rest => apis::IMPLICIT_REST.0,
            ApiType::Http => apis::IMPLICIT_HTTP.0,
        };
        if routes
            .iter()
            .any(|(t, r): &(ApiType, apis::Route)| *t == api_type && r.api == implicit_id)
        {
            explicit.push(apis::implicit(
                api_type,
                globals.and_then(|g| g.get(globals_key)),
                &env,
                setup.dir,
                problems,
            ));
        }
    }
    for (api_type, route) in &routes {
        // `Ref` gives an API's id, its logical id in lower case.
        match explicit
            .iter()
            .find(|a| a.logical_id.eq_ignore_ascii_case(&route.api))
        {
            Some(api) if api.api_type == *api_type => {}
            Some(_) => problems.at(
                setup.file,
                &route.at,
                format!("{} is not an API of this event's type", route.api),
            ),
            None => problems.at(
                setup.file,
                &route.at,
                format!(
                    "`{}` names no AWS::Serverless::{} of this template",
                    route.api,
                    if *api_type == ApiType::Rest {
                        "Api"
                    } else {
                        "HttpApi"
                    }
                ),
            ),
        }
    }
    plans::cloudformation(&mut out.plans, resources, setup.file, problems);
    out.apis.extend(cloudformation::apis(
        resources, setup.file, setup.dir, problems,
    ));
    for api in &explicit {
        if let Some((plan, at)) = api.auth.as_ref().and_then(|a| a.usage_plan.as_ref()) {
            plans::sam_plan(
                &mut out.plans,
                &api.logical_id,
                &api.stage,
                plan,
                at,
                setup.file,
                problems,
            );
        }
    }
    for api in &explicit {
        let mine: Vec<&apis::Route> = routes
            .iter()
            .filter(|(_, r)| r.api.eq_ignore_ascii_case(&api.logical_id))
            .map(|(_, r)| r)
            .collect();
        if api.body.is_some() && !api.takes_event_routes {
            for route in &mine {
                if route.auth.as_ref().is_some_and(|a| !a.override_api_auth) {
                    problems.warn(
                        setup.file,
                        child(&route.at, "Auth"),
                        format!(
                            "not applied to {}'s DefinitionBody, which keeps the API's Auth, as SAM applies an event's Auth there only with OverrideApiAuth: true",
                            api.logical_id
                        ),
                    );
                }
                problems.warn(
                    setup.file,
                    &route.at,
                    format!(
                        "{} {} is not added to {}'s DefinitionBody, as SAM adds events' routes to a REST API's own definition only with MergeDefinitions: true",
                        route.method.to_ascii_uppercase(),
                        route.path,
                        api.logical_id
                    ),
                );
            }
        }
        let iam_enabled = api
            .auth
            .as_ref()
            .is_some_and(|a| a.iam_enabled || a.has_authorizer("AWS_IAM"));
        for route in &mine {
            if api.api_type == ApiType::Http
                && !iam_enabled
                && route.auth.as_ref().and_then(|a| a.authorizer()) == Some("AWS_IAM")
            {
                problems.at(
                    setup.file,
                    child(&child(&route.at, "Auth"), "Authorizer"),
                    format!(
                        "AWS_IAM needs Auth.EnableIamAuthorizer: true on {}, as SAM requires",
                        api.logical_id
                    ),
                );
            }
            if let Some((model, at)) = route.request.as_ref().and_then(|r| r.model())
                && !api.models.iter().any(|(name, _)| name == model)
            {
                problems.at(
                    setup.file,
                    at,
                    format!("`{model}` is not one of {}'s Models", api.logical_id),
                );
            }
        }
        let document_at = if api.body.is_some() {
            api.body_at.clone()
        } else {
            format!(
                "Resources.{} (generated from its functions' events)",
                api.logical_id
            )
        };
        let mut document = apis::document(api, &mine, setup.stack_name);
        match &api.cors {
            Some(apis::Cors::Rest(cors)) => {
                let open = api.auth.as_ref().is_some_and(|a| !a.guards_preflight);
                cors::add_preflights(&mut document, cors, open);
            }
            Some(apis::Cors::Http(cors)) => cors::set_http(&mut document, cors.clone()),
            None => {}
        }
        responses::apply(&mut document, api.gateway_responses.clone());
        // An API's own DefinitionBody takes events' Auth only where they
        // say OverrideApiAuth, as SAM does: the API's defaults hold there.
        let takes_event_auth = |a: &&auth::RouteAuth| {
            api.body.is_none() || api.takes_event_routes || a.override_api_auth
        };
        let route_auth: Vec<(&str, &str, Option<&auth::RouteAuth>)> = mine
            .iter()
            .map(|r| {
                (
                    r.path.as_str(),
                    r.method.as_str(),
                    r.auth.as_ref().filter(takes_event_auth),
                )
            })
            .collect();
        if api.auth.is_some() || route_auth.iter().any(|(_, _, a)| a.is_some()) {
            auth::apply(
                &mut document,
                api.api_type,
                &api.auth.clone().unwrap_or_default(),
                &route_auth,
            );
        }
        add_resource_policies(&mut document, api, &route_auth);
        apis::openapi3_postprocess(&mut document, api);
        // An HttpApi event's RouteSettings join its stage's, for its route.
        let mut settings = api.stage_settings.clone();
        for route in &mine {
            if let Some((node, at)) = &route.route_settings {
                let key = if route.path == "$default" {
                    route.path.clone()
                } else {
                    format!("{} {}", route.method.to_ascii_uppercase(), route.path)
                };
                settings.add_route(key, node, at.clone(), setup.file, problems);
            }
        }
        out.apis.push(ApiDefinition {
            logical_id: api.logical_id.clone(),
            api_type: api.api_type,
            document,
            document_at,
            stages: vec![StageDefinition {
                name: api.stage.clone(),
                variables: api.variables.clone(),
                at: format!("Resources.{}.Properties", api.logical_id),
                settings,
            }],
        });
    }
    out
}

/// SAM's `ResourcePolicy`: events' own for their paths, then the API's
/// for every path, then the API's custom statements.
fn add_resource_policies(
    document: &mut Node,
    api: &apis::SamApi,
    routes: &[(&str, &str, Option<&auth::RouteAuth>)],
) {
    for (path, _, auth) in routes {
        if let Some(policy) = auth.and_then(|a| a.resource_policy.as_ref()) {
            policy::add_for_path(document, policy, path, &api.stage);
            policy::add_custom(document, policy);
        }
    }
    let Some(policy) = api.auth.as_ref().and_then(|a| a.resource_policy.as_ref()) else {
        return;
    };
    let paths: Vec<String> = document
        .get("paths")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .map(|(path, _)| path.clone())
        .collect();
    for path in &paths {
        policy::add_for_path(document, policy, path, &api.stage);
    }
    policy::add_custom(document, policy);
}

/// The routes of a function's `Api` and `HttpApi` events; other events are
/// reported once as not triggered locally.
fn events(
    logical_id: &str,
    properties: &Node,
    target: &dyn Fn(&(&str, &Node)) -> apis::Target,
    file: &Path,
    routes: &mut Vec<(ApiType, apis::Route)>,
    problems: &mut Problems,
) {
    let at = format!("Resources.{logical_id}.Properties.Events");
    let mut other = Vec::new();
    for (name, event) in properties
        .get("Events")
        .and_then(Node::as_map)
        .unwrap_or_default()
    {
        let event_at = child(&at, name);
        let kind = text(event.get("Type")).unwrap_or_default();
        let empty = Node::Map(Vec::new());
        let props = event.get("Properties").unwrap_or(&empty);
        let props_at = child(&event_at, "Properties");
        let (api_type, api_key, implicit, used): (_, _, _, &[&str]) = match kind {
            "Api" => (
                ApiType::Rest,
                "RestApiId",
                apis::IMPLICIT_REST.0,
                &[
                    "Path",
                    "Method",
                    "RestApiId",
                    "Auth",
                    "RequestModel",
                    "RequestParameters",
                ],
            ),
            "HttpApi" => (
                ApiType::Http,
                "ApiId",
                apis::IMPLICIT_HTTP.0,
                &[
                    "Path",
                    "Method",
                    "ApiId",
                    "Auth",
                    "PayloadFormatVersion",
                    "TimeoutInMillis",
                    "RouteSettings",
                ],
            ),
            _ => {
                other.push(format!("{name} ({kind})"));
                continue;
            }
        };
        let route_target = target(&(name.as_str(), event));
        if kind == "HttpApi" && matches!(route_target, apis::Target::StateMachine { .. }) {
            other.push(format!("{name} ({kind})"));
            continue;
        }
        let used: Vec<&str> = match route_target {
            apis::Target::StateMachine { .. } => [used, &["UnescapeMappingTemplate"][..]].concat(),
            apis::Target::Function(_) => used.to_vec(),
        };
        note_unused(file, &props_at, props, &used, problems);
        let route_auth = props
            .get("Auth")
            .map(|a| auth::route_auth(a, &child(&props_at, "Auth"), file, problems));
        if api_type == ApiType::Http
            && route_auth
                .as_ref()
                .is_some_and(|a| a.resource_policy.is_some())
        {
            problems.at(
                file,
                child(&child(&props_at, "Auth"), "ResourcePolicy"),
                "HTTP APIs have no resource policies in API Gateway; serving this route without it would change who may call it",
            );
        }
        let path = text(props.get("Path"));
        let method = text(props.get("Method")).map(str::to_ascii_lowercase);
        let (path, method) = match (api_type, path, method) {
            (_, Some(path), Some(method)) => (path.to_owned(), method),
            (ApiType::Http, None, None) => ("$default".to_owned(), "any".to_owned()),
            _ => {
                problems.at(
                    file,
                    &props_at,
                    format!("an {kind} event needs a Path and a Method"),
                );
                continue;
            }
        };
        routes.push((
            api_type,
            apis::Route {
                api: text(props.get(api_key)).unwrap_or(implicit).to_owned(),
                path,
                method,
                target: route_target,
                auth: route_auth,
                payload: text(props.get("PayloadFormatVersion")).map(str::to_owned),
                timeout: match props.get("TimeoutInMillis") {
                    Some(Node::Int(ms)) => Some(*ms),
                    _ => None,
                },
                route_settings: props
                    .get("RouteSettings")
                    .map(|settings| (settings.clone(), child(&props_at, "RouteSettings"))),
                request: (api_type == ApiType::Rest
                    && (props.get("RequestModel").is_some()
                        || props.get("RequestParameters").is_some()))
                .then(|| validation::event_request(props, &props_at, file, problems)),
                at: props_at,
            },
        ));
    }
    if !other.is_empty() {
        problems.warn(
            file,
            &at,
            format!(
                "{logical_id}'s events {} are not triggered locally (only Api and HttpApi events are)",
                other.join(", ")
            ),
        );
    }
}

/// The map under `key` in a definition's `entries`, added empty when
/// absent or null (as SAM treats `components:` with nothing after it);
/// `None` when the definition holds something else there (the importer
/// reports that).
pub(super) fn map_entry<'e>(
    entries: &'e mut Vec<(String, Node)>,
    key: &str,
) -> Option<&'e mut Vec<(String, Node)>> {
    match &mut entry(entries, key, || Node::Map(Vec::new())).1 {
        Node::Map(map) => Some(map),
        _ => None,
    }
}

/// The list under `key`, as [`map_entry`] finds a map.
pub(super) fn seq_entry<'e>(
    entries: &'e mut Vec<(String, Node)>,
    key: &str,
) -> Option<&'e mut Vec<Node>> {
    match &mut entry(entries, key, || Node::Seq(Vec::new())).1 {
        Node::Seq(items) => Some(items),
        _ => None,
    }
}

fn entry<'e>(
    entries: &'e mut Vec<(String, Node)>,
    key: &str,
    empty: impl FnOnce() -> Node,
) -> &'e mut (String, Node) {
    match entries.iter().position(|(k, _)| k == key) {
        Some(index) => {
            let entry = &mut entries[index];
            if matches!(entry.1, Node::Null) {
                entry.1 = empty();
            }
            entry
        }
        None => {
            entries.push((key.to_owned(), empty()));
            let last = entries.len() - 1;
            &mut entries[last]
        }
    }
}

/// Adds each of `added` whose key `map` lacks: what a definition writes
/// itself wins over what a template adds.
pub(super) fn add_missing(map: &mut Vec<(String, Node)>, added: Vec<(String, Node)>) {
    for (key, value) in added {
        if !map.iter().any(|(k, _)| *k == key) {
            map.push((key, value));
        }
    }
}

/// Warns once for the keys of `properties` not in `used`: what a resource
/// sets that the translation does not use.
pub(super) fn note_unused(
    file: &Path,
    at: &str,
    properties: &Node,
    used: &[&str],
    problems: &mut Problems,
) {
    let unused: Vec<&str> = properties
        .as_map()
        .unwrap_or_default()
        .iter()
        .map(|(key, _)| key.as_str())
        .filter(|key| !used.contains(key))
        .collect();
    if !unused.is_empty() {
        problems.warn(
            file,
            at,
            format!(
                "not used by Portcullis (served as if absent): {}",
                unused.join(", ")
            ),
        );
    }
}

/// A string's text.
pub(super) fn text(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_str)
}

/// An integer, written as a number or as numeric text (`Timeout: "30"`).
pub(super) fn number(node: Option<&Node>) -> Option<i128> {
    match node? {
        Node::Int(i) => Some(*i),
        Node::Str(text) => text.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::template::intrinsics::{Inputs, resolve};
    use crate::config::template::yaml;

    const TEMPLATE: &str = r#"
Transform: AWS::Serverless-2016-10-31
Resources:
  Graph:
    Type: AWS::AppSync::GraphQLApi
    Properties: {Name: g}
  Source:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Graph.NoSuchAttribute
      Name: s
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.h
      FileSystemConfigs: [{Arn: !GetAtt Missing.Arn}]
      Environment: {Variables: {MODE: !Ref Mode}}
      Events:
        Queue: {Type: SQS, Properties: {Queue: !GetAtt Missing.Arn}}
        Web: {Type: Api, Properties: {Path: /, Method: get}}
Parameters:
  Mode: {Type: String, Default: fast}
"#;

    #[test]
    fn what_is_not_used_is_told_apart_from_what_is() {
        let root = yaml::parse(TEMPLATE).unwrap();
        let at = |location: &str| unused_at(&root, location);
        assert_eq!(
            at("Resources.Source.Properties.ApiId").as_deref(),
            Some("Source, a AWS::AppSync::DataSource")
        );
        assert_eq!(
            at("Resources.Fn.Properties.FileSystemConfigs[0].Arn").as_deref(),
            Some("Fn's FileSystemConfigs")
        );
        assert_eq!(
            at("Resources.Fn.Properties.Events.Queue.Properties.Queue").as_deref(),
            Some("Fn's Queue event, of type SQS")
        );
        assert_eq!(
            at("Resources.Fn.Properties.Events.Web.Properties.Path"),
            None
        );
        assert_eq!(
            at("Resources.Fn.Properties.Environment.Variables.MODE"),
            None
        );
        assert_eq!(at("Parameters.Mode"), None);
    }

    #[test]
    fn failures_in_unused_places_leave_the_resource_served_and_warn() {
        let root = yaml::parse(TEMPLATE).unwrap();
        let unused = |location: &str| unused_at(&root, location);
        let empty = BTreeMap::new();
        let inputs = Inputs {
            unused: Some(&unused),
            overrides: &empty,
            imports: &empty,
            region: "us-east-1",
            account_id: "123456789012",
            stack_name: "s",
            base_dir: Path::new("."),
        };
        let resolved = resolve(&root, &inputs).expect("only unused places fail");
        let function = &resolved
            .resources
            .iter()
            .find(|(id, _)| id == "Fn")
            .expect("the function is kept")
            .1;
        let properties = function.get("Properties").unwrap();
        assert!(
            properties
                .get("FileSystemConfigs")
                .is_some_and(|c| c.as_seq().is_some())
        );
        assert_eq!(
            properties
                .get("Environment")
                .unwrap()
                .get("Variables")
                .unwrap()
                .get("MODE"),
            Some(&Node::Str("fast".to_owned()))
        );
        assert!(properties.get("Events").unwrap().get("Web").is_some());
        let warned: Vec<&str> = resolved
            .warnings
            .iter()
            .map(|(at, _)| at.as_str())
            .collect();
        assert!(
            warned.contains(&"Resources.Source.Properties.ApiId"),
            "{warned:?}"
        );
        assert!(
            resolved
                .warnings
                .iter()
                .all(|(_, m)| m.contains("left out: Portcullis does not use")),
            "{:?}",
            resolved.warnings
        );
        // Without the hook, the same template is refused.
        let strict = Inputs {
            unused: None,
            ..inputs
        };
        assert!(resolve(&root, &strict).is_err());
    }
}
