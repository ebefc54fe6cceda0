//! Stages and stage variables: the rules AWS applies to their names and
//! values, and the `${stageVariables.NAME}` references of integration URIs.

use std::collections::BTreeMap;

use crate::config::model::DEFAULT_NAME;

/// Most stage variables a stage may have (limits: "Stage variables per stage").
pub(crate) const MAX_VARIABLES: usize = 100;
/// Longest stage variable name (limits: "Length, in characters, of the key in a stage variable").
pub(crate) const MAX_NAME_LEN: usize = 64;
/// Longest stage variable value (limits: "Length, in characters, of the value in a stage variable").
pub(crate) const MAX_VALUE_LEN: usize = 512;
/// Longest stage name (api-gateway-known-issues).
pub(crate) const MAX_STAGE_NAME_LEN: usize = 128;

/// Checks a stage name: alphanumerics, `-` and `_`, at most 128 characters
/// (api-gateway-known-issues), or `$default`.
pub(crate) fn check_stage_name(name: &str) -> Result<(), String> {
    if name == DEFAULT_NAME {
        return Ok(());
    }
    if name.is_empty() {
        return Err("the stage name is empty".to_owned());
    }
    if name.chars().count() > MAX_STAGE_NAME_LEN {
        return Err(format!(
            "stage names have at most {MAX_STAGE_NAME_LEN} characters"
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(format!(
            "stage name `{name}` has `{bad}`; stage names hold only letters, digits, `-` and `_` (or are `$default`)"
        ));
    }
    Ok(())
}

/// Checks one stage variable. Names hold letters, digits and `_`; values match
/// `[A-Za-z0-9-._~:/?#&=,]+` (the CreateStage API's rule for `variables`);
/// lengths are those of the limits page.
pub(crate) fn check_variable(name: &str, value: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if name.is_empty() {
        problems.push("the stage variable name is empty".to_owned());
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        problems.push(format!(
            "stage variable name `{name}` may hold only letters, digits and `_`"
        ));
    }
    if name.chars().count() > MAX_NAME_LEN {
        problems.push(format!(
            "stage variable names have at most {MAX_NAME_LEN} characters"
        ));
    }
    if value.is_empty() {
        problems.push(format!("stage variable `{name}` has an empty value"));
    } else if let Some(bad) = value.chars().find(|c| !is_value_char(*c)) {
        problems.push(format!(
            "the value of stage variable `{name}` has `{bad}`; values may hold only letters, digits and `-._~:/?#&=,`"
        ));
    }
    if value.chars().count() > MAX_VALUE_LEN {
        problems.push(format!(
            "the value of stage variable `{name}` is longer than {MAX_VALUE_LEN} characters"
        ));
    }
    problems
}

fn is_value_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#&=,".contains(c)
}

/// A piece of an integration URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UriPart<'a> {
    /// Text as written (may hold `{name}` path placeholders).
    Text(&'a str),
    /// `${stageVariables.NAME}`.
    StageVariable(&'a str),
}

/// Splits an integration URI at its `${stageVariables.NAME}` references.
///
/// # Errors
/// An unclosed `${`, a `${...}` that is not a stage variable, or a bad name.
pub(crate) fn split_uri(uri: &str) -> Result<Vec<UriPart<'_>>, String> {
    let mut parts = Vec::new();
    let mut rest = uri;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            parts.push(UriPart::Text(&rest[..start]));
        }
        let inner = &rest[start + 2..];
        let Some(end) = inner.find('}') else {
            return Err("`${` is not closed by `}`".to_owned());
        };
        let expression = &inner[..end];
        let Some(name) = expression.strip_prefix("stageVariables.") else {
            return Err(format!(
                "`${{{expression}}}` cannot be substituted here; integration URIs take only ${{stageVariables.NAME}}"
            ));
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!(
                "`{name}` is not a stage variable name (letters, digits and `_` only)"
            ));
        }
        parts.push(UriPart::StageVariable(name));
        rest = &inner[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(UriPart::Text(rest));
    }
    Ok(parts)
}

/// The stage variables an integration URI references, in order, without repeats.
pub(crate) fn uri_variables(uri: &str) -> Vec<&str> {
    let mut names = Vec::new();
    for part in split_uri(uri).unwrap_or_default() {
        if let UriPart::StageVariable(name) = part
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    names
}

/// Checks that `uri`, with stage variables replaced by `variables` (or by a
/// placeholder when `None`) and `{name}` placeholders by a placeholder, is an
/// absolute `http` or `https` URL.
pub(crate) fn check_http_uri(
    uri: &str,
    variables: Option<&BTreeMap<String, String>>,
) -> Result<(), String> {
    let mut text = String::new();
    for part in split_uri(uri)? {
        match part {
            UriPart::Text(t) => text.push_str(t),
            UriPart::StageVariable(name) => match variables {
                Some(vars) => text.push_str(vars.get(name).map(String::as_str).unwrap_or("")),
                // `1` fits every place a value can take: host, port, path, query.
                None => text.push('1'),
            },
        }
    }
    let text = replace_placeholders(&text)?;
    let parsed: http::Uri = text
        .parse()
        .map_err(|e| format!("`{text}` is not a URL: {e}"))?;
    match parsed.scheme_str().map(str::to_ascii_lowercase).as_deref() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(format!(
                "the URL scheme is `{other}`; HTTP integrations need http or https"
            ));
        }
        None => {
            return Err(format!(
                "`{text}` is not an absolute URL; write http://host/path or https://host/path"
            ));
        }
    }
    match parsed.authority() {
        Some(a) if !a.host().is_empty() => Ok(()),
        _ => Err(format!("`{text}` names no host")),
    }
}

