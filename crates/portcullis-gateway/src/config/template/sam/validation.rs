//! Request models, parameters and validators from templates, written into
//! the definition as API Gateway exports them, so the gateway validates
//! requests as the deployed API would:
//! - CloudFormation: `AWS::ApiGateway::Model` and `RequestValidator`
//!   resources, and a `Method`'s `RequestModels` and `RequestValidatorId`;
//! - SAM: an `Api`'s `Models`, and an `Api` event's `RequestModel` and
//!   `RequestParameters`, as SAM's translator writes them.

use std::path::Path;

use crate::config::openapi::tree::{self, Node};
use crate::config::problems::{Problems, child, item};

use super::text;

const VALIDATORS: &str = "x-amazon-apigateway-request-validators";
const VALIDATOR: &str = "x-amazon-apigateway-request-validator";
const INTEGRATION: &str = "x-amazon-apigateway-integration";

/// The models and validators a CloudFormation REST API's resources define.
#[derive(Debug, Default)]
pub(super) struct CfnValidation {
    /// Models by name (what `Ref` gives), with their schemas.
    models: Vec<(String, Node)>,
    /// Validators: logical id (what `Ref` gives), name, and definition.
    validators: Vec<(String, String, Node)>,
}

/// Reads the `Model` and `RequestValidator` resources of REST API `id`.
pub(super) fn cloudformation(
    id: &str,
    resources: &[(String, Node)],
    file: &Path,
    problems: &mut Problems,
) -> CfnValidation {
    let of_api = |wanted| super::cloudformation::of_api(resources, wanted, "RestApiId", id);
    let empty = Node::Map(Vec::new());
    let mut out = CfnValidation::default();
    for (logical_id, resource) in of_api("AWS::ApiGateway::Model") {
        let p = resource.get("Properties").unwrap_or(&empty);
        let at = format!("Resources.{logical_id}.Properties");
        super::note_unused(
            file,
            &at,
            p,
            &["RestApiId", "Name", "ContentType", "Schema", "Description"],
            problems,
        );
        let name = text(p.get("Name")).unwrap_or(logical_id).to_owned();
        let schema = match p.get("Schema") {
            // CloudFormation takes the schema as an object or as JSON text.
            Some(Node::Str(json)) => match tree::parse(json) {
                Ok(schema) => schema,
                Err(error) => {
                    problems.at(
                        file,
                        child(&at, "Schema"),
                        format!("not a JSON schema: {}", error.message),
                    );
                    continue;
                }
            },
            Some(schema) => schema.clone(),
            None => Node::Map(Vec::new()),
        };
        out.models.push((name, schema));
    }
    for (logical_id, resource) in of_api("AWS::ApiGateway::RequestValidator") {
        let p = resource.get("Properties").unwrap_or(&empty);
        let at = format!("Resources.{logical_id}.Properties");
        super::note_unused(
            file,
            &at,
            p,
            &[
                "RestApiId",
                "Name",
                "ValidateRequestBody",
                "ValidateRequestParameters",
            ],
            problems,
        );
        let name = text(p.get("Name")).unwrap_or(logical_id).to_owned();
        let flag = |key: &str| Node::Bool(matches!(p.get(key), Some(Node::Bool(true))));
        out.validators.push((
            logical_id.clone(),
            name,
            Node::Map(vec![
                (
                    "validateRequestBody".to_owned(),
                    flag("ValidateRequestBody"),
                ),
                (
                    "validateRequestParameters".to_owned(),
                    flag("ValidateRequestParameters"),
                ),
            ]),
        ));
    }
    out
}

