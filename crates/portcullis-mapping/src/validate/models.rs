//! An API's models, compiled once into draft 4 validators.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use jsonschema::{Draft, Registry, Retrieve, Uri};
use serde_json::{Value, json};

use super::{ValidationConfigError, messages, refs};

/// The models of one API (Swagger 2 `definitions`, OpenAPI 3 `components.schemas`), compiled.
///
/// AWS gives every REST API an `Empty` and an `Error` model; when the API does not define them,
/// they are added here with AWS's schemas, so a method may name them. Cloning is cheap.
#[derive(Clone)]
pub struct Models {
    compiled: Arc<IndexMap<String, Model>>,
}

/// One compiled model.
#[derive(Clone)]
pub(super) struct Model {
    validator: Arc<jsonschema::Validator>,
}

impl Models {
    /// Compiles every model, resolving `$ref`s only to these models.
    ///
    /// # Errors
    ///
    /// A name that is not alphanumeric, a schema that is not a draft 4 schema object, a `$ref`
    /// that leaves the API or names a missing model: each as a [`ValidationConfigError`] naming
    /// the model.
    pub fn compile(models: &IndexMap<String, Value>) -> Result<Self, ValidationConfigError> {
        let mut all = models.clone();
        for (name, schema) in builtin_models() {
            all.entry(name.to_owned()).or_insert(schema);
        }
        let mut rewritten = IndexMap::with_capacity(all.len());
        for (name, schema) in &all {
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(ValidationConfigError::InvalidModelName { name: name.clone() });
            }
            if !schema.is_object() {
                return Err(ValidationConfigError::ModelNotObject {
                    model: name.clone(),
                });
            }
            let mut schema = schema.clone();
            refs::strip_schema_keyword(&mut schema);
            refs::rewrite(name, &mut schema, &all)?;
            if let Err(error) = jsonschema::draft4::meta::validate(&schema) {
                return Err(invalid(name, &error));
            }
            rewritten.insert(name.clone(), schema);
        }

        let resources = rewritten.iter().map(|(name, schema)| {
            (
                refs::model_uri(name),
                Draft::Draft4.create_resource(schema.clone()),
            )
        });
        let registry = Registry::new()
            .draft(Draft::Draft4)
            .retriever(NeverFetch)
            .retrieve_known_draft_meta_schemas(false)
            .extend(resources)
            .and_then(|builder| builder.prepare())
            .map_err(|error| ValidationConfigError::InvalidSchema {
                // Found while indexing them all (a bad or repeated `id`): no single model to name.
                model: rewritten.keys().cloned().collect::<Vec<_>>().join(", "),
                message: error.to_string(),
            })?;

        let mut compiled = IndexMap::with_capacity(rewritten.len());
        for name in rewritten.keys() {
            let validator = jsonschema::draft4::options()
                .with_registry(&registry)
                .with_retriever(NeverFetch)
                .should_validate_formats(true)
                .build(&json!({ "$ref": refs::model_uri(name) }))
                .map_err(|error| invalid(name, &error))?;
            compiled.insert(
                name.clone(),
                Model {
                    validator: Arc::new(validator),
                },
            );
        }
        Ok(Models {
            compiled: Arc::new(compiled),
        })
    }

    /// Whether the API has a model named `name` (including the built-in `Empty` and `Error`).
    pub fn contains(&self, name: &str) -> bool {
        self.compiled.contains_key(name)
    }

    /// The model names, in configuration order, then `Empty` and `Error` if they were added.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.compiled.keys().map(String::as_str)
    }

    pub(super) fn get(&self, name: &str) -> Option<&Model> {
        self.compiled.get(name)
    }
}

