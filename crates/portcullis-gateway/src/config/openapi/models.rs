//! Models and the request body models of operations.
//!
//! A REST API's models are the Swagger 2 `definitions` or OpenAPI 3
//! `components.schemas`, carried as JSON with their `$ref`s as written (and
//! checked, in `schema`). An
//! operation's request body models come from its OpenAPI 3 `requestBody`
//! (inline or `$ref: '#/components/requestBodies/X'`), or its Swagger 2
//! `in: body` parameter with the operation's (else the document's) `consumes`.
//! An inline body schema becomes a model of its own, named after the operation.
//! HTTP APIs ignore schemas and request bodies, as API Gateway does
//! (http-api-open-api).

use std::collections::BTreeMap;

use portcullis_mapping::validate::{ModelRef, classify_ref};
use serde_json::Value;

use super::context::{Ctx, Version};
use super::schema::{model_json, section_node};
use super::tree::Node;
use crate::config::problems::{child, item};

/// The models of an API, declared and made from inline schemas.
#[derive(Debug, Default)]
pub(crate) struct Models {
    /// Every model, by name.
    pub(crate) schemas: BTreeMap<String, Value>,
    /// The names given to inline schemas, by the schema's location, so a
    /// request body shared through `$ref` makes one model.
    inline: BTreeMap<String, String>,
}

/// The content type of a request body when the operation names none.
const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// Where the models are: their location, and the `$ref` prefix that names one.
fn section(version: Version) -> (&'static str, &'static str) {
    match version {
        Version::Swagger2 => ("definitions", "#/definitions/"),
        Version::OpenApi3 => ("components.schemas", "#/components/schemas/"),
    }
}

/// Whether `name` is an acceptable model name: "Model names can only contain
/// alphanumeric characters" (api-gateway-known-issues).
fn is_model_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// Reads the declared models (none for an HTTP API).
pub(crate) fn declared(ctx: &mut Ctx<'_>) -> Models {
    let mut models = Models::default();
    if ctx.is_http() {
        return models;
    }
    let root = ctx.root;
    let (location, _) = section(ctx.version);
    let Some(node) = section_node(root, ctx.version) else {
        return models;
    };
    for (name, schema) in ctx.map(node, location).unwrap_or_default() {
        let at = child(location, name);
        if !is_model_name(name) {
            ctx.problem(
                &at,
                format!(
                    "model name `{name}` is not alphanumeric; \"Model names can only contain alphanumeric \
                     characters\" (api-gateway-known-issues): rename it and its `$ref`s"
                ),
            );
            continue;
        }
        if ctx.map(schema, &at).is_some() {
            let value = model_json(ctx, schema, &at);
            models.schemas.insert(name.clone(), value);
        }
    }
    models
}

