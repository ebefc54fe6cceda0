//! Applying a customised gateway response to one error answer: its header
//! values and its body template, read from the request's state.

use bytes::Bytes;
use http::HeaderValue;
use portcullis_mapping::input::RequestParams;
use portcullis_mapping::value::Entries;
use portcullis_mapping::{Input, Scope, Value};

use super::table::ErrorShape;
use crate::error::GatewayError;
use crate::request::RequestState;
use crate::runtime::{CustomResponse, ErrorHeaderSource};

/// The value of a gateway response header for this request; `None` when its source is absent.
pub(super) fn header_value(
    source: &ErrorHeaderSource,
    state: &RequestState<'_>,
) -> Option<HeaderValue> {
    match source {
        ErrorHeaderSource::Literal(value) => Some(value.clone()),
        ErrorHeaderSource::RequestHeader(name) => state.parts.headers.get(name).cloned(),
        ErrorHeaderSource::QueryString(name) => state
            .query_pairs()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| HeaderValue::from_str(v).ok()),
        ErrorHeaderSource::PathParameter(name) => {
            HeaderValue::from_str(state.route?.params.get(name)?).ok()
        }
        ErrorHeaderSource::StageVariable(name) => {
            HeaderValue::from_str(state.stage?.variables.get(name)?).ok()
        }
        ErrorHeaderSource::RequestId(extended) => HeaderValue::from_str(if *extended {
            state.ids.extended_id()
        } else {
            state.ids.request_id()
        })
        .ok(),
    }
}

/// The customised body for this error; `None` keeps AWS's default body.
pub(super) fn body(
    custom: &CustomResponse,
    error: &GatewayError,
    shape: &ErrorShape,
    state: &RequestState<'_>,
) -> Option<Bytes> {
    if let Some(body) = &custom.body {
        return Some(body.clone());
    }
    let template = custom.template.as_ref()?;
    let input = Input::new("", RequestParams::default());
    let mut scope = Scope::new(&input);
    let mut context = state.context_entries();
    context.insert_str("error", error_context(error, shape));
    scope.context = Value::from_entries(context);
    // Known whenever the stage is, route or no route (`/prod/no-such-path`).
    if let Some(stage) = state.stage {
        scope.stage_variables = crate::map::template::stage_variables(stage);
    }
    match template.render(&scope) {
        Ok(text) => Some(Bytes::from(text)),
        Err(render_error) => {
            tracing::warn!(request_id = state.ids.request_id(), error = %render_error, "gateway response template failed; default body sent");
            None
        }
    }
}

/// `$context.error`: `message`, `messageString` (quoted JSON), `responseType`
/// and, after a failed validation, `validationErrorString`.
fn error_context(error: &GatewayError, shape: &ErrorShape) -> Value {
    let quoted = serde_json::Value::String(shape.message.clone().into_owned()).to_string();
    let mut entries = Entries::new();
    entries.insert_str("message", Value::string(shape.message.as_ref()));
    entries.insert_str("messageString", Value::string(quoted));
    entries.insert_str("responseType", Value::string(shape.response_type));
    if let Some(details) = error.validation_error_string() {
        entries.insert_str("validationErrorString", Value::string(details.as_ref()));
    }
    Value::from_entries(entries)
}
