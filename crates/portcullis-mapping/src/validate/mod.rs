//! Request validation: API Gateway's request validators, with its models as JSON Schema draft 4.
//!
//! A REST API names validators in `x-amazon-apigateway-request-validators`, each turning on
//! parameter validation, body validation or both ([`Validator`]), and every method picks one.
//! When a request fails, API Gateway answers 400 before calling the integration:
//!
//! | what failed | gateway response type | `{"message": ...}` |
//! | --- | --- | --- |
//! | a required path, query string or header parameter is absent or blank | `BAD_REQUEST_PARAMETERS` | `Missing required request parameters: [h1, q1]` |
//! | the body does not match the method's model for its content type | `BAD_REQUEST_BODY` | `Invalid request body` |
//!
//! Parameters are checked first. Everything that can be wrong with the configuration (a model that
//! is not a draft 4 schema, a `$ref` out of the API, a request model the API does not define) is a
//! [`ValidationConfigError`] when the configuration loads: [`Models::compile`] compiles each model
//! once, [`MethodValidation::new`] once per method, and [`MethodValidation::check`] does no
//! compiling, never panics and never fetches anything.
//!
//! ```
//! use indexmap::IndexMap;
//! use portcullis_mapping::validate::{
//!     MethodValidation, Models, ParameterLocation, RequestView, RequiredParameter, Validator,
//! };
//! use serde_json::json;
//!
//! let mut definitions = IndexMap::new();
//! definitions.insert("Pet".to_owned(), json!({
//!     "type": "object",
//!     "properties": {"type": {"type": "string", "enum": ["dog", "cat", "fish"]}},
//!     "required": ["type"]
//! }));
//! let models = Models::compile(&definitions)?;
//! let method = MethodValidation::new(
//!     &Validator { body: true, parameters: true },
//!     vec![RequiredParameter::new(ParameterLocation::Header, "h1")],
//!     vec![("application/json".to_owned(), "Pet".to_owned())],
//!     &models,
//! )?;
//!
//! let headers = [("H1", "v1")];
//! let ok = RequestView::new(br#"{"type": "dog"}"#).headers(&headers);
//! assert!(method.check(&ok).is_ok());
//!
//! let bird = RequestView::new(br#"{"type": "bird"}"#).headers(&headers);
//! let rejection = method.check(&bird).unwrap_err();
//! assert_eq!(rejection.response_type(), "BAD_REQUEST_BODY");
//! assert_eq!(rejection.message(), "Invalid request body");
//!
//! let no_header = RequestView::new(br#"{"type": "dog"}"#);
//! let rejection = method.check(&no_header).unwrap_err();
//! assert_eq!(rejection.message(), "Missing required request parameters: [h1]");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod messages;
mod method;
mod model_ref;
mod models;
mod refs;
mod rejection;
mod request;
#[cfg(test)]
mod tests;

pub use method::{MethodValidation, ParameterLocation, RequiredParameter, Validator};
pub use model_ref::{ModelRef, classify_ref, decode_pointer_token};
pub use models::Models;
pub use rejection::Rejection;
pub use request::{FromFn, ParamSource, RequestView};

/// A validation setting that cannot work; found when the configuration loads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationConfigError {
    /// AWS model names are alphanumeric.
    #[error(
        "model name {name:?} is not allowed: API Gateway model names are alphanumeric (A-Z, a-z, 0-9) and not empty"
    )]
    InvalidModelName {
        /// The name as configured.
        name: String,
    },
    /// A model whose schema is not a JSON object.
    #[error("model {model:?} is not a JSON object; a JSON Schema draft 4 schema must be one")]
    ModelNotObject {
        /// The model.
        model: String,
    },
    /// A `$ref` that does not name one of the API's models; it is never fetched.
    #[error(
        "model {model:?} refers to {reference:?}, which is not one of this API's models: a $ref may only be \
         #/definitions/Name, #/components/schemas/Name or https://apigateway.amazonaws.com/restapis/{{api_id}}/models/Name \
         (or point inside the model itself), and nothing is ever fetched"
    )]
    ForeignRef {
        /// The model holding the reference.
        model: String,
        /// The reference as written.
        reference: String,
    },
    /// A `$ref` to a model the API does not define.
    #[error(
        "model {model:?} refers to {reference:?}, but the API defines no model named {target:?}"
    )]
    UnknownRefModel {
        /// The model holding the reference.
        model: String,
        /// The reference as written.
        reference: String,
        /// The model it names.
        target: String,
    },
    /// A model that is not a valid draft 4 schema, or whose references do not resolve.
    #[error("model {model:?} is not a valid JSON Schema draft 4 schema: {message}")]
    InvalidSchema {
        /// The model.
        model: String,
        /// What is wrong, as `jsonschema` says it.
        message: String,
    },
    /// A method's request model that the API does not define.
    #[error(
        "the method's request model for content type {content_type:?} is {model:?}, but the API defines no such model"
    )]
    UnknownModel {
        /// The `requestModels` key.
        content_type: String,
        /// The model it names.
        model: String,
    },
    /// A `requestParameters` key that is not `method.request.{path|querystring|header}.NAME`.
    #[error(
        "{key:?} is not a method request parameter: expected method.request.path.NAME, \
         method.request.querystring.NAME or method.request.header.NAME"
    )]
    InvalidParameterKey {
        /// The key as configured.
        key: String,
    },
    /// A request validator field that is neither `true` nor `false`.
    #[error("request validator field {field:?} must be true or false, not {value}")]
    InvalidValidatorField {
        /// `validateRequestBody` or `validateRequestParameters`.
        field: &'static str,
        /// The value, as JSON.
        value: String,
    },
}
