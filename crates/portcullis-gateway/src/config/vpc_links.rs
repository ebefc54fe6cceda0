//! Private integrations (`connectionType: VPC_LINK`): which local URL stands
//! in for each VPC link.
//!
//! On AWS a VPC link reaches a load balancer inside a VPC. Locally the user
//! names a URL per link (`--vpc-link ID=URL`, or `vpc_links:` in the config
//! file). A REST integration's `uri` is a URL whose host AWS only uses as the
//! `Host` header; without a configured link that URL is called directly. An
//! HTTP API names its load balancer or Cloud Map service by ARN, which only a
//! configured link can resolve; AWS then forwards the whole request path,
//! stage included.

use std::collections::BTreeMap;

use super::model::{Api, IntegrationKind};
use super::problems::{Problems, child};

/// The configured VPC links: id → base URL (`http://127.0.0.1:9000`).
pub(crate) type VpcLinks = BTreeMap<String, String>;

/// Resolves every private integration of `api` against `links`, warning
/// about those that no link resolves.
pub(crate) fn resolve(api: &mut Api, links: &VpcLinks, problems: &mut Problems) {
    for route in &mut api.routes {
        let Some(link) = route.integration.private_link.as_mut() else {
            continue;
        };
        let at = child(&route.location, "x-amazon-apigateway-integration");
        let id = link_id(&link.connection_id, api.stages.iter().map(|s| &s.variables));
        let url = id.as_deref().and_then(|id| links.get(id));
        let (IntegrationKind::HttpProxy { uri, .. } | IntegrationKind::Http { uri, .. }) =
            &mut route.integration.kind
        else {
            continue;
        };
        let named = id.as_deref().unwrap_or(&link.connection_id);
        match url {
            Some(url) => {
                link.resolved = Some(url.clone());
                if link.forwards_full_path {
                    url.clone_into(uri);
                } else {
                    link.host_header = authority(uri).map(str::to_owned);
                    *uri = format!("{}{}", url.trim_end_matches('/'), path_and_query(uri));
                }
            }
            None if link.forwards_full_path => {
                let reason = format!(
                    "a private integration through VPC link `{named}` to `{uri}`, which no local URL \
                     stands in for; pass --vpc-link {named}=URL or add it under `vpc_links:`"
                );
                problems.warn(
                    &api.source,
                    child(&at, "connectionId"),
                    format!("{reason}: the route answers 500 Internal Server Error"),
                );
                route.integration.kind = IntegrationKind::Unserved { reason };
            }
            None => problems.warn(
                &api.source,
                child(&at, "connectionId"),
                format!(
                    "VPC link `{named}` has no local URL: `{uri}` is called directly; pass \
                     --vpc-link {named}=URL or add it under `vpc_links:` to send these requests elsewhere"
                ),
            ),
        }
    }
}

/// The link id `connection_id` names: itself, or the value of the stage
/// variable it references in the first stage that defines it.
fn link_id<'a>(
    connection_id: &str,
    mut stages: impl Iterator<Item = &'a BTreeMap<String, String>>,
) -> Option<String> {
    let variable = connection_id
        .strip_prefix("${stageVariables.")
        .and_then(|rest| rest.strip_suffix('}'));
    match variable {
        None => Some(connection_id.to_owned()),
        Some(name) => stages.find_map(|variables| variables.get(name).cloned()),
    }
}

/// The `host[:port]` of a URL, unless a stage variable writes it.
fn authority(uri: &str) -> Option<&str> {
    let after_scheme = uri.find("://").map_or(0, |i| i + 3);
    let rest = &uri[after_scheme..];
    let host = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    (!host.is_empty() && !host.contains("${")).then_some(host)
}

/// The path and query of a URL (`/a/{id}?x=1`), empty when it has none.
fn path_and_query(uri: &str) -> &str {
    let after_scheme = uri.find("://").map_or(0, |i| i + 3);
    match uri[after_scheme..].find(['/', '?']) {
        Some(i) => &uri[after_scheme + i..],
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_ids_come_from_the_text_or_a_stage_variable() {
        let stage = BTreeMap::from([("link".to_owned(), "abc123".to_owned())]);
        assert_eq!(link_id("xyz", [&stage].into_iter()).as_deref(), Some("xyz"));
        assert_eq!(
            link_id("${stageVariables.link}", [&stage].into_iter()).as_deref(),
            Some("abc123")
        );
        assert_eq!(
            link_id("${stageVariables.other}", [&stage].into_iter()),
            None
        );
    }

    #[test]
    fn path_and_query_keep_placeholders() {
        assert_eq!(
            path_and_query("http://nlb.example.com:8080/pets/{id}?a=1"),
            "/pets/{id}?a=1"
        );
        assert_eq!(path_and_query("http://nlb.example.com"), "");
        assert_eq!(path_and_query("http://${stageVariables.host}/x"), "/x");
        assert_eq!(
            authority("http://nlb.example.com:8080/pets"),
            Some("nlb.example.com:8080")
        );
        assert_eq!(
            authority("https://nlb.example.com"),
            Some("nlb.example.com")
        );
        assert_eq!(authority("http://${stageVariables.host}/x"), None);
    }
}
