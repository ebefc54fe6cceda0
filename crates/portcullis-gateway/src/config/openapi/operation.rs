//! One operation (a method of a path item) → one [`Route`]: its parameters,
//! request validator and body models, authorization and integration, and the
//! checks that tie them together.

use super::context::{Ctx, Version};
use super::extensions::{self, TopLevel};
use super::integration;
use super::models::{self, Models};
use super::resource::{ANY_METHOD_KEY, ResourcePath};
use super::security::{self, Schemes};
use super::tree::Node;
use crate::config::model::{
    Integration, Method, MethodParameter, ParameterLocation, Route, ValuePart,
};
use crate::config::problems::{child, item};

/// The declared parameters of a path item or an operation.
#[derive(Debug, Default)]
pub(crate) struct Declared<'a> {
    /// Method request parameters (`in: path|query|header`).
    pub(crate) params: Vec<MethodParameter>,
    /// The Swagger 2 `in: body` parameter and its location.
    pub(crate) body: Option<(&'a Node, String)>,
}

/// What a route is built from besides the operation itself.
pub(crate) struct Input<'i, 'a> {
    /// The checked path of the path item.
    pub(crate) resource: &'i ResourcePath,
    /// Upper-case method name, `ANY` for `x-amazon-apigateway-any-method`.
    pub(crate) method: &'i str,
    /// The operation's key in the path item.
    pub(crate) key: &'i str,
    /// Parameters declared on the path item.
    pub(crate) shared: &'i Declared<'a>,
    /// Document-level extensions.
    pub(crate) top: &'i TopLevel,
    /// Security schemes.
    pub(crate) schemes: &'i Schemes,
}

/// Builds the route of the operation at `at`; `None` when it cannot be served
/// (the problems say why). Inline body schemas are added to `models`.
pub(crate) fn route<'a>(
    ctx: &mut Ctx<'a>,
    operation: &'a Node,
    at: &str,
    input: Input<'_, 'a>,
    models: &mut Models,
) -> Option<Route> {
    let entries = ctx.map(operation, at)?;
    let is_any = input.key == ANY_METHOD_KEY;
    if input.resource.is_default() && !is_any {
        ctx.problem(
            at,
            "the $default route is written with x-amazon-apigateway-any-method",
        );
    }
    let mut operation_id = None;
    let mut own = Declared::default();
    let mut validation = input.top.validator.clone();
    for (key, value) in entries {
        let key_at = child(at, key);
        match key.as_str() {
            "operationId" => operation_id = ctx.str(value, &key_at).map(str::to_owned),
            "parameters" => own = parameters(ctx, value, &key_at),
            "isDefaultRoute" if is_any => {
                let default_route = ctx.bool(value, &key_at) == Some(true);
                if default_route && !input.resource.is_default() {
                    ctx.problem(
                        &key_at,
                        "only the `/$default` path can be the $default route",
                    );
                }
            }
            "x-amazon-apigateway-request-validator" => {
                validation = extensions::request_validator(ctx, input.top, value, &key_at);
            }
            integration::KEY | "x-amazon-apigateway-auth" => {}
            k if k.starts_with("x-amazon-apigateway-") => {
                extensions::unknown_extension(ctx, &key_at, "an operation")
            }
            _ => {}
        }
    }
    let request_parameters = merge(&input.shared.params, own.params);
    let body = own.body.as_ref().or(input.shared.body.as_ref());
    let name_base =
        models::inline_name_base(operation_id.as_deref(), input.method, &input.resource.path);
    let request_models = models::request_models(ctx, models, operation, at, body, &name_base);
    let auth = security::route_auth(ctx, input.schemes, operation, at);
    let (integration, integration_at) =
        integration::integration(ctx, operation.get(integration::KEY), at)?;
    check_mapping_sources(
        ctx,
        &integration,
        &integration_at,
        &request_parameters,
        input.resource,
    );
    let Some(method) = Method::parse(input.method) else {
        ctx.problem(
            at,
            format!("the router does not know the method {}", input.method),
        );
        return None;
    };
    Some(Route {
        method,
        path: input.resource.path.clone(),
        location: at.to_owned(),
        operation_id,
        authorization: auth.authorization,
        authorization_scopes: auth.scopes,
        api_key_required: auth.api_key_required,
        request_parameters,
        validation,
        request_models,
        integration,
    })
}

