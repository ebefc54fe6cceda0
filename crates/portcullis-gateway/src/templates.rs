//! Mapping templates in the gateway (static text kept as bytes, VTL compiled once): static text kept as bytes, VTL compiled once; the `$input`, `$context` and
//! `$stageVariables` a template sees, built from a request, and rendering.
//!
//! Built only when a route has a template to render: routes without templates
//! pay nothing.

use bytes::Bytes;
use indexmap::IndexMap;
use portcullis_mapping::input::RequestParams;
use portcullis_mapping::{Input, Scope, Template, Value};
use portcullis_router::percent_decode_query;

use crate::context::RequestContext;
use crate::respond::GatewayError;

/// The method request's parameters as templates see them: path parameters as
/// sent, query strings decoded, headers by name.
pub(crate) fn request_params(ctx: &RequestContext<'_>) -> RequestParams {
    let mut params = RequestParams::default();
    for (name, value) in ctx.params.iter() {
        params.path.insert(name.to_owned(), value.to_owned());
    }
    for (key, value) in ctx.query_pairs() {
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
    for (name, value) in &ctx.parts.headers {
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

/// `$context` for a template.
pub(crate) fn context_value(ctx: &RequestContext<'_>) -> Value {
    let mut map = IndexMap::new();
    for name in [
        "requestId",
        "extendedRequestId",
        "apiId",
        "stage",
        "resourcePath",
        "httpMethod",
        "path",
        "protocol",
        "domainName",
        "domainPrefix",
        "requestTimeEpoch",
    ] {
        if let Some(value) = ctx.variable(name) {
            map.insert(name.to_owned(), Value::string(value.as_ref()));
        }
    }
    let mut identity = IndexMap::new();
    for (key, name) in [
        ("sourceIp", "identity.sourceIp"),
        ("userAgent", "identity.userAgent"),
    ] {
        if let Some(value) = ctx.variable(name) {
            identity.insert(key.to_owned(), Value::string(value.as_ref()));
        }
    }
    map.insert("identity".to_owned(), Value::map(identity));
    Value::map(map)
}

/// `$stageVariables`.
pub(crate) fn stage_variables(ctx: &RequestContext<'_>) -> Value {
    Value::map(
        ctx.stage
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), Value::string(v.as_str())))
            .collect(),
    )
}

/// A mapping template, compiled at load. Text without VTL (`$` or `#`) renders as
/// itself, so it is kept as bytes and never rendered.
#[derive(Debug, Clone)]
pub enum MappingTemplate {
    /// Text without VTL: the output is the text.
    Static(Bytes),
    /// A Velocity template.
    Vtl(Template),
}

impl MappingTemplate {
    /// Compiles `text`; `name` locates it in messages.
    ///
    /// # Errors
    /// The template's syntax error, with line and column.
    pub fn compile(name: &str, text: &str) -> Result<Self, String> {
        if text.contains(['$', '#']) {
            Template::compile(name, text)
                .map(Self::Vtl)
                .map_err(|e| e.to_string())
        } else {
            Ok(Self::Static(Bytes::from(text.to_owned())))
        }
    }
}

/// Renders `template` with `body` as `$input`'s body.
///
/// # Errors
/// A render failure is AWS's 500 (API configuration error); the cause is logged.
pub(crate) fn render(
    template: &MappingTemplate,
    ctx: &RequestContext<'_>,
    body: &[u8],
) -> Result<Bytes, GatewayError> {
    let template = match template {
        MappingTemplate::Static(bytes) => return Ok(bytes.clone()),
        MappingTemplate::Vtl(template) => template,
    };
    let input = Input::new(&String::from_utf8_lossy(body), request_params(ctx));
    let mut scope = Scope::new(&input);
    scope.context = context_value(ctx);
    scope.stage_variables = stage_variables(ctx);
    template.render(&scope).map(Bytes::from).map_err(|error| {
        tracing::warn!(request_id = ctx.ids.request_id(), %error, "mapping template failed");
        GatewayError::ConfigurationError
    })
}