/// Replaces `{name}` and `{name+}` path placeholders with `1`.
fn replace_placeholders(text: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let inner = &rest[start + 1..];
        let Some(end) = inner.find('}') else {
            return Err("`{` is not closed by `}`".to_owned());
        };
        let name = inner[..end].strip_suffix('+').unwrap_or(&inner[..end]);
        if !portcullis_mapping::params::is_param_name(name) {
            return Err(format!("`{{{}}}` is not a path placeholder", &inner[..end]));
        }
        out.push('1');
        rest = &inner[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names() {
        assert!(check_stage_name("prod").is_ok());
        assert!(check_stage_name("v1_beta-2").is_ok());
        assert!(check_stage_name("$default").is_ok());
        assert!(check_stage_name("").is_err());
        assert!(check_stage_name("pro d").unwrap_err().contains("has ` `"));
        assert!(check_stage_name("$prod").is_err());
        assert!(check_stage_name(&"a".repeat(128)).is_ok());
        assert!(
            check_stage_name(&"a".repeat(129))
                .unwrap_err()
                .contains("at most 128")
        );
    }

    #[test]
    fn stage_variables() {
        assert!(check_variable("backend", "127.0.0.1:8080").is_empty());
        assert!(check_variable("url", "https://x.test/a?b=c&d=e#f,g~h").is_empty());
        assert_eq!(check_variable("a-b", "x").len(), 1);
        assert_eq!(check_variable("a", "x y").len(), 1);
        assert_eq!(check_variable("a", "").len(), 1);
        assert_eq!(check_variable(&"k".repeat(65), &"v".repeat(513)).len(), 2);
        assert!(check_variable(&"k".repeat(64), &"v".repeat(512)).is_empty());
    }

    #[test]
    fn uri_references() {
        assert_eq!(
            split_uri("http://${stageVariables.host}/a/${stageVariables.v1}").unwrap(),
            [
                UriPart::Text("http://"),
                UriPart::StageVariable("host"),
                UriPart::Text("/a/"),
                UriPart::StageVariable("v1")
            ]
        );
        assert_eq!(
            uri_variables("http://${stageVariables.a}.x/${stageVariables.a}/${stageVariables.b}"),
            ["a", "b"]
        );
        assert!(
            split_uri("http://${stageVariables.a")
                .unwrap_err()
                .contains("not closed")
        );
        assert!(
            split_uri("http://${AWS::Region}")
                .unwrap_err()
                .contains("only ${stageVariables.NAME}")
        );
        assert!(split_uri("http://${stageVariables.}").is_err());
    }

    #[test]
    fn http_uris() {
        assert!(check_http_uri("https://api.example.com/pets/{petId}", None).is_ok());
        assert!(check_http_uri("http://${stageVariables.backend}/{proxy}", None).is_ok());
        assert!(
            check_http_uri(
                "http://${stageVariables.host}:${stageVariables.port}/a?q=${stageVariables.q}",
                None
            )
            .is_ok()
        );
        assert!(check_http_uri("https://${stageVariables.env}.example.test/{id}", None).is_ok());
        assert!(check_http_uri("HTTP://example.com", None).is_ok());
        assert!(
            check_http_uri("ftp://example.com", None)
                .unwrap_err()
                .contains("scheme is `ftp`")
        );
        assert!(
            check_http_uri("/pets", None)
                .unwrap_err()
                .contains("not an absolute URL")
        );
        assert!(check_http_uri("example.com/pets", None).is_err());
        assert!(
            check_http_uri("http://exa mple.com", None)
                .unwrap_err()
                .contains("is not a URL")
        );
        assert!(
            check_http_uri("http://x/{a", None)
                .unwrap_err()
                .contains("not closed")
        );
        let vars = BTreeMap::from([("backend".to_owned(), "127.0.0.1:8080".to_owned())]);
        assert!(check_http_uri("http://${stageVariables.backend}/x", Some(&vars)).is_ok());
        let bad = BTreeMap::from([("backend".to_owned(), String::new())]);
        assert!(check_http_uri("http://${stageVariables.backend}", Some(&bad)).is_err());
    }
}
