//! Rendering mapping templates: the `$input`, `$context` and `$stageVariables`
//! a template sees, built from the request's state only when a route has a
//! template to render (routes without templates pay nothing).

use bytes::Bytes;
use portcullis_mapping::input::RequestParams;
use portcullis_mapping::{Input, Scope, Value};
use portcullis_router::percent_decode_query;

use super::overrides::Overrides;
use crate::error::{ConfigurationFault, GatewayError};
use crate::request::{RequestState, Routed};
use crate::runtime::{CompiledStage, MappingTemplate};

/// What a template wrote, and the overrides it left in `$context`.
#[derive(Debug)]
pub(crate) struct Rendered {
    pub(crate) body: Bytes,
    /// `None` when the template set no override (and for static templates,
    /// which cannot); else every override, including those kept from earlier.
    pub(crate) overrides: Option<Overrides>,
}

/// Renders `template` with `body` as `$input`'s body. `$context` holds the
/// overrides earlier templates of this request set.
///
/// # Errors
/// A render failure is AWS's 500 (API configuration error); the cause is logged.
pub(crate) fn render(
    template: &MappingTemplate,
    route: &Routed<'_>,
    state: &RequestState<'_>,
    body: &[u8],
) -> Result<Rendered, GatewayError> {
    let template = match template {
        MappingTemplate::Static(bytes) => {
            return Ok(Rendered {
                body: bytes.clone(),
                overrides: None,
            });
        }
        MappingTemplate::Vtl(template) => template,
    };
    let input = Input::new(&String::from_utf8_lossy(body), request_params(route, state));
    let mut scope = Scope::new(&input);
    let mut context = state.context_entries();
    Overrides::add_to(state.overrides.as_deref(), &mut context);
    scope.context = Value::from_entries(context);
    scope.stage_variables = stage_variables(route.stage);
    match template.render(&scope) {
        Ok(text) => Ok(Rendered {
            body: Bytes::from(text),
            overrides: Overrides::read(&scope.context),
        }),
        Err(error) => {
            tracing::warn!(request_id = state.ids.request_id(), %error, "mapping template failed");
            Err(ConfigurationFault::TemplateFailed.into())
        }
    }
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
pub(crate) fn stage_variables(stage: &CompiledStage) -> Value {
    Value::map(
        stage
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v.as_str())))
            .collect(),
    )
}
