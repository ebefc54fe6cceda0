//! A request validator, and one method's compiled validation.

use serde_json::{Map, Value};

use super::models::Model;
use super::{Models, Rejection, RequestView, ValidationConfigError};

/// One entry of `x-amazon-apigateway-request-validators`: what a method's validator checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Validator {
    /// `validateRequestBody`: the body against the method's model for its content type.
    pub body: bool,
    /// `validateRequestParameters`: the required path, query string and header parameters.
    pub parameters: bool,
}

impl Validator {
    /// Reads `{"validateRequestBody": true, "validateRequestParameters": false}`. A field left
    /// out is `false`, as in AWS's `CreateRequestValidator`; `"true"` and `"false"` as strings
    /// are accepted too, as that API takes them.
    ///
    /// # Errors
    ///
    /// A field that is neither a boolean nor such a string, or an entry that is not an object.
    pub fn from_extension(value: &Value) -> Result<Self, ValidationConfigError> {
        let Some(map) = value.as_object() else {
            return Err(ValidationConfigError::InvalidValidatorField {
                field: "x-amazon-apigateway-request-validators entry",
                value: value.to_string(),
            });
        };
        Ok(Validator {
            body: flag(map, "validateRequestBody")?,
            parameters: flag(map, "validateRequestParameters")?,
        })
    }
}

fn flag(map: &Map<String, Value>, field: &'static str) -> Result<bool, ValidationConfigError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
        Some(other) => Err(ValidationConfigError::InvalidValidatorField {
            field,
            value: other.to_string(),
        }),
    }
}

/// Where a required parameter is. The order is the order of AWS's "missing" message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParameterLocation {
    /// `method.request.header.NAME`, matched with case ignored.
    Header,
    /// `method.request.path.NAME`.
    Path,
    /// `method.request.querystring.NAME`.
    QueryString,
}

/// A parameter a method requires (`"method.request.querystring.q1": true`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequiredParameter {
    /// Where it is.
    pub location: ParameterLocation,
    /// Its name, as configured.
    pub name: String,
}

impl RequiredParameter {
    /// A required parameter.
    pub fn new(location: ParameterLocation, name: impl Into<String>) -> Self {
        RequiredParameter {
            location,
            name: name.into(),
        }
    }

    /// Reads a `requestParameters` key: `method.request.{path|querystring|header}.NAME`.
    ///
    /// # Errors
    ///
    /// Any other key, or an empty name.
    pub fn from_method_request_key(key: &str) -> Result<Self, ValidationConfigError> {
        let invalid = || ValidationConfigError::InvalidParameterKey {
            key: key.to_owned(),
        };
        let rest = key.strip_prefix("method.request.").ok_or_else(invalid)?;
        let (location, name) = rest.split_once('.').ok_or_else(invalid)?;
        let location = match location {
            "header" => ParameterLocation::Header,
            "path" => ParameterLocation::Path,
            "querystring" => ParameterLocation::QueryString,
            _ => return Err(invalid()),
        };
        if name.is_empty() {
            return Err(invalid());
        }
        Ok(RequiredParameter::new(location, name))
    }

    fn value<'r>(&self, request: &'r RequestView<'_>) -> Option<&'r str> {
        match self.location {
            ParameterLocation::Header => request.header(&self.name),
            ParameterLocation::Path => request.path_param(&self.name),
            ParameterLocation::QueryString => request.query_param(&self.name),
        }
    }
}

/// One method's validation, compiled when the configuration loads.
#[derive(Debug, Clone)]
pub struct MethodValidation {
    /// Sorted in AWS's order; empty when parameters are not validated.
    required: Vec<RequiredParameter>,
    /// `(media type, model name, model)`, keys lowercase; empty when the body is not validated.
    body_models: Vec<(String, String, Model)>,
}

impl MethodValidation {
    /// Compiles a method's validation: its validator, its required parameters
    /// (`requestParameters` set to `true`) and its `requestModels` (media type, or `$default`,
    /// to model name).
    ///
    /// # Errors
    ///
    /// A request model the API does not define ([`ValidationConfigError::UnknownModel`]),
    /// whether or not the validator checks bodies.
    pub fn new(
        validator: &Validator,
        required: Vec<RequiredParameter>,
        body_models: Vec<(String, String)>,
        models: &Models,
    ) -> Result<Self, ValidationConfigError> {
        let mut compiled: Vec<(String, String, Model)> = Vec::with_capacity(body_models.len());
        for (content_type, name) in body_models {
            let Some(model) = models.get(&name) else {
                return Err(ValidationConfigError::UnknownModel {
                    content_type,
                    model: name,
                });
            };
            let key = media_type_key(&content_type);
            if !compiled.iter().any(|(k, _, _)| *k == key) {
                compiled.push((key, name, model.clone()));
            }
        }
        let mut required = if validator.parameters {
            required
        } else {
            Vec::new()
        };
        required.sort();
        required.dedup();
        Ok(MethodValidation {
            required,
            body_models: if validator.body { compiled } else { Vec::new() },
        })
    }

