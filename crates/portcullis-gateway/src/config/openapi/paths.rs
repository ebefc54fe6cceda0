//! `paths`: one route per operation.

use super::context::Ctx;
use super::extensions::{self, TopLevel};
use super::models::Models;
use super::operation;
use super::resource::{ANY_METHOD_KEY, check_path};
use super::security::Schemes;
use crate::config::model::{DEFAULT_NAME, Route};
use crate::config::problems::child;

/// The operation keys of a path item, each standing for its method.
const METHOD_KEYS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Reads every operation of `paths` into routes; inline body schemas are
/// added to `models`.
pub(crate) fn routes(
    ctx: &mut Ctx<'_>,
    schemes: &Schemes,
    top: &TopLevel,
    models: &mut Models,
) -> Vec<Route> {
    let root = ctx.root;
    let Some(paths) = root.get("paths") else {
        ctx.problem("paths", "`paths` is required");
        return Vec::new();
    };
    let mut routes = Vec::new();
    for (path, item) in ctx.map(paths, "paths").unwrap_or_default() {
        let at = child("paths", path);
        let resource = match check_path(path, ctx.is_http()) {
            Ok(resource) => resource,
            Err(message) => {
                ctx.problem(&at, message);
                continue;
            }
        };
        let Some(entries) = ctx.map(item, &at) else {
            continue;
        };
        let shared = match item.get("parameters") {
            Some(list) => operation::parameters(ctx, list, &child(&at, "parameters")),
            None => operation::Declared::default(),
        };
        for (key, value) in entries {
            let key_at = child(&at, key);
            let method = if key == ANY_METHOD_KEY {
                "ANY".to_owned()
            } else if METHOD_KEYS.contains(&key.as_str()) {
                key.to_ascii_uppercase()
            } else {
                match key.as_str() {
                    "parameters" | "summary" | "description" | "servers" => {}
                    "trace" => {
                        ctx.problem(&key_at, "API Gateway does not support the TRACE method")
                    }
                    "$ref" => ctx.problem(
                        &key_at,
                        "path items shared through $ref are not supported; write the path inline",
                    ),
                    k if k.starts_with("x-amazon-apigateway-") => {
                        extensions::unknown_extension(ctx, &key_at, "a path")
                    }
                    k if k.starts_with("x-") => {}
                    _ => ctx.problem(
                        &key_at,
                        format!("`{key}` is not a method or path item field"),
                    ),
                }
                continue;
            };
            let input = operation::Input {
                resource: &resource,
                method: &method,
                key,
                shared: &shared,
                top,
                schemes,
            };
            if let Some(route) = operation::route(ctx, value, &key_at, input, models) {
                routes.push(route);
            }
        }
    }
    router_conflicts(ctx, &routes);
    routes
}

/// Adds every route to the router the planner will build, so that routes it
/// would refuse (same method twice on one resource, sibling parameters with
/// different names) are reported here, at their location.
fn router_conflicts(ctx: &mut Ctx<'_>, routes: &[Route]) {
    let mut rest = portcullis_router::RestRouter::new();
    let mut http = portcullis_router::HttpRouter::new();
    for route in routes {
        let inserted = if ctx.is_http() {
            let key = if route.path == DEFAULT_NAME {
                DEFAULT_NAME.to_owned()
            } else {
                format!("{} {}", route.method, route.path)
            };
            http.insert(&key, ())
        } else {
            rest.insert(route.method, &route.path, ())
        };
        if let Err(error) = inserted {
            ctx.problem(&route.location, error.to_string());
        }
    }
}
