//! Which API and stage serve a request: by custom domain and base path, by
//! `{apiId}.execute-api.*` host, or the only API; then the stage from the path.

use super::{CompiledApi, CompiledStage, Gateway};

/// The outcome of selecting an API for a request.
#[derive(Debug)]
pub(crate) enum Selection<'g, 'p> {
    /// An API and stage serve the request; `path` is what remains after the base path and stage.
    Api {
        /// The API.
        api: &'g CompiledApi,
        /// The stage.
        stage: &'g CompiledStage,
        /// The path the API routes (always starts with `/`).
        path: &'p str,
    },
    /// A custom domain's reserved health-check path (`/ping`, `/sping`).
    HealthCheck,
    /// Nothing is served here; the API type (when known) shapes the error.
    Miss(Option<&'g CompiledApi>),
}

impl Gateway {
    /// Selects the API and stage for a request to `host` (without port) and `path`.
    pub(crate) fn select<'g, 'p>(&'g self, host: Option<&str>, path: &'p str) -> Selection<'g, 'p> {
        if let Some(host) = host {
            if let Some(domain) = self
                .domains
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(host))
            {
                if path == "/ping" || path == "/sping" {
                    return Selection::HealthCheck;
                }
                for (base, api_index, stage_index) in &domain.mappings {
                    if let Some(rest) = strip_base_path(path, base) {
                        let api = &self.apis[*api_index];
                        return Selection::Api {
                            api,
                            stage: &api.stages[*stage_index],
                            path: rest,
                        };
                    }
                }
                return Selection::Miss(None);
            }
            if let Some((id, tail)) = host.split_once('.')
                && tail
                    .get(..12)
                    .is_some_and(|t| t.eq_ignore_ascii_case("execute-api."))
            {
                // Host names are case-insensitive; API ids are lower case
                // (AWS's are; a template's are its logical ids, lowered).
                let index = match self.by_id.get(id) {
                    Some(index) => Some(index),
                    None if id.bytes().any(|b| b.is_ascii_uppercase()) => {
                        self.by_id.get(id.to_ascii_lowercase().as_str())
                    }
                    None => None,
                };
                return match index {
                    Some(&index) => select_stage(&self.apis[index], path),
                    None => Selection::Miss(None),
                };
            }
        }
        match self.apis.as_slice() {
            [only] => select_stage(only, path),
            _ => Selection::Miss(None),
        }
    }
}

/// `path` minus the base path `base` (no slashes around it; empty for `(none)`).
fn strip_base_path<'p>(path: &'p str, base: &str) -> Option<&'p str> {
    if base.is_empty() {
        return Some(path);
    }
    let rest = path.strip_prefix('/')?.strip_prefix(base)?;
    if rest.is_empty() {
        Some("/")
    } else if rest.starts_with('/') {
        Some(rest)
    } else {
        None
    }
}

fn select_stage<'g, 'p>(api: &'g CompiledApi, path: &'p str) -> Selection<'g, 'p> {
    let relative = path.strip_prefix('/').unwrap_or(path);
    let (first, rest) = match relative.find('/') {
        Some(slash) => (&relative[..slash], &relative[slash..]),
        None => (relative, "/"),
    };
    if let Some(stage) = api
        .stages
        .iter()
        .find(|s| s.name == first && s.name != crate::config::DEFAULT_NAME)
    {
        return Selection::Api {
            api,
            stage,
            path: rest,
        };
    }
    match api.default_stage {
        Some(index) => Selection::Api {
            api,
            stage: &api.stages[index],
            path,
        },
        None => Selection::Miss(Some(api)),
    }
}

#[cfg(test)]
mod tests {
    use super::strip_base_path;

    #[test]
    fn base_paths_match_whole_segments() {
        assert_eq!(
            strip_base_path("/orders/v1/items/123", "orders/v1/items"),
            Some("/123")
        );
        assert_eq!(
            strip_base_path("/orders/v1/items", "orders/v1/items"),
            Some("/")
        );
        assert_eq!(
            strip_base_path("/orders/v1/itemsx", "orders/v1/items"),
            None
        );
        assert_eq!(strip_base_path("/customers", ""), Some("/customers"));
    }
}
