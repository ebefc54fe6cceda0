//! `paths`: resource paths as API Gateway accepts them, and one route per
//! operation.

use super::context::Ctx;
use super::extensions::{self, TopLevel};
use super::operation;
use super::security::Schemes;
use crate::config::model::{DEFAULT_NAME, Route};
use crate::config::problems::child;

/// The operation keys of a path item, with the method each stands for.
pub(crate) const ANY_METHOD_KEY: &str = "x-amazon-apigateway-any-method";
const METHOD_KEYS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// A checked resource path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourcePath {
    /// The path as routed: `/pets/{petId}`, or `$default` for the HTTP API catch-all.
    pub(crate) path: String,
    /// Path parameter names in order (`proxy` for `{proxy+}`).
    pub(crate) params: Vec<String>,
}

impl ResourcePath {
    /// Whether this is the HTTP API `$default` route.
    pub(crate) fn is_default(&self) -> bool {
        self.path == DEFAULT_NAME
    }
}

/// Checks a resource path as API Gateway does (api-gateway-known-issues): segments of
/// letters, digits and `_-.,:`, or a whole-segment `{name}`; a greedy `{name+}`
/// only last. HTTP APIs also take `/$default`, their catch-all route.
pub(crate) fn check_path(path: &str, http_api: bool) -> Result<ResourcePath, String> {
    if http_api && path == "/$default" {
        return Ok(ResourcePath {
            path: DEFAULT_NAME.to_owned(),
            params: Vec::new(),
        });
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("resource paths start with `/`; write `/{path}`"));
    };
    // API Gateway imports the REST resource `/pets/` as `/pets`; HTTP API route keys cannot end with `/`.
    let (path, rest) = match rest.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() && !stripped.ends_with('/') => {
            if http_api {
                return Err(format!(
                    "remove the trailing `/`: HTTP API routes cannot end with `/`, and `{}` answers it anyway",
                    &path[..path.len() - 1]
                ));
            }
            (&path[..path.len() - 1], stripped)
        }
        _ => (path, rest),
    };
    let mut params = Vec::new();
    if rest.is_empty() {
        return Ok(ResourcePath {
            path: path.to_owned(),
            params,
        });
    }
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() {
            return Err("the path has an empty segment (`//` or a trailing `/`)".to_owned());
        }
        if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let (name, greedy) = match inner.strip_suffix('+') {
                Some(name) => (name, true),
                None => (inner, false),
            };
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                return Err(format!(
                    "`{segment}` is not a path parameter; names hold letters, digits and `._-`"
                ));
            }
            if greedy && i + 1 != segments.len() {
                return Err(format!(
                    "the greedy path parameter `{segment}` must be the last segment"
                ));
            }
            if params.iter().any(|p| p == name) {
                return Err(format!("path parameter `{name}` appears twice"));
            }
            params.push(name.to_owned());
        } else if segment.contains(['{', '}']) {
            return Err(format!(
                "`{segment}`: path parameters must be whole segments (`/res/{{id}}`, not `/res{{id}}`)"
            ));
        } else if let Some(bad) = segment
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "_-.,:".contains(*c)))
        {
            return Err(format!(
                "`{segment}` has `{bad}`; path segments hold only letters, digits, `_-.,:` and {{parameters}}"
            ));
        }
    }
    Ok(ResourcePath {
        path: path.to_owned(),
        params,
    })
}

/// Reads every operation of `paths` into routes.
pub(crate) fn routes(ctx: &mut Ctx<'_>, schemes: &Schemes, top: &TopLevel) -> Vec<Route> {
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
            None => Vec::new(),
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
            if let Some(route) = operation::route(ctx, value, &key_at, input) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_paths() {
        let p = check_path("/pets/{petId}/toys/{proxy+}", false).unwrap();
        assert_eq!(p.params, ["petId", "proxy"]);
        assert_eq!(check_path("/", false).unwrap().path, "/");
        assert_eq!(
            check_path("/a_b-c.d,e:f", false).unwrap().params,
            Vec::<String>::new()
        );
        assert!(check_path("/$default", true).unwrap().is_default());
    }

    #[test]
    fn invalid_paths() {
        let err = |p: &str| check_path(p, false).unwrap_err();
        assert!(err("pets").contains("start with `/`"));
        assert_eq!(check_path("/pets/", false).unwrap().path, "/pets");
        assert!(
            check_path("/pets/", true)
                .unwrap_err()
                .contains("trailing `/`")
        );
        assert!(err("/a//b").contains("empty segment"));
        assert!(err("/res{id}").contains("whole segments"));
        assert!(err("/{proxy+}/x").contains("must be the last"));
        assert!(err("/{a}/{a}").contains("appears twice"));
        assert!(err("/{}").contains("not a path parameter"));
        assert!(err("/pets@home").contains("has `@`"));
        assert!(err("/$default").contains("has `$`"));
    }
}
