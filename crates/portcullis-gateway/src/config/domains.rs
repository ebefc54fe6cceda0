//! Custom domain names and their base path mappings (rest-api-mappings).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use super::model::{Api, BasePathMapping, Domain};
use super::native::DomainEntry;
use super::problems::{Problems, child, item};

/// Longest base path (rest-api-mappings, Restrictions).
const MAX_BASE_PATH_LEN: usize = 300;

/// Checks a base path: `(none)` or empty for the root; else letters, digits and
/// `$-_.+!*'()/` (rest-api-mappings), without leading, trailing or doubled `/`.
/// Returns the model form (empty for the root).
pub(crate) fn check_base_path(base_path: &str) -> Result<String, String> {
    if base_path.is_empty() || base_path == "(none)" {
        return Ok(String::new());
    }
    if base_path.chars().count() > MAX_BASE_PATH_LEN {
        return Err(format!(
            "base paths have at most {MAX_BASE_PATH_LEN} characters"
        ));
    }
    if let Some(bad) = base_path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "$-_.+!*'()/".contains(*c)))
    {
        return Err(format!(
            "base path `{base_path}` has `{bad}`; base paths hold only letters, digits and `$-_.+!*'()/`"
        ));
    }
    if base_path.starts_with('/') || base_path.ends_with('/') {
        return Err(format!(
            "write base paths without leading or trailing `/`: `{}`",
            base_path.trim_matches('/')
        ));
    }
    if base_path.contains("//") {
        return Err(format!(
            "base path `{base_path}` has an empty segment (`//`)"
        ));
    }
    Ok(base_path.to_owned())
}

/// Checks a host name: dot-separated labels of letters, digits and `-`.
/// Returns it lower-cased.
pub(crate) fn check_domain_name(name: &str) -> Result<String, String> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("*.") {
        return Err("wildcard custom domain names are not supported yet".to_owned());
    }
    let valid = !lower.is_empty()
        && lower.len() <= 253
        && lower.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if valid {
        Ok(lower)
    } else {
        Err(format!(
            "`{name}` is not a host name (like api.example.test; no port, scheme or path)"
        ))
    }
}

/// Checks `domains` against the APIs loaded. Mappings naming an API in
/// `failed` (one that did not load) are not checked further.
pub(crate) fn domains(
    entries: Vec<DomainEntry>,
    apis: &[Api],
    failed: &HashSet<String>,
    file: &Path,
    problems: &mut Problems,
) -> Vec<Domain> {
    let mut out = Vec::new();
    let mut names = BTreeMap::new();
    for (i, entry) in entries.into_iter().enumerate() {
        let at = item("domains", i);
        let name = match check_domain_name(&entry.name) {
            Ok(name) => name,
            Err(message) => {
                problems.at(file, child(&at, "name"), message);
                continue;
            }
        };
        if let Some(first) = names.insert(name.clone(), at.clone()) {
            problems.at(
                file,
                child(&at, "name"),
                format!("domain `{name}` is also defined at {first}"),
            );
        }
        if entry.mappings.is_empty() {
            problems.at(
                file,
                child(&at, "mappings"),
                "a domain needs at least one base path mapping",
            );
        }
        let mut mappings = Vec::new();
        let mut base_paths = BTreeMap::new();
        for (j, mapping) in entry.mappings.into_iter().enumerate() {
            let mapping_at = item(&child(&at, "mappings"), j);
            let base_path = match check_base_path(&mapping.base_path) {
                Ok(base_path) => base_path,
                Err(message) => {
                    problems.at(file, child(&mapping_at, "base_path"), message);
                    continue;
                }
            };
            if let Some(first) = base_paths.insert(base_path.clone(), mapping_at.clone()) {
                let shown = if base_path.is_empty() {
                    "(none)"
                } else {
                    &base_path
                };
                problems.at(
                    file,
                    child(&mapping_at, "base_path"),
                    format!("base path `{shown}` is also mapped at {first}"),
                );
            }
            if failed.contains(&mapping.api) {
                continue;
            }
            let Some(api) = apis.iter().find(|a| a.id == mapping.api) else {
                let known: Vec<&str> = apis.iter().map(|a| a.id.as_str()).collect();
                problems.at(
                    file,
                    child(&mapping_at, "api"),
                    format!(
                        "no API has id `{}`; the ids are: {}",
                        mapping.api,
                        known.join(", ")
                    ),
                );
                continue;
            };
            let stage = match (&mapping.stage, api.stages.as_slice()) {
                (Some(stage), stages) if stages.iter().any(|s| &s.name == stage) => stage.clone(),
                (Some(stage), stages) => {
                    let known: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
                    problems.at(
                        file,
                        child(&mapping_at, "stage"),
                        format!(
                            "API `{}` has no stage `{stage}`; its stages are: {}",
                            api.id,
                            known.join(", ")
                        ),
                    );
                    continue;
                }
                (None, [only]) => only.name.clone(),
                (None, _) => {
                    problems.at(
                        file,
                        &mapping_at,
                        format!("API `{}` has several stages; name one with `stage`", api.id),
                    );
                    continue;
                }
            };
            mappings.push(BasePathMapping {
                base_path,
                api_id: api.id.clone(),
                stage,
            });
        }
        out.push(Domain { name, mappings });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths() {
        assert_eq!(check_base_path("").unwrap(), "");
        assert_eq!(check_base_path("(none)").unwrap(), "");
        assert_eq!(check_base_path("orders/v1").unwrap(), "orders/v1");
        assert_eq!(check_base_path("a$-_.+!*'()b").unwrap(), "a$-_.+!*'()b");
        assert!(check_base_path("/orders").unwrap_err().contains("`orders`"));
        assert!(check_base_path("orders/").is_err());
        assert!(
            check_base_path("a//b")
                .unwrap_err()
                .contains("empty segment")
        );
        assert!(check_base_path("a b").unwrap_err().contains("has ` `"));
        assert!(
            check_base_path(&"a".repeat(301))
                .unwrap_err()
                .contains("300")
        );
        assert!(check_base_path(&"a".repeat(300)).is_ok());
    }

    #[test]
    fn domain_names() {
        assert_eq!(
            check_domain_name("API.Example.test").unwrap(),
            "api.example.test"
        );
        assert!(check_domain_name("api.example.test:443").is_err());
        assert!(check_domain_name("https://api.example.test").is_err());
        assert!(check_domain_name("-a.test").is_err());
        assert!(check_domain_name("a..test").is_err());
        assert!(
            check_domain_name("*.example.test")
                .unwrap_err()
                .contains("wildcard")
        );
    }
}
