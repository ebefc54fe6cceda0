//! `$ref` rewriting: every reference in a model is pointed at the API's own models, or refused.
//!
//! AWS exports write a reference to another model in three ways: `#/definitions/Pet` (Swagger 2),
//! `#/components/schemas/Pet` (OpenAPI 3) and
//! `https://apigateway.amazonaws.com/restapis/{api_id}/models/Pet` (the API Gateway console and
//! REST API). All three become [`model_uri`]`("Pet")`, an internal URI under which the model is
//! registered, so `jsonschema` resolves it from memory. A reference into the model itself
//! (`#`, `#/properties/a`, or `#/definitions/Bin` when the model has its own `definitions.Bin`, as
//! a model created in the console may) stays as written. Anything else (an `http(s)` URL, a file,
//! a relative path) is a configuration error: nothing is ever fetched.

use indexmap::IndexMap;
use serde_json::Value;

use super::ValidationConfigError;
use super::model_ref::{ModelRef, classify_ref};

/// The scheme and prefix of the URIs the models are registered under.
const MODEL_URI_PREFIX: &str = "urn:portcullis:model:";

/// The internal URI a model named `name` is registered under.
pub(super) fn model_uri(name: &str) -> String {
    format!("{MODEL_URI_PREFIX}{name}")
}

/// Rewrites every `$ref` in `schema`, the model `model`, in place.
pub(super) fn rewrite(
    model: &str,
    schema: &mut Value,
    models: &IndexMap<String, Value>,
) -> Result<(), ValidationConfigError> {
    // The names under the model's own `definitions`: `#/definitions/X` means these first.
    let local: Vec<String> = schema
        .get("definitions")
        .and_then(Value::as_object)
        .map(|defs| defs.keys().cloned().collect())
        .unwrap_or_default();
    let ctx = Ctx {
        model,
        local: &local,
        models,
    };
    walk(&ctx, schema)
}

struct Ctx<'a> {
    model: &'a str,
    local: &'a [String],
    models: &'a IndexMap<String, Value>,
}

/// Visits `schema` and its subschemas, by the draft 4 keywords that hold subschemas.
fn walk(ctx: &Ctx<'_>, schema: &mut Value) -> Result<(), ValidationConfigError> {
    let Value::Object(map) = schema else {
        return Ok(());
    };
    if let Some(Value::String(reference)) = map.get_mut("$ref")
        && let Some(new) = resolve(ctx, reference)?
    {
        *reference = new;
    }
    for (key, value) in map.iter_mut() {
        match key.as_str() {
            "properties" | "patternProperties" | "definitions" => walk_map(ctx, value)?,
            "items" => match value {
                Value::Array(items) => walk_all(ctx, items)?,
                other => walk(ctx, other)?,
            },
            "additionalItems" | "additionalProperties" | "not" => walk(ctx, value)?,
            "allOf" | "anyOf" | "oneOf" => {
                if let Value::Array(items) = value {
                    walk_all(ctx, items)?;
                }
            }
            // Values are schemas, or arrays of property names (left alone by `walk`).
            "dependencies" => walk_map(ctx, value)?,
            _ => {}
        }
    }
    Ok(())
}

fn walk_map(ctx: &Ctx<'_>, value: &mut Value) -> Result<(), ValidationConfigError> {
    if let Value::Object(map) = value {
        map.values_mut().try_for_each(|v| walk(ctx, v))?;
    }
    Ok(())
}

fn walk_all(ctx: &Ctx<'_>, items: &mut [Value]) -> Result<(), ValidationConfigError> {
    items.iter_mut().try_for_each(|v| walk(ctx, v))
}

/// The new value of a `$ref`, `None` to keep it, or an error for a reference out of the API.
fn resolve(ctx: &Ctx<'_>, reference: &str) -> Result<Option<String>, ValidationConfigError> {
    match classify_ref(reference, |name| ctx.local.iter().any(|l| l == name)) {
        ModelRef::Internal => Ok(None),
        ModelRef::Model { name, pointer } => to_model(ctx, reference, &name, pointer).map(Some),
        ModelRef::Foreign => Err(ValidationConfigError::ForeignRef {
            model: ctx.model.to_owned(),
            reference: reference.to_owned(),
        }),
    }
}

