//! One model's schema: converted to JSON exactly as written, and its `$ref`s
//! checked the way request validation (portcullis-mapping) will resolve them,
//! so a reference it cannot follow is reported where it is written.

use serde_json::Value;

use portcullis_mapping::validate::{ModelRef, classify_ref};

use super::context::{Ctx, Version};
use super::tree::Node;
use crate::config::problems::{child, item};

/// The model `node` (a mapping) as JSON, its `$ref`s checked.
pub(crate) fn model_json(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Value {
    check_refs(ctx, node, node, at);
    to_json(ctx, node, at)
}

/// The node as JSON, exactly: integers stay integers, mapping keys and
/// `$ref`s are kept as written.
fn to_json(ctx: &mut Ctx<'_>, node: &Node, at: &str) -> Value {
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
                .map(|(i, n)| to_json(ctx, n, &item(at, i)))
                .collect(),
        ),
        Node::Map(entries) => {
            let mut map = serde_json::Map::new();
            for (key, value) in entries {
                map.insert(key.clone(), to_json(ctx, value, &child(at, key)));
            }
            Value::Object(map)
        }
    }
}

/// Checks the `$ref` of `schema` and of its subschemas (by the draft 4
/// keywords that hold them, so `enum` or `example` data is left alone).
/// `model` is the model the schema belongs to.
fn check_refs(ctx: &mut Ctx<'_>, model: &Node, schema: &Node, at: &str) {
    let Some(entries) = schema.as_map() else {
        return;
    };
    for (key, value) in entries {
        let key_at = child(at, key);
        match key.as_str() {
            "$ref" => {
                if let Node::Str(reference) = value
                    && let Err(message) = check_ref(ctx, model, reference)
                {
                    ctx.problem(&key_at, message);
                }
            }
            "properties" | "patternProperties" | "definitions" | "dependencies" => {
                for (name, sub) in value.as_map().unwrap_or_default() {
                    check_refs(ctx, model, sub, &child(&key_at, name));
                }
            }
            "items" | "allOf" | "anyOf" | "oneOf" if value.as_seq().is_some() => {
                for (i, sub) in value.as_seq().unwrap_or_default().iter().enumerate() {
                    check_refs(ctx, model, sub, &item(&key_at, i));
                }
            }
            "items" | "additionalItems" | "additionalProperties" | "not" => {
                check_refs(ctx, model, value, &key_at);
            }
            _ => {}
        }
    }
}

/// Whether request validation can follow `reference`, written in `model`: to a
/// model of this file or a place inside it, or to a place inside `model`
/// itself, classified by the rules request validation applies
/// ([`classify_ref`]). Nothing is fetched.
fn check_ref(ctx: &Ctx<'_>, model: &Node, reference: &str) -> Result<(), String> {
    let own_definition = |name: &str| model.get("definitions").and_then(|d| d.get(name)).is_some();
    match classify_ref(reference, own_definition) {
        // Inside the model itself (`#`, `#/properties/a`); `#anchor` is not a pointer.
        ModelRef::Internal => {
            let pointer = reference.trim_start_matches('#');
            if !pointer.starts_with('/') || model.pointer(reference).is_some() {
                Ok(())
            } else {
                Err(format!(
                    "`{reference}` does not point inside this model, nor at a model"
                ))
            }
        }
        ModelRef::Model { name, pointer } => inside_model(ctx, reference, &name, pointer),
        ModelRef::Foreign => Err(format!(
            "`{reference}` is not one of this API's models; a `$ref` in a model names a model (`#/definitions/NAME`, \
             `#/components/schemas/NAME`, https://apigateway.amazonaws.com/restapis/API_ID/models/NAME) or a place \
             inside the model itself, and nothing is fetched"
        )),
    }
}

/// Whether model `name` exists and the JSON pointer `tail` (without its
/// leading `/`) points inside it.
fn inside_model(ctx: &Ctx<'_>, reference: &str, name: &str, tail: &str) -> Result<(), String> {
    let Some(target) = model_node(ctx.root, ctx.version, name) else {
        return Err(format!(
            "`{reference}` names model `{name}`, which this file does not define"
        ));
    };
    if tail.is_empty() || target.pointer(&format!("#/{tail}")).is_some() {
        Ok(())
    } else {
        Err(format!(
            "`{reference}` does not point at anything inside model `{name}`"
        ))
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