impl CfnValidation {
    /// A `Method`'s `RequestValidatorId` and `RequestModels` (at `at`) on
    /// its swagger `operation`.
    pub(super) fn method(
        &self,
        properties: &Node,
        operation: &mut Vec<(String, Node)>,
        at: &str,
        file: &Path,
        problems: &mut Problems,
    ) {
        if let Some(id) = text(properties.get("RequestValidatorId")) {
            match self
                .validators
                .iter()
                .find(|(logical_id, _, _)| logical_id.eq_ignore_ascii_case(id))
            {
                Some((_, name, _)) => {
                    operation.push((VALIDATOR.to_owned(), Node::Str(name.clone())));
                }
                None => problems.at(
                    file,
                    child(at, "RequestValidatorId"),
                    format!("`{id}` is no AWS::ApiGateway::RequestValidator of this API"),
                ),
            }
        }
        let models_at = child(at, "RequestModels");
        let models = properties
            .get("RequestModels")
            .and_then(Node::as_map)
            .unwrap_or_default();
        let mut chosen: Option<&str> = None;
        let mut types = Vec::new();
        for (content_type, model) in models {
            let Some(model) = model.as_str() else {
                problems.at(
                    file,
                    child(&models_at, content_type),
                    "a model's name (`!Ref Model`)",
                );
                continue;
            };
            if !self.models.iter().any(|(name, _)| name == model) && builtin(model).is_none() {
                problems.at(
                    file,
                    child(&models_at, content_type),
                    format!(
                        "`{model}` is no AWS::ApiGateway::Model of this API (nor Empty or Error)"
                    ),
                );
                continue;
            }
            match chosen {
                None => chosen = Some(model),
                Some(first) if first != model => {
                    problems.warn(
                        file,
                        child(&models_at, content_type),
                        format!("this method's content types name different models; Portcullis checks every one against `{first}`"),
                    );
                }
                Some(_) => {}
            }
            types.push(Node::Str(content_type.clone()));
        }
        if let Some(model) = chosen {
            add_parameter(operation, body_parameter(model, None));
            operation.push(("consumes".to_owned(), Node::Seq(types)));
        }
    }

    /// The models (with API Gateway's built-in `Empty` and `Error` when a
    /// method names them) and validators, on the API's swagger `document`.
    pub(super) fn apply(&self, document: &mut Node) {
        let mut models = self.models.clone();
        for name in ["Empty", "Error"] {
            if !models.iter().any(|(n, _)| n == name) && refers_to(document, name) {
                models.extend(builtin(name).map(|schema| (name.to_owned(), schema)));
            }
        }
        let Node::Map(top) = document else { return };
        if !models.is_empty()
            && let Some(definitions) = super::map_entry(top, "definitions")
        {
            super::add_missing(definitions, models);
        }
        if !self.validators.is_empty()
            && let Some(validators) = super::map_entry(top, VALIDATORS)
        {
            let defined = self.validators.iter();
            super::add_missing(
                validators,
                defined.map(|(_, n, d)| (n.clone(), d.clone())).collect(),
            );
        }
    }
}

/// Whether some operation's body parameter refers to model `name`.
fn refers_to(document: &Node, name: &str) -> bool {
    let reference = format!("#/definitions/{name}");
    document
        .get("paths")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .flat_map(|(_, item)| item.as_map().unwrap_or_default())
        .flat_map(|(_, operation)| {
            operation
                .get("parameters")
                .and_then(Node::as_seq)
                .unwrap_or_default()
        })
        .any(|p| {
            p.get("schema")
                .and_then(|s| s.get("$ref"))
                .and_then(Node::as_str)
                == Some(reference.as_str())
        })
}

/// API Gateway's models every REST API has.
fn builtin(name: &str) -> Option<Node> {
    let json = match name {
        "Empty" => {
            r#"{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Empty Schema", "type": "object"}"#
        }
        "Error" => {
            r#"{"$schema": "http://json-schema.org/draft-04/schema#", "title": "Error Schema", "type": "object", "properties": {"message": {"type": "string"}}}"#
        }
        _ => return None,
    };
    tree::parse(json).ok()
}