/// `model_uri(name)` followed by the JSON pointer `tail` (without its leading `/`).
fn to_model(
    ctx: &Ctx<'_>,
    reference: &str,
    name: &str,
    tail: &str,
) -> Result<String, ValidationConfigError> {
    if !ctx.models.contains_key(name) {
        return Err(ValidationConfigError::UnknownRefModel {
            model: ctx.model.to_owned(),
            reference: reference.to_owned(),
            target: name.to_owned(),
        });
    }
    let mut uri = model_uri(name);
    if !tail.is_empty() {
        uri.push_str("#/");
        uri.push_str(tail);
    }
    Ok(uri)
}

/// Removes the root `$schema`: AWS validates every model as draft 4, whatever it declares.
pub(super) fn strip_schema_keyword(schema: &mut Value) {
    if let Value::Object(map) = schema {
        let _: Option<Value> = map.shift_remove("$schema");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn models() -> IndexMap<String, Value> {
        let mut m = IndexMap::new();
        m.insert("Pet".to_owned(), json!({"type": "object"}));
        m.insert("Bin".to_owned(), json!({"type": "object"}));
        m
    }

    fn rewritten(schema: Value) -> Result<Value, ValidationConfigError> {
        let mut schema = schema;
        rewrite("Test", &mut schema, &models())?;
        Ok(schema)
    }

    #[test]
    fn every_aws_form_points_at_the_model() {
        let out = rewritten(json!({
            "properties": {
                "a": {"$ref": "#/definitions/Pet"},
                "b": {"$ref": "#/components/schemas/Pet"},
                "c": {"$ref": "https://apigateway.amazonaws.com/restapis/abc123/models/Pet"},
                "d": {"items": [{"$ref": "#/definitions/Pet/properties/x"}]}
            }
        }))
        .unwrap();
        let p = &out["properties"];
        assert_eq!(p["a"]["$ref"], "urn:portcullis:model:Pet");
        assert_eq!(p["b"]["$ref"], "urn:portcullis:model:Pet");
        assert_eq!(p["c"]["$ref"], "urn:portcullis:model:Pet");
        assert_eq!(
            p["d"]["items"][0]["$ref"],
            "urn:portcullis:model:Pet#/properties/x"
        );
    }

    #[test]
    fn own_definitions_and_local_pointers_stay() {
        let out = rewritten(json!({
            "definitions": {"Bin": {"type": "string"}},
            "properties": {
                "a": {"$ref": "#/definitions/Bin"},
                "b": {"$ref": "#/properties/a"},
                "c": {"$ref": "#"}
            }
        }))
        .unwrap();
        assert_eq!(out["properties"]["a"]["$ref"], "#/definitions/Bin");
        assert_eq!(out["properties"]["b"]["$ref"], "#/properties/a");
        assert_eq!(out["properties"]["c"]["$ref"], "#");
    }

    #[test]
    fn data_that_looks_like_a_ref_is_left_alone() {
        let out = rewritten(json!({
            "enum": [{"$ref": "http://example.com/x"}],
            "default": {"$ref": "file:///etc/passwd"}
        }))
        .unwrap();
        assert_eq!(out["enum"][0]["$ref"], "http://example.com/x");
    }

    #[test]
    fn foreign_references_are_refused() {
        for r in [
            "http://example.com/pet.json",
            "https://example.com/schemas/pet",
            "file:///etc/passwd",
            "pet.json",
            "https://apigateway.amazonaws.com/restapis/x/resources/y",
            "https://apigateway.amazonaws.com/restapis/x/y/models/Pet",
        ] {
            let err = rewritten(json!({"properties": {"a": {"$ref": r}}})).unwrap_err();
            assert!(
                matches!(&err, ValidationConfigError::ForeignRef { reference, .. } if reference == r),
                "{r}: {err}"
            );
        }
    }

    #[test]
    fn unknown_model_is_named() {
        let err = rewritten(json!({"$ref": "#/definitions/Nope"})).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("Test") && text.contains("Nope"), "{text}");
    }
}
