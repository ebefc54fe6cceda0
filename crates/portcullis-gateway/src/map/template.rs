//! Rendering mapping templates: the `$input`, `$context` and `$stageVariables`
//! a template sees, built from the request's state only when a route has a
//! template to render (routes without templates pay nothing).

use bytes::Bytes;
use portcullis_mapping::input::RequestParams;
use portcullis_mapping::{Input, Scope, Value};
use portcullis_router::percent_decode_query;

use crate::error::{ConfigurationFault, GatewayError};
use crate::request::{RequestState, Routed};
use crate::runtime::MappingTemplate;

/// Renders `template` with `body` as `$input`'s body.
///
/// # Errors
/// A render failure is AWS's 500 (API configuration error); the cause is logged.
pub(crate) fn render(
    template: &MappingTemplate,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> Result<Bytes, GatewayError> {
    let template = match template {
        MappingTemplate::Static(bytes) => return Ok(bytes.clone()),
        MappingTemplate::Vtl(template) => template,
    };
    let input = Input::new(&String::from_utf8_lossy(body), request_params(route, state));
    let mut scope = Scope::new(&input);
    scope.context = state.context_value();
    scope.stage_variables = stage_variables(route);
    template.render(&scope).map(Bytes::from).map_err(|error| {
        tracing::warn!(request_id = state.ids.request_id(), %error, "mapping template failed");
        ConfigurationFault::TemplateFailed.into()
    })
}

/// The method request's parameters as templates see them: path parameters as
/// sent, query strings decoded, headers by name.
fn request_params(route: &Routed<'_>, state: &RequestState<'_>) -> RequestParams {
    let mut params = RequestParams::default();
    for (name, value) in route.params.iter() {
        params.path.insert(name.to_owned(), value.to_owned());
    }
    for (key, value) in state.query_pairs() {
        let (key, value) = (
            percent_decode_query(key).into_owned(),
            percent_decode_query(value).into_owned(),
        );
        params
            .multivalue_querystring
            .entry(key.clone())
            .or_default()
            .push(value.clone());
        params.querystring.insert(key, value);
    }
    for (name, value) in &state.parts.headers {
        let Ok(value) = value.to_str() else { continue };
        params
            .multivalue_header
            .entry(name.as_str().to_owned())
            .or_default()
            .push(value.to_owned());
        params
            .header
            .insert(name.as_str().to_owned(), value.to_owned());
    }
    params
}

/// `$stageVariables`.
fn stage_variables(route: &Routed<'_>) -> Value {
    Value::map(
        route
            .stage
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v.as_str())))
            .collect(),
    )
}
