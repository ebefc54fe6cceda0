//! Integration URIs with `{path}` placeholders and `${stageVariables.x}`, parsed once.

use std::fmt::Write as _;

/// A parsed integration URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UriTemplate {
    parts: Vec<UriPart>,
    /// Whether the URI has no path of its own (`https://host` or `https://host/`):
    /// HTTP APIs then forward the request path.
    pub(crate) bare_origin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum UriPart {
    Literal(String),
    StageVariable(String),
    PathParameter(String),
}

impl UriTemplate {
    /// Parses `uri`.
    ///
    /// # Errors
    /// A message when a placeholder is unterminated or empty.
    pub(crate) fn parse(uri: &str) -> Result<Self, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = uri;
        while let Some(at) = rest.find(['$', '{']) {
            literal.push_str(&rest[..at]);
            let tail = &rest[at..];
            if let Some(inner) = tail.strip_prefix("${stageVariables.") {
                let end = inner
                    .find('}')
                    .ok_or_else(|| format!("unterminated ${{stageVariables...}} in {uri:?}"))?;
                push_literal(&mut parts, &mut literal);
                parts.push(UriPart::StageVariable(inner[..end].to_owned()));
                rest = &inner[end + 1..];
            } else if let Some(inner) = tail.strip_prefix('{') {
                let end = inner
                    .find('}')
                    .ok_or_else(|| format!("unterminated {{placeholder}} in {uri:?}"))?;
                let name = inner[..end].trim_end_matches('+');
                if name.is_empty() {
                    return Err(format!("empty {{}} placeholder in {uri:?}"));
                }
                push_literal(&mut parts, &mut literal);
                parts.push(UriPart::PathParameter(name.to_owned()));
                rest = &inner[end + 1..];
            } else {
                literal.push('$');
                rest = &tail[1..];
            }
        }
        literal.push_str(rest);
        push_literal(&mut parts, &mut literal);
        let bare_origin = match uri.split_once("://") {
            Some((_, after)) => after.find('/').is_none_or(|slash| {
                let path = &after[slash..];
                path == "/"
            }),
            None => false,
        };
        Ok(Self { parts, bare_origin })
    }

    /// Names of the stage variables the URI uses.
    pub(crate) fn stage_variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            UriPart::StageVariable(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Names of the path placeholders the URI uses.
    #[cfg(test)]
    fn path_parameters(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            UriPart::PathParameter(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Writes the URI with placeholders filled in.
    pub(crate) fn render<'a>(
        &self,
        out: &mut String,
        stage_variable: impl Fn(&str) -> Option<&'a str>,
        path_parameter: impl Fn(&str) -> Option<&'a str>,
    ) {
        for part in &self.parts {
            match part {
                UriPart::Literal(text) => out.push_str(text),
                UriPart::StageVariable(name) => out.push_str(stage_variable(name).unwrap_or("")),
                UriPart::PathParameter(name) => match path_parameter(name) {
                    Some(value) => out.push_str(value),
                    None => {
                        let _ = write!(out, "{{{name}}}");
                    }
                },
            }
        }
    }
}

fn push_literal(parts: &mut Vec<UriPart>, literal: &mut String) {
    if !literal.is_empty() {
        parts.push(UriPart::Literal(std::mem::take(literal)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_stage_variables_and_params() {
        let t = UriTemplate::parse("http://${stageVariables.host}/pets/{id}/{proxy+}").unwrap();
        assert_eq!(t.stage_variables().collect::<Vec<_>>(), ["host"]);
        assert_eq!(t.path_parameters().collect::<Vec<_>>(), ["id", "proxy"]);
        let mut out = String::new();
        t.render(
            &mut out,
            |n| (n == "host").then_some("127.0.0.1:9"),
            |n| match n {
                "id" => Some("a%2Fb"),
                "proxy" => Some("x/y"),
                _ => None,
            },
        );
        assert_eq!(out, "http://127.0.0.1:9/pets/a%2Fb/x/y");
        assert!(!t.bare_origin);
    }

    #[test]
    fn bare_origin_detection() {
        assert!(
            UriTemplate::parse("https://example.com")
                .unwrap()
                .bare_origin
        );
        assert!(
            UriTemplate::parse("https://example.com/")
                .unwrap()
                .bare_origin
        );
        assert!(
            !UriTemplate::parse("https://example.com/a")
                .unwrap()
                .bare_origin
        );
    }

    #[test]
    fn unterminated_is_an_error() {
        assert!(UriTemplate::parse("http://x/{id").is_err());
        assert!(UriTemplate::parse("http://${stageVariables.x").is_err());
        assert!(UriTemplate::parse("http://x/{}").is_err());
    }
}