    /// Checks a request: parameters first, then the body.
    ///
    /// # Errors
    ///
    /// [`Rejection::MissingParameters`] naming every required parameter that is absent or blank
    /// (empty or only whitespace); else [`Rejection::InvalidBody`] when the body does not match
    /// the model for its media type. An empty body is checked as `{}`, as AWS does; a body that
    /// is not JSON does not match any model. A media type with no model (and no `$default`) is
    /// not checked.
    pub fn check(&self, request: &RequestView<'_>) -> Result<(), Rejection> {
        let missing: Vec<String> = self
            .required
            .iter()
            .filter(|p| p.value(request).is_none_or(|v| v.trim().is_empty()))
            .map(|p| p.name.clone())
            .collect();
        if !missing.is_empty() {
            return Err(Rejection::MissingParameters(missing));
        }
        if self.body_models.is_empty() {
            return Ok(());
        }
        let Some((_, _, model)) = self.model_for(&request.media_type()) else {
            return Ok(());
        };
        parse_body(request.body())
            .and_then(|body| model.check(&body))
            .map_err(|details| Rejection::InvalidBody { details })
    }

    /// The model that would check a body of `media_type` (lowercase, without parameters), if any.
    pub fn body_model(&self, media_type: &str) -> Option<&str> {
        self.model_for(media_type).map(|(_, name, _)| name.as_str())
    }

    /// The required parameters that are checked, in AWS's order.
    pub fn required_parameters(&self) -> &[RequiredParameter] {
        &self.required
    }

    fn model_for(&self, media_type: &str) -> Option<&(String, String, Model)> {
        let exact = self.body_models.iter().find(|(k, _, _)| k == media_type);
        exact.or_else(|| self.body_models.iter().find(|(k, _, _)| k == "$default"))
    }
}

/// A `requestModels` key as matched: lowercase, without parameters.
fn media_type_key(content_type: &str) -> String {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    essence.to_ascii_lowercase()
}

/// The body as JSON: empty is `{}`; a UTF-8 byte order mark is skipped.
fn parse_body(body: &[u8]) -> Result<Value, String> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body).map_err(|e| format!("[Invalid JSON in request body: {e}]"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validator_fields() {
        let v = Validator::from_extension(&json!({"validateRequestBody": true})).unwrap();
        assert_eq!(
            v,
            Validator {
                body: true,
                parameters: false
            }
        );
        let v = Validator::from_extension(&json!({"validateRequestParameters": "TRUE"})).unwrap();
        assert_eq!(
            v,
            Validator {
                body: false,
                parameters: true
            }
        );
        assert!(Validator::from_extension(&json!({"validateRequestBody": 1})).is_err());
        assert!(Validator::from_extension(&json!("all")).is_err());
    }

    #[test]
    fn parameter_keys() {
        let p =
            RequiredParameter::from_method_request_key("method.request.header.x-api.key").unwrap();
        assert_eq!(
            p,
            RequiredParameter::new(ParameterLocation::Header, "x-api.key")
        );
        let p =
            RequiredParameter::from_method_request_key("method.request.querystring.q1").unwrap();
        assert_eq!(p.location, ParameterLocation::QueryString);
        for bad in [
            "method.request.body.x",
            "method.request.path.",
            "integration.request.path.x",
            "method.request.multivaluequerystring.q",
        ] {
            let err = RequiredParameter::from_method_request_key(bad).unwrap_err();
            assert!(err.to_string().contains(bad));
        }
    }

    #[test]
    fn bodies() {
        assert_eq!(parse_body(b"").unwrap(), json!({}));
        assert_eq!(parse_body(b"\xEF\xBB\xBF[1]").unwrap(), json!([1]));
        assert!(
            parse_body(b"<xml/>")
                .unwrap_err()
                .starts_with("[Invalid JSON")
        );
        assert!(parse_body(b"   ").is_err());
        assert!(
            parse_body(&[b'['; 100_000]).is_err(),
            "deep nesting is an error, not a crash"
        );
    }

    #[test]
    fn media_type_keys() {
        assert_eq!(
            media_type_key("Application/JSON; charset=utf-8"),
            "application/json"
        );
        assert_eq!(media_type_key("$default"), "$default");
    }
}
