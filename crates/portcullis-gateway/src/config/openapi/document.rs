//! The document's identity: its specification version, title and the API id
//! of the `execute-api` host it was exported from.

use super::context::{Ctx, Version};
use super::is_api_id;
use super::tree::Node;
use crate::config::problems::{child, item};

/// The specification the document follows, or the location and message of
/// why it is not one we import.
pub(crate) fn version(root: &Node) -> Result<Version, (String, String)> {
    if let Some(swagger) = root.get("swagger") {
        return match swagger.to_string().as_str() {
            "2.0" | "2.0.0" => Ok(Version::Swagger2),
            other => Err((
                "swagger".to_owned(),
                format!("Swagger version `{other}` is not supported; expected 2.0"),
            )),
        };
    }
    match root.get("openapi") {
        Some(Node::Str(v)) if v == "3.0" || v.starts_with("3.0.") => Ok(Version::OpenApi3),
        Some(other) => Err((
            "openapi".to_owned(),
            format!("OpenAPI version `{other}` is not supported; API Gateway imports OpenAPI 3.0 and Swagger 2.0"),
        )),
        None => Err((
            String::new(),
            "not an OpenAPI definition: it has neither an `openapi: 3.0.x` nor a `swagger: \"2.0\"` field".to_owned(),
        )),
    }
}

/// `info.title`, which names the API. A missing title is a problem (AWS
/// refuses to import without one).
pub(crate) fn title(ctx: &mut Ctx<'_>) -> String {
    let Some(info) = ctx.root.get("info") else {
        ctx.problem(
            "info",
            "`info` with a `title` is required; the title names the API",
        );
        return String::new();
    };
    match info.get("title") {
        Some(title) => ctx.str(title, "info.title").unwrap_or_default().to_owned(),
        None => {
            ctx.problem("info.title", "`title` is required; it names the API");
            String::new()
        }
    }
}

/// The API id of the `execute-api` host the definition was exported from:
/// Swagger 2 `host`, or the first OpenAPI 3 `servers[].url` on such a host
/// (server variables substituted with their defaults).
pub(crate) fn api_id(ctx: &mut Ctx<'_>) -> Option<String> {
    let root = ctx.root;
    if let Some(host) = root.get("host") {
        let host = ctx.str(host, "host")?;
        return id_from_host(host);
    }
    let servers = root.get("servers")?;
    for (i, server) in ctx
        .seq(servers, "servers")
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let at = item("servers", i);
        let Some(url) = server.get("url") else {
            continue;
        };
        let Some(url) = ctx.str(url, &child(&at, "url")) else {
            continue;
        };
        let url = substitute_server_variables(url, server.get("variables"));
        if let Some(id) = id_from_host(host_of(&url)) {
            return Some(id);
        }
    }
    None
}

/// The host part of a URL (`https://abc.execute-api.x.amazonaws.com/{basePath}` → `abc.execute-api...`).
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

/// `abc123.execute-api.us-east-1.amazonaws.com` → `abc123`.
fn id_from_host(host: &str) -> Option<String> {
    let (id, rest) = host.split_once('.')?;
    (rest.starts_with("execute-api.") && is_api_id(id)).then(|| id.to_owned())
}

/// Replaces `{name}` in a server URL with the variable's `default`.
fn substitute_server_variables(url: &str, variables: Option<&Node>) -> String {
    let mut out = String::new();
    let mut rest = url;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let inner = &rest[start + 1..];
        let Some(end) = inner.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &inner[..end];
        match variables
            .and_then(|v| v.get(name))
            .and_then(|v| v.get("default"))
        {
            Some(default) => out.push_str(&default.to_string()),
            None => {
                out.push('{');
                out.push_str(name);
                out.push('}');
            }
        }
        rest = &inner[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::openapi::tree::parse;

    fn version_of(text: &str) -> Result<Version, String> {
        version(&parse(text).unwrap()).map_err(|(at, msg)| format!("{at}: {msg}"))
    }

    #[test]
    fn versions() {
        assert_eq!(version_of("swagger: '2.0'"), Ok(Version::Swagger2));
        assert_eq!(version_of("swagger: 2.0"), Ok(Version::Swagger2));
        assert_eq!(version_of("openapi: 3.0.1"), Ok(Version::OpenApi3));
        assert!(
            version_of("openapi: 3.1.0")
                .unwrap_err()
                .starts_with("openapi: OpenAPI version `3.1.0`")
        );
        assert!(version_of("swagger: '1.2'").is_err());
        assert!(version_of("info: {}").unwrap_err().contains("neither"));
    }

    #[test]
    fn hosts() {
        assert_eq!(
            id_from_host("abc123defg.execute-api.us-east-1.amazonaws.com").as_deref(),
            Some("abc123defg")
        );
        assert_eq!(id_from_host("api.example.com"), None);
        assert_eq!(
            host_of("https://abc.execute-api.{region}.amazonaws.com/{basePath}"),
            "abc.execute-api.{region}.amazonaws.com"
        );
        assert_eq!(host_of("abc.execute-api.x"), "abc.execute-api.x");
    }

    #[test]
    fn server_variables() {
        let vars = parse("basePath: {default: prod}\nregion: {default: eu-west-1}").unwrap();
        assert_eq!(
            substitute_server_variables(
                "https://{id}.execute-api.{region}.amazonaws.com/{basePath}",
                Some(&vars)
            ),
            "https://{id}.execute-api.eu-west-1.amazonaws.com/prod"
        );
        assert_eq!(
            substitute_server_variables("https://x/{open", None),
            "https://x/{open"
        );
    }
}