impl fmt::Debug for Models {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Models")
            .field("names", &self.compiled.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Model {
    /// Validates a parsed body; on failure, AWS's `validationErrorString` (approximated).
    pub(super) fn check(&self, instance: &Value) -> Result<(), String> {
        if self.validator.is_valid(instance) {
            return Ok(());
        }
        Err(messages::describe(self.validator.iter_errors(instance)))
    }
}

impl fmt::Debug for Model {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Model")
    }
}

fn invalid(model: &str, error: &jsonschema::ValidationError<'_>) -> ValidationConfigError {
    ValidationConfigError::InvalidSchema {
        model: model.to_owned(),
        message: error.to_string(),
    }
}

/// The models AWS creates in every REST API, with AWS's schemas.
fn builtin_models() -> [(&'static str, Value); 2] {
    [
        (
            "Empty",
            json!({
                "$schema": "http://json-schema.org/draft-04/schema#",
                "title": "Empty Schema",
                "type": "object"
            }),
        ),
        (
            "Error",
            json!({
                "$schema": "http://json-schema.org/draft-04/schema#",
                "title": "Error Schema",
                "type": "object",
                "properties": {"message": {"type": "string"}}
            }),
        ),
    ]
}

/// The retriever for anything not in the registry: it refuses. (Every `$ref` is rewritten or
/// refused before compiling, so this is a second lock, not the first.)
struct NeverFetch;

impl Retrieve for NeverFetch {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("{uri} is not one of this API's models, and schemas are never fetched").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(name: &str, schema: Value) -> IndexMap<String, Value> {
        let mut m = IndexMap::new();
        m.insert(name.to_owned(), schema);
        m
    }

    #[test]
    fn builtin_models_are_added() {
        let models = Models::compile(&IndexMap::new()).unwrap();
        assert_eq!(models.names().collect::<Vec<_>>(), ["Empty", "Error"]);
        let empty = models.get("Empty").unwrap();
        assert!(empty.check(&json!({})).is_ok());
        assert!(empty.check(&json!([])).is_err());
    }

    #[test]
    fn a_defined_empty_model_wins() {
        let models = Models::compile(&one("Empty", json!({"type": "array"}))).unwrap();
        assert!(models.get("Empty").unwrap().check(&json!([])).is_ok());
    }

    #[test]
    fn names_must_be_alphanumeric() {
        for bad in ["", "Pet-Model", "Pet Model", "Pét"] {
            let err = Models::compile(&one(bad, json!({}))).unwrap_err();
            assert!(
                matches!(err, ValidationConfigError::InvalidModelName { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_schema_must_be_a_draft4_object() {
        let err = Models::compile(&one("A", json!(true))).unwrap_err();
        assert!(matches!(err, ValidationConfigError::ModelNotObject { .. }));
        let err = Models::compile(&one("A", json!({"type": "strin"}))).unwrap_err();
        assert!(
            matches!(err, ValidationConfigError::InvalidSchema { ref model, .. } if model == "A")
        );
    }

    #[test]
    fn declared_later_drafts_are_still_draft4() {
        // Draft 4: `exclusiveMinimum` is a boolean; a number here is not a draft 4 schema.
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "type": "number", "minimum": 1, "exclusiveMinimum": true
        });
        let models = Models::compile(&one("A", schema)).unwrap();
        assert!(models.get("A").unwrap().check(&json!(1)).is_err());
        assert!(models.get("A").unwrap().check(&json!(2)).is_ok());
    }

    #[test]
    fn formats_are_asserted() {
        let schema = json!({"properties": {
            "at": {"format": "date-time"}, "day": {"format": "date"}, "mail": {"format": "email"}
        }});
        let models = Models::compile(&one("A", schema)).unwrap();
        let model = models.get("A").unwrap();
        let good = json!({"at": "2017-03-06T23:49:36Z", "day": "2017-03-06", "mail": "a@b.io"});
        assert!(model.check(&good).is_ok());
        assert!(model.check(&json!({"at": "yesterday"})).is_err());
        assert!(model.check(&json!({"day": "06/03/2017"})).is_err());
        assert!(model.check(&json!({"mail": "nobody"})).is_err());
    }

    #[test]
    fn draft4_integers_have_no_fraction() {
        let models = Models::compile(&one("A", json!({"type": "integer"}))).unwrap();
        let model = models.get("A").unwrap();
        assert!(model.check(&json!(3)).is_ok());
        assert!(model.check(&json!(3.0)).is_err());
    }
}
