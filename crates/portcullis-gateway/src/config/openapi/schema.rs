//! One model's schema: converted to JSON exactly as written, and its `$ref`s
//! checked the way request validation (portcullis-mapping) will resolve them,
//! so a reference it cannot follow is reported where it is written.
//!
//! A reference to a model the file does not define is what AWS's import calls
//! a minor issue: a warning, and the API deploys. The subschema holding it
//! then accepts any value.

use std::collections::HashSet;

use serde_json::Value;

use portcullis_mapping::validate::{ModelRef, classify_ref};

use super::context::{Ctx, Version};
use super::tree::Node;
use crate::config::problems::{child, item};

/// The model `node` (a mapping) as JSON, its `$ref`s checked.
pub(crate) fn model_json(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Value {
    let mut open = HashSet::new();
    check_refs(ctx, node, node, at, &mut open);
    to_json(ctx, node, at, &open)
}

/// The node as JSON, exactly: integers stay integers, mapping keys and
/// `$ref`s are kept as written; the subschemas at `open` (their `$ref`
/// names a missing model) become `{}`.
fn to_json(ctx: &mut Ctx<'_>, node: &Node, at: &str, open: &HashSet<String>) -> Value {
    if open.contains(at) {
        return Value::Object(serde_json::Map::new());
    }
    match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(*b),
        Node::Int(i) => {
            if let Ok(v) = i64::try_from(*i) {
                Value::from(v)
            } else if let Ok(v) = u64::try_from(*i) {
                Value::from(v)
            } else {
                ctx.problem(at, format!("the number {i} is too large for a JSON number"));
                Value::Null
            }
        }
        Node::Float(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
        Node::Str(s) => Value::String(s.clone()),
        Node::Seq(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| to_json(ctx, n, &item(at, i), open))
                .collect(),
        ),
        Node::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (key, value) in entries {
                map.insert(key.clone(), to_json(ctx, value, &child(at, key), open));
            }
            Value::Object(map)
        }
    }
}

/// Checks the `$ref` of `schema` and of its subschemas (by the draft 4
/// keywords that hold them, so `enum` or `example` data is left alone).
/// `model` is the model the schema belongs to. Subschemas whose `$ref` names
/// a missing model are added to `open`, with a warning.
fn check_refs(
    ctx: &mut Ctx<'_>,
    model: &Node,
    schema: &Node,
    at: &str,
    open: &mut HashSet<String>,
) {
    let Some(entries) = schema.as_map() else {
        return;
    };
    for (key, value) in entries {
        let key_at = child(at, key);
        match key.as_str() {
            "$ref" => {
                if let Node::Str(reference) = value {
                    match check_ref(ctx, model, reference) {
                        Ok(()) => {}
                        Err(RefError::MissingModel(message)) => {
                            ctx.warn(
                                &key_at,
                                format!(
                                    "{message}: AWS imports it with a warning; request validation \
                                     accepts any value here"
                                ),
                            );
                            open.insert(at.to_owned());
                        }
                        Err(RefError::Invalid(message)) => ctx.problem(&key_at, message),
                    }
                }
            }
            "properties" | "patternProperties" | "definitions" | "dependencies" => {
                for (name, sub) in value.as_map().unwrap_or_default() {
                    check_refs(ctx, model, sub, &child(&key_at, name), open);
                }
            }
            "items" | "allOf" | "anyOf" | "oneOf" if value.as_seq().is_some() => {
                for (i, sub) in value.as_seq().unwrap_or_default().iter().enumerate() {
                    check_refs(ctx, model, sub, &item(&key_at, i), open);
                }
            }
            "items" | "additionalItems" | "additionalProperties" | "not" => {
                check_refs(ctx, model, value, &key_at, open);
            }
            _ => {}
        }
    }
}

/// Whether request validation can follow `reference`, written in `model`: to a
/// model of this file or a place inside it, or to a place inside `model`
/// itself, classified by the rules request validation applies
/// ([`classify_ref`]). Nothing is fetched.
fn check_ref(ctx: &Ctx<'_>, model: &Node, reference: &str) -> Result<(), RefError> {
    let own_definition = |name: &str| model.get("definitions").and_then(|d| d.get(name)).is_some();
    match classify_ref(reference, own_definition) {
        // Inside the model itself (`#`, `#/properties/a`); `#anchor` is not a pointer.
        ModelRef::Internal => {
            let pointer = reference.trim_start_matches('#');
            if !pointer.starts_with('/') || model.pointer(reference).is_some() {
                Ok(())
            } else {
                Err(RefError::Invalid(format!(
                    "`{reference}` does not point inside this model, nor at a model"
                )))
            }
        }
        ModelRef::Model { name, pointer } => inside_model(ctx, reference, &name, pointer),
        ModelRef::Foreign => Err(RefError::Invalid(format!(
            "`{reference}` is not one of this API's models; a `$ref` in a model names a model (`#/definitions/NAME`, \
             `#/components/schemas/NAME`, https://apigateway.amazonaws.com/restapis/API_ID/models/NAME) or a place \
             inside the model itself, and nothing is fetched"
        ))),
    }
}

/// Why a `$ref` cannot be followed.
enum RefError {
    /// It names a model the file does not define (AWS: a warning).
    MissingModel(String),
    /// Anything else wrong with it.
    Invalid(String),
}

/// Whether model `name` exists and the JSON pointer `tail` (without its
/// leading `/`) points inside it.
fn inside_model(ctx: &Ctx<'_>, reference: &str, name: &str, tail: &str) -> Result<(), RefError> {
    let Some(target) = model_node(ctx.root, ctx.version, name) else {
        return Err(RefError::MissingModel(format!(
            "`{reference}` names model `{name}`, which this file does not define"
        )));
    };
    if tail.is_empty() || target.pointer(&format!("#/{tail}")).is_some() {
        Ok(())
    } else {
        Err(RefError::Invalid(format!(
            "`{reference}` does not point at anything inside model `{name}`"
        )))
    }
}

/// The section of the document that holds the models.
pub(crate) fn section_node(root: &Node, version: Version) -> Option<&Node> {
    match version {
        Version::Swagger2 => root.get("definitions"),
        Version::OpenApi3 => root.get("components").and_then(|c| c.get("schemas")),
    }
}

/// The declared model `name` (whatever its name's faults), as written.
pub(crate) fn model_node<'a>(root: &'a Node, version: Version, name: &str) -> Option<&'a Node> {
    section_node(root, version).and_then(|models| models.get(name))
}