/// SAM's `Models` on an `AWS::Serverless::Api`: each schema under its name
/// in lower case, as SAM writes them.
pub(super) fn sam_models(
    properties: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> Vec<(String, Node)> {
    let Some(models) = properties.get("Models") else {
        return Vec::new();
    };
    let at = child(at, "Models");
    let Some(models) = models.as_map() else {
        problems.at(file, &at, "Models maps names to JSON schemas");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, schema) in models {
        if schema.get("type").is_none() {
            problems.at(
                file,
                child(&at, name),
                "a model's schema needs a `type`, as SAM requires",
            );
            continue;
        }
        out.push((name.to_ascii_lowercase(), schema.clone()));
    }
    out
}

/// An `Api` event's `RequestModel` and `RequestParameters`.
#[derive(Debug, Default, Clone)]
pub(super) struct EventRequest {
    /// `RequestModel`.
    model: Option<RequestModel>,
    /// `RequestParameters`: name (`method.request.header.X`), required, cached.
    parameters: Vec<(String, bool, bool)>,
    /// Where `RequestModel.Model` is written.
    model_at: String,
}

/// An event's `RequestModel`.
#[derive(Debug, Clone)]
struct RequestModel {
    /// `Model`, in lower case as SAM names models.
    name: String,
    /// `Required`.
    required: Option<bool>,
    /// `ValidateBody` and `ValidateParameters`, when either is set (the
    /// other is then false).
    validate: Option<(bool, bool)>,
}

/// Reads an `Api` event's `RequestModel` and `RequestParameters` (its
/// properties are at `at`).
pub(super) fn event_request(
    properties: &Node,
    at: &str,
    file: &Path,
    problems: &mut Problems,
) -> EventRequest {
    let mut out = EventRequest::default();
    if let Some(model) = properties.get("RequestModel") {
        let model_at = child(at, "RequestModel");
        out.model_at = child(&model_at, "Model");
        let flag = |key: &str, problems: &mut Problems| match model.get(key) {
            None => Ok(None),
            Some(Node::Bool(b)) => Ok(Some(*b)),
            Some(_) => {
                problems.at(
                    file,
                    child(&model_at, key),
                    format!("{key} is true or false"),
                );
                Err(())
            }
        };
        match (
            text(model.get("Model")),
            flag("Required", problems),
            flag("ValidateBody", problems),
            flag("ValidateParameters", problems),
        ) {
            (Some(name), Ok(required), Ok(body), Ok(params)) => {
                let validate = (body.is_some() || params.is_some())
                    .then(|| (body.unwrap_or(false), params.unwrap_or(false)));
                out.model = Some(RequestModel {
                    name: name.to_ascii_lowercase(),
                    required,
                    validate,
                });
            }
            (None, ..) => problems.at(file, &out.model_at, "RequestModel needs a Model"),
            _ => {}
        }
    }
    let list_at = child(at, "RequestParameters");
    for (i, parameter) in properties
        .get("RequestParameters")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let parameter_at = item(&list_at, i);
        let (name, settings) = match parameter {
            Node::Str(name) => (name.as_str(), None),
            Node::Map(entries) if entries.len() == 1 => {
                (entries[0].0.as_str(), Some(&entries[0].1))
            }
            _ => {
                problems.at(file, &parameter_at, "a parameter is `method.request.header.NAME` (or querystring, path), or that name mapped to {Required, Caching}");
                continue;
            }
        };
        let well_formed = ["querystring", "path", "header"].iter().any(|place| {
            name.strip_prefix("method.request.")
                .and_then(|rest| rest.strip_prefix(place))
                .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'))
        });
        if !well_formed {
            problems.at(
                file,
                &parameter_at,
                format!("`{name}` is not `method.request.(querystring|path|header).NAME`"),
            );
            continue;
        }
        let setting =
            |key: &str| matches!(settings.and_then(|s| s.get(key)), Some(Node::Bool(true)));
        out.parameters
            .push((name.to_owned(), setting("Required"), setting("Caching")));
    }
    out
}

impl EventRequest {
    /// The model this event names, and where, for checking it exists.
    pub(super) fn model(&self) -> Option<(&str, &str)> {
        self.model
            .as_ref()
            .map(|model| (model.name.as_str(), self.model_at.as_str()))
    }

