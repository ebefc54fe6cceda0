//! One model's schema: converted to JSON exactly as written, and its `$ref`s
//! checked the way request validation (portcullis-mapping) will resolve them,
//! so a reference it cannot follow is reported where it is written.

use serde_json::Value;

use super::context::Ctx;
use super::models::model_node;
use super::tree::{Node, decode_pointer_token};
use crate::config::problems::{child, item};

/// How API Gateway names a model by URL: `{prefix}{api_id}/models/{name}`.
const AWS_MODEL_URL_PREFIX: &str = "https://apigateway.amazonaws.com/restapis/";

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
/// model of this file, or a place inside it (`#/components/schemas/Pet`,
/// `#/definitions/Pet/properties/id`, either form in either version, or
/// `https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet`), or to a
/// place inside `model` itself (`#/properties/a`, the model's own
/// `#/definitions/X`). Nothing is fetched.
fn check_ref(ctx: &Ctx<'_>, model: &Node, reference: &str) -> Result<(), String> {
    if let Some(pointer) = reference.strip_prefix('#') {
        let target = pointer
            .strip_prefix("/definitions/")
            .map(|rest| (rest, true))
            .or_else(|| {
                pointer
                    .strip_prefix("/components/schemas/")
                    .map(|rest| (rest, false))
            });
        let Some((rest, swagger_form)) = target else {
            // Inside the model itself (`#`, `#/properties/a`); `#anchor` is not a pointer.
            return if !pointer.starts_with('/') || model.pointer(reference).is_some() {
                Ok(())
            } else {
                Err(format!(
                    "`{reference}` does not point inside this model, nor at a model"
                ))
            };
        };
        let (name, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let name = decode_pointer_token(name);
        if swagger_form
            && model
                .get("definitions")
                .and_then(|d| d.get(&name))
                .is_some()
        {
            return Ok(());
        }
        return inside_model(ctx, reference, &name, tail);
    }
    if let Some(rest) = reference.strip_prefix(AWS_MODEL_URL_PREFIX) {
        let (path, fragment) = rest.split_once('#').unwrap_or((rest, ""));
        if let Some((_, name)) = path.split_once("/models/")
            && !name.contains('/')
        {
            return inside_model(ctx, reference, name, fragment.trim_start_matches('/'));
        }
    }
    Err(format!(
        "`{reference}` is not one of this API's models; a `$ref` in a model names a model (`#/definitions/NAME`, \
         `#/components/schemas/NAME`, https://apigateway.amazonaws.com/restapis/API_ID/models/NAME) or a place \
         inside the model itself, and nothing is fetched"
    ))
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
