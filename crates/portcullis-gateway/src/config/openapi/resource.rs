//! Resource paths as API Gateway accepts them.

use crate::config::model::DEFAULT_NAME;

/// The key of the operation that stands for every method.
pub(crate) const ANY_METHOD_KEY: &str = "x-amazon-apigateway-any-method";

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
/// only last. HTTP APIs also take `/$default`, their catch-all route (also
/// written `$default`, as SAM writes it and API Gateway imports it).
pub(crate) fn check_path(path: &str, http_api: bool) -> Result<ResourcePath, String> {
    if http_api && (path == "/$default" || path == "$default") {
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
        assert!(check_path("$default", true).unwrap().is_default());
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