/// The base of the names of an operation's inline body models: its
/// `operationId`, else its method and path, as capitalised words
/// (`create-pet` → `CreatePet`; `POST /pets/{id}` → `PostPetsId`).
pub(crate) fn inline_name_base(operation_id: Option<&str>, method: &str, path: &str) -> String {
    let words = match operation_id {
        Some(id) if id.chars().any(|c| c.is_ascii_alphanumeric()) => id.to_owned(),
        _ => format!("{} {path}", method.to_ascii_lowercase()),
    };
    words
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

/// The request body models of the operation at `at`: content type → model
/// name. `body` is the Swagger 2 `in: body` parameter and its location;
/// `name_base` names inline schemas ([`inline_name_base`]).
pub(crate) fn request_models<'a>(
    ctx: &mut Ctx<'a>,
    models: &mut Models,
    operation: &'a Node,
    at: &str,
    body: Option<&(&'a Node, String)>,
    name_base: &str,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if ctx.is_http() {
        return out;
    }
    match ctx.version {
        Version::OpenApi3 => {
            let Some(body) = operation.get("requestBody") else {
                return out;
            };
            let Some((body, body_at)) = ctx.resolve(body, &child(at, "requestBody")) else {
                return out;
            };
            if ctx.map(body, &body_at).is_none() {
                return out;
            }
            let Some(content) = body.get("content") else {
                return out;
            };
            let content_at = child(&body_at, "content");
            for (media_type, entry) in ctx.map(content, &content_at).unwrap_or_default() {
                let entry_at = child(&content_at, media_type);
                if ctx.map(entry, &entry_at).is_none() {
                    continue;
                }
                if let Some(schema) = entry.get("schema")
                    && let Some(name) =
                        model_for(ctx, models, schema, &child(&entry_at, "schema"), name_base)
                {
                    out.insert(media_type.clone(), name);
                }
            }
        }
        Version::Swagger2 => {
            let Some((param, param_at)) = body else {
                return out;
            };
            let Some(schema) = param.get("schema") else {
                return out;
            };
            let Some(name) = model_for(ctx, models, schema, &child(param_at, "schema"), name_base)
            else {
                return out;
            };
            let mut types = match operation.get("consumes") {
                Some(list) => strings(ctx, list, &child(at, "consumes")),
                None => Vec::new(),
            };
            if types.is_empty()
                && let Some(list) = ctx.root.get("consumes")
            {
                types = strings(ctx, list, "consumes");
            }
            if types.is_empty() {
                types.push(DEFAULT_CONTENT_TYPE.to_owned());
            }
            for content_type in types {
                out.insert(content_type, name.clone());
            }
        }
    }
    out
}

/// The model a body `schema` names: the model of its `$ref`, or a new model
/// made from an inline schema.
fn model_for(
    ctx: &mut Ctx<'_>,
    models: &mut Models,
    schema: &Node,
    at: &str,
    name_base: &str,
) -> Option<String> {
    if let Some(reference) = schema.get("$ref") {
        let ref_at = child(at, "$ref");
        let reference = ctx.str(reference, &ref_at)?;
        return match referenced_model(ctx, reference) {
            Ok((name, true)) => Some(name),
            Ok((name, false)) => {
                let (_, prefix) = section(ctx.version);
                ctx.problem(
                    &ref_at,
                    format!("`{reference}` points inside model `{name}`; a request body names a whole model (`{prefix}NAME`)"),
                );
                None
            }
            Err(message) => {
                let missing = reference
                    .strip_prefix(section(ctx.version).1)
                    .is_some_and(|name| !name.is_empty() && !name.contains('/'));
                if missing {
                    ctx.warn(
                        &ref_at,
                        format!(
                            "`{reference}` names a model this file does not define: AWS imports it with a \
                             warning; the request body is not validated"
                        ),
                    );
                } else {
                    ctx.problem(&ref_at, message);
                }
                None
            }
        };
    }
    ctx.map(schema, at)?;
    if let Some(name) = models.inline.get(at) {
        return Some(name.clone());
    }
    let value = model_json(ctx, schema, at);
    let base = format!("{name_base}Body");
    let mut name = base.clone();
    let mut n = 1;
    while models.schemas.contains_key(&name) {
        n += 1;
        name = format!("{base}{n}");
    }
    models.schemas.insert(name.clone(), value);
    models.inline.insert(at.to_owned(), name.clone());
    Some(name)
}

/// The model a local `$ref` points at, and whether it names the whole model
/// (`#/components/schemas/Pet`) rather than a part (`.../Pet/properties/id`);
/// or why it points at no model.
fn referenced_model(ctx: &Ctx<'_>, reference: &str) -> Result<(String, bool), String> {
    let (_, prefix) = section(ctx.version);
    if !reference.starts_with('#') {
        return Err(format!(
            "`{reference}` points outside this file; only local references (#/...) are supported"
        ));
    }
    if ctx.root.pointer(reference).is_none() {
        return Err(format!(
            "`{reference}` does not point at anything in this file"
        ));
    }
    // Named by the shared rules, but only from this version's section: the
    // models are read from there.
    let in_section = reference
        .strip_prefix(prefix)
        .is_some_and(|rest| !rest.is_empty());
    match classify_ref(reference, |_| false) {
        ModelRef::Model { name, pointer } if in_section => {
            // `.../Pet/` points at Pet's `""` member: a part, not the model.
            let whole = pointer.is_empty() && !reference.ends_with('/');
            Ok((name.into_owned(), whole))
        }
        _ => Err(format!(
            "`{reference}` is not a model; schemas refer to models (`{prefix}NAME`) or to parts of them"
        )),
    }
}

/// A list of strings, as written.
fn strings(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, entry) in ctx.seq(node, at).unwrap_or_default().iter().enumerate() {
        if let Some(text) = ctx.str(entry, &item(at, i)) {
            out.push(text.to_owned());
        }
    }
    out
}