    /// Writes the request onto `document`'s operation `path` `method`, as
    /// SAM's translator does.
    pub(super) fn apply(&self, document: &mut Node, path: &str, method: &str) {
        let openapi3 = document.get("openapi").is_some();
        let validator = self.model.as_ref().and_then(|m| m.validate);
        if let (Some((body, params)), Node::Map(top)) = (validator, &mut *document) {
            let name = validator_name(body, params);
            if let Some(validators) = super::map_entry(top, VALIDATORS) {
                let definition = Node::Map(vec![
                    ("validateRequestBody".to_owned(), Node::Bool(body)),
                    ("validateRequestParameters".to_owned(), Node::Bool(params)),
                ]);
                super::add_missing(validators, vec![(name.to_owned(), definition)]);
            }
        }
        let Some(operation) = operation_mut(document, path, method) else {
            return;
        };
        if let Some(RequestModel {
            name: model,
            required,
            ..
        }) = &self.model
        {
            if openapi3 {
                let mut body = vec![(
                    "content".to_owned(),
                    map1(
                        "application/json",
                        map1(
                            "schema",
                            map1("$ref", Node::Str(format!("#/components/schemas/{model}"))),
                        ),
                    ),
                )];
                if let Some(required) = required {
                    body.push(("required".to_owned(), Node::Bool(*required)));
                }
                operation.push(("requestBody".to_owned(), Node::Map(body)));
            } else {
                add_parameter(operation, body_parameter(model, *required));
            }
        }
        for (name, required, caching) in &self.parameters {
            let Some((place, short)) = name
                .strip_prefix("method.request.")
                .and_then(|rest| rest.split_once('.'))
            else {
                continue;
            };
            let place = if place == "querystring" {
                "query"
            } else {
                place
            };
            add_parameter(
                operation,
                Node::Map(vec![
                    ("in".to_owned(), Node::Str(place.to_owned())),
                    ("name".to_owned(), Node::Str(short.to_owned())),
                    ("required".to_owned(), Node::Bool(*required)),
                    ("type".to_owned(), Node::Str("string".to_owned())),
                ]),
            );
            if *caching
                && let Some((_, Node::Map(integration))) =
                    operation.iter_mut().find(|(k, _)| k == INTEGRATION)
                && let Some(keys) = super::seq_entry(integration, "cacheKeyParameters")
            {
                keys.push(Node::Str(name.clone()));
            }
        }
        if let Some((body, params)) = validator {
            let name = validator_name(body, params);
            operation.retain(|(k, _)| k != VALIDATOR);
            operation.push((VALIDATOR.to_owned(), Node::Str(name.to_owned())));
        }
    }
}

/// The validator SAM names for what it checks.
fn validator_name(body: bool, params: bool) -> &'static str {
    match (body, params) {
        (true, true) => "body-and-params",
        (true, false) => "body-only",
        (false, true) => "params-only",
        (false, false) => "no-validation",
    }
}

/// Adds SAM's `Models` to `document`: `definitions` (Swagger 2) or
/// `components.schemas` (OpenAPI 3).
pub(super) fn add_models(document: &mut Node, models: &[(String, Node)]) {
    if models.is_empty() {
        return;
    }
    let openapi3 = document.get("openapi").is_some();
    let Node::Map(top) = document else { return };
    let holder = if openapi3 {
        super::map_entry(top, "components").and_then(|c| super::map_entry(c, "schemas"))
    } else {
        super::map_entry(top, "definitions")
    };
    let Some(holder) = holder else { return };
    for (name, schema) in models {
        holder.retain(|(n, _)| n != name);
        holder.push((name.clone(), schema.clone()));
    }
}

/// A Swagger 2 body parameter naming model `name`.
fn body_parameter(name: &str, required: Option<bool>) -> Node {
    let mut entries = vec![
        ("in".to_owned(), Node::Str("body".to_owned())),
        ("name".to_owned(), Node::Str(name.to_owned())),
        (
            "schema".to_owned(),
            map1("$ref", Node::Str(format!("#/definitions/{name}"))),
        ),
    ];
    if let Some(required) = required {
        entries.push(("required".to_owned(), Node::Bool(required)));
    }
    Node::Map(entries)
}

/// Appends `parameter` to the operation's `parameters`.
fn add_parameter(operation: &mut Vec<(String, Node)>, parameter: Node) {
    if let Some(parameters) = super::seq_entry(operation, "parameters") {
        parameters.push(parameter);
    }
}

/// The operation `method` of `path` in `document`, as a mutable map.
fn operation_mut<'d>(
    document: &'d mut Node,
    path: &str,
    method: &str,
) -> Option<&'d mut Vec<(String, Node)>> {
    let Node::Map(top) = document else {
        return None;
    };
    let (_, Node::Map(paths)) = top.iter_mut().find(|(k, _)| k == "paths")? else {
        return None;
    };
    let (_, Node::Map(methods)) = paths.iter_mut().find(|(k, _)| k == path)? else {
        return None;
    };
    let key = if method == "any" {
        "x-amazon-apigateway-any-method"
    } else {
        method
    };
    match methods
        .iter_mut()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))?
    {
        (_, Node::Map(operation)) => Some(operation),
        _ => None,
    }
}

fn map1(key: &str, value: Node) -> Node {
    Node::Map(vec![(key.to_owned(), value)])
}