/// Reads a `parameters` list (Swagger 2 and OpenAPI 3 alike). `formData` and
/// `cookie` parameters are not method request parameters and are skipped, as
/// is `body` except for the Swagger 2 body parameter (at most one).
pub(crate) fn parameters<'a>(ctx: &mut Ctx<'a>, list: &'a Node, at: &str) -> Declared<'a> {
    let mut out = Vec::new();
    let mut body = None;
    for (i, entry) in ctx.seq(list, at).unwrap_or_default().iter().enumerate() {
        let Some((entry, entry_at)) = ctx.resolve(entry, &item(at, i)) else {
            continue;
        };
        if ctx.map(entry, &entry_at).is_none() {
            continue;
        }
        let location = match entry.get("in") {
            Some(place) => {
                match ctx.str(place, &child(&entry_at, "in")) {
                    Some("path") => ParameterLocation::Path,
                    Some("query") => ParameterLocation::QueryString,
                    Some("header") => ParameterLocation::Header,
                    Some("body") if ctx.version == Version::Swagger2 => {
                        if body.is_some() {
                            ctx.problem(
                                &entry_at,
                                "only one `in: body` parameter is allowed: it is the request body",
                            );
                        } else {
                            body = Some((entry, entry_at));
                        }
                        continue;
                    }
                    Some("body" | "formData" | "cookie") => continue,
                    Some(other) => {
                        ctx.problem(&child(&entry_at, "in"), format!("`{other}` is not a parameter location; expected path, query or header"));
                        continue;
                    }
                    None => continue,
                }
            }
            None => {
                ctx.problem(&entry_at, "a parameter needs `in` (path, query or header)");
                continue;
            }
        };
        let name = match entry.get("name") {
            Some(name) => match ctx.str(name, &child(&entry_at, "name")) {
                Some(name) if !name.is_empty() => name.to_owned(),
                Some(_) => {
                    ctx.problem(&child(&entry_at, "name"), "the parameter name is empty");
                    continue;
                }
                None => continue,
            },
            None => {
                ctx.problem(&entry_at, "a parameter needs a `name`");
                continue;
            }
        };
        let required = match entry.get("required") {
            Some(flag) => ctx
                .bool(flag, &child(&entry_at, "required"))
                .unwrap_or(false),
            None => location == ParameterLocation::Path,
        };
        out.push(MethodParameter {
            location,
            name,
            required,
        });
    }
    Declared { params: out, body }
}

/// Path item parameters, overridden by the operation's own of the same name and location.
fn merge(shared: &[MethodParameter], own: Vec<MethodParameter>) -> Vec<MethodParameter> {
    let mut merged: Vec<MethodParameter> = shared
        .iter()
        .filter(|p| {
            !own.iter()
                .any(|o| o.name == p.name && o.location == p.location)
        })
        .cloned()
        .collect();
    merged.extend(own);
    merged
}

/// REST mappings may read only declared method request parameters
/// ("It must have been defined before it can be referenced",
/// request-response-data-mappings); HTTP API mappings may read only the
/// route's own path parameters.
fn check_mapping_sources(
    ctx: &mut Ctx<'_>,
    integration: &Integration,
    integration_at: &str,
    declared: &[MethodParameter],
    resource: &ResourcePath,
) {
    let at = child(integration_at, "requestParameters");
    for mapping in &integration.request_parameters {
        let key_at = child(&at, &mapping.key);
        for part in &mapping.value.0 {
            let needed = match part {
                ValuePart::PathParameter(n) => Some((ParameterLocation::Path, n, "path", "path")),
                ValuePart::QueryString(n) | ValuePart::MultiQueryString(n) => {
                    Some((ParameterLocation::QueryString, n, "querystring", "query"))
                }
                ValuePart::Header(n) | ValuePart::MultiHeader(n) => {
                    Some((ParameterLocation::Header, n, "header", "header"))
                }
                _ => None,
            };
            let Some((location, name, kind, openapi_in)) = needed else {
                continue;
            };
            if ctx.is_http() {
                if location == ParameterLocation::Path && !resource.params.contains(name) {
                    ctx.problem(
                        &key_at,
                        format!(
                            "`$request.path.{name}` names no path parameter of route `{}`",
                            resource.path
                        ),
                    );
                }
            } else if !declared
                .iter()
                .any(|p| p.location == location && &p.name == name)
            {
                ctx.problem(
                    &key_at,
                    format!(
                        "method.request.{kind}.{name} is not declared; add {{name: {name}, in: {openapi_in}}} to the \
                         operation's parameters (API Gateway maps only declared method request parameters)"
                    ),
                );
            }
        }
    }
}
