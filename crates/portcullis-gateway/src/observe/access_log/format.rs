//! Access-log formats: AWS's format strings (`$context.requestId
//! $context.status ...`), parsed once into literal text and variables, and
//! rendered per request without looking a name up twice.

use std::fmt::Write as _;

use crate::config::ApiType;

/// The console's presets by name; `{route}` becomes `resourcePath` for REST
/// APIs and `routeKey` for HTTP APIs, as AWS's presets for each do.
const PRESETS: &[(&str, &str)] = &[
    (
        "CLF",
        "$context.identity.sourceIp $context.identity.caller $context.identity.user [$context.requestTime] \
         \"$context.httpMethod {route} $context.protocol\" $context.status $context.responseLength $context.requestId",
    ),
    (
        "JSON",
        "{ \"requestId\":\"$context.requestId\", \"ip\": \"$context.identity.sourceIp\", \
         \"caller\":\"$context.identity.caller\", \"user\":\"$context.identity.user\", \
         \"requestTime\":\"$context.requestTime\", \"httpMethod\":\"$context.httpMethod\", \
         \"{routeName}\":\"{route}\", \"status\":\"$context.status\", \"protocol\":\"$context.protocol\", \
         \"responseLength\":\"$context.responseLength\" }",
    ),
    (
        "XML",
        "<request id=\"$context.requestId\"> <ip>$context.identity.sourceIp</ip> \
         <caller>$context.identity.caller</caller> <user>$context.identity.user</user> \
         <requestTime>$context.requestTime</requestTime> <httpMethod>$context.httpMethod</httpMethod> \
         <{routeName}>{route}</{routeName}> <status>$context.status</status> \
         <protocol>$context.protocol</protocol> <responseLength>$context.responseLength</responseLength> </request>",
    ),
    (
        "CSV",
        "$context.identity.sourceIp,$context.identity.caller,$context.identity.user,$context.requestTime,\
         $context.httpMethod,{route},$context.protocol,$context.status,$context.responseLength,$context.requestId",
    ),
];

/// Variables AWS documents for access logs that this gateway knows by name
/// (besides the families in [`FAMILIES`]). Those it cannot know locally
/// (`wafResponseCode`, `awsEndpointRequestId`, ...) render as `-`, as AWS
/// renders any value it does not have.
const KNOWN: &[&str] = &[
    "accountId",
    "apiId",
    "awsEndpointRequestId",
    "awsEndpointRequestId2",
    "customDomain.basePathMatched",
    "dataProcessed",
    "domainName",
    "domainPrefix",
    "error.message",
    "error.messageString",
    "error.responseType",
    "error.validationErrorString",
    "extendedRequestId",
    "httpMethod",
    "integration.error",
    "integration.integrationStatus",
    "integration.latency",
    "integration.requestId",
    "integration.status",
    "integrationErrorMessage",
    "integrationLatency",
    "integrationStatus",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "responseLatency",
    "responseLength",
    "routeKey",
    "stage",
    "status",
    "wafResponseCode",
    "webaclArn",
    "xrayTraceId",
    "traceId",
];

/// Name prefixes whose members are open-ended (an authorizer's context keys,
/// identity fields, overrides).
const FAMILIES: &[&str] = &[
    "authorizer.",
    "authenticate.",
    "authorize.",
    "identity.",
    "requestOverride.",
    "responseOverride.",
    "waf.",
];

/// What a variable's source wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Written {
    /// A value, to escape.
    Value,
    /// A value to escape and put in quotes (`$context.error.messageString`).
    Quoted,
    /// No value: `-`.
    Nothing,
}

/// A format string, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LogFormat {
    parts: Box<[Part]>,
    /// A guess at one line's length, to size its buffer once.
    line_hint: usize,
}

/// One piece of a format.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(Box<str>),
    /// A `$context` variable by name (without `context.`).
    Variable(Box<str>),
}

/// Why a format cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum FormatError {
    /// AWS requires one of the two ids in every access-log format.
    #[error(
        "the format must contain $context.requestId or $context.extendedRequestId (AWS refuses formats without one)"
    )]
    NoRequestId,
    /// Formats are one line; the line break is added.
    #[error(
        "the format must be a single line (a line break ends each entry already); found a line break or control character inside it"
    )]
    NotOneLine,
    /// Nothing to log.
    #[error("the format is empty")]
    Empty,
}

/// What parsing found besides the compiled format.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The format.
    pub(crate) format: LogFormat,
    /// Variables that are not AWS `$context` variables (logged as `-`).
    pub(crate) unknown: Vec<String>,
}

impl LogFormat {
    /// Parses `text`: a format string, or a preset's name (`CLF`, `JSON`,
    /// `XML`, `CSV`, in any case) expanded for `api_type`.
    ///
    /// # Errors
    /// When the format is empty, spans lines, or names no request id.
    pub(crate) fn parse(text: &str, api_type: ApiType) -> Result<Parsed, FormatError> {
        let text = text.strip_suffix('\n').unwrap_or(text);
        let expanded;
        let text = match PRESETS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(text.trim()))
        {
            Some((_, preset)) => {
                let (name, variable) = match api_type {
                    ApiType::Rest => ("resourcePath", "$context.resourcePath"),
                    ApiType::Http => ("routeKey", "$context.routeKey"),
                };
                expanded = preset
                    .replace("{routeName}", name)
                    .replace("{route}", variable);
                expanded.as_str()
            }
            None => text,
        };
        if text.trim().is_empty() {
            return Err(FormatError::Empty);
        }
        if text.chars().any(char::is_control) {
            return Err(FormatError::NotOneLine);
        }
        let mut parts = Vec::new();
        let mut unknown = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("$context.") {
            literal.push_str(&rest[..at]);
            let after = &rest[at + "$context.".len()..];
            let length = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-'))
                .unwrap_or(after.len());
            // A sentence's full stop is not part of the name.
            let name = after[..length].trim_end_matches('.');
            if name.is_empty() {
                literal.push_str("$context.");
                rest = after;
                continue;
            }
            if !literal.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut literal).into()));
            }
            if !is_known(name) && !unknown.iter().any(|u| u == name) {
                unknown.push(name.to_owned());
            }
            parts.push(Part::Variable(name.into()));
            rest = &after[name.len()..];
        }
        literal.push_str(rest);
        if !literal.is_empty() {
            parts.push(Part::Text(literal.into()));
        }
        let names_an_id = parts.iter().any(|part| {
            matches!(part, Part::Variable(name) if &**name == "requestId" || &**name == "extendedRequestId")
        });
        if !names_an_id {
            return Err(FormatError::NoRequestId);
        }
        let line_hint = parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => text.len(),
                Part::Variable(_) => 16,
            })
            .sum::<usize>()
            + 1;
        Ok(Parsed {
            format: LogFormat {
                parts: parts.into(),
                line_hint,
            },
            unknown,
        })
    }

    /// One entry: the format with each variable's value (`-` when it has
    /// none), escaped so it cannot break a JSON string or a quoted CLF
    /// field, and a line break.
    pub(crate) fn render(&self, mut value: impl FnMut(&str, &mut String) -> Written) -> String {
        let mut line = String::with_capacity(self.line_hint);
        let mut scratch = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => line.push_str(text),
                Part::Variable(name) => {
                    scratch.clear();
                    match value(name, &mut scratch) {
                        Written::Value => escape_into(&scratch, &mut line),
                        Written::Quoted => {
                            line.push('"');
                            escape_into(&scratch, &mut line);
                            line.push('"');
                        }
                        Written::Nothing => line.push('-'),
                    }
                }
            }
        }
        line.push('\n');
        line
    }
}

fn is_known(name: &str) -> bool {
    KNOWN.contains(&name) || FAMILIES.iter().any(|family| name.starts_with(family))
}

/// Appends `value` with `"` and `\` escaped by a backslash and control
/// characters as `\u00XX`: safe inside JSON strings and quoted log fields.
fn escape_into(value: &str, out: &mut String) {
    if !value
        .bytes()
        .any(|b| b == b'"' || b == b'\\' || b.is_ascii_control())
    {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Parsed {
        LogFormat::parse(text, ApiType::Rest).unwrap()
    }

    fn render(format: &LogFormat, values: &[(&str, &str)]) -> String {
        format.render(|name, out| match values.iter().find(|(n, _)| *n == name) {
            Some((_, v)) => {
                out.push_str(v);
                Written::Value
            }
            None => Written::Nothing,
        })
    }

    #[test]
    fn variables_and_text_alternate() {
        let parsed =
            parse("$context.requestId \"$context.httpMethod $context.path\" $context.status.");
        assert!(parsed.unknown.is_empty());
        let line = render(
            &parsed.format,
            &[
                ("requestId", "r-1"),
                ("httpMethod", "GET"),
                ("path", "/a"),
                ("status", "200"),
            ],
        );
        assert_eq!(line, "r-1 \"GET /a\" 200.\n");
    }

    #[test]
    fn missing_values_are_dashes_and_values_are_escaped() {
        let parsed = parse(
            r#"{"id":"$context.requestId","ua":"$context.identity.userAgent","x":"$context.error.message"}"#,
        );
        let line = render(
            &parsed.format,
            &[("requestId", "r"), ("identity.userAgent", "a\"b\\c\nd")],
        );
        assert_eq!(
            line,
            "{\"id\":\"r\",\"ua\":\"a\\\"b\\\\c\\u000ad\",\"x\":\"-\"}\n"
        );
        let json: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(json["ua"], "a\"b\\c\nd");
    }

    #[test]
    fn presets_follow_the_api_type() {
        let rest = LogFormat::parse("clf", ApiType::Rest).unwrap().format;
        let http = LogFormat::parse("JSON", ApiType::Http).unwrap().format;
        let rest_line = render(&rest, &[("resourcePath", "/pets/{id}"), ("requestId", "r")]);
        assert!(rest_line.contains("/pets/{id}"), "{rest_line}");
        let http_line = render(&http, &[("routeKey", "GET /pets"), ("requestId", "r")]);
        let json: serde_json::Value = serde_json::from_str(http_line.trim_end()).unwrap();
        assert_eq!(json["routeKey"], "GET /pets");
        assert_eq!(json["status"], "-");
    }

    #[test]
    fn formats_aws_refuses_are_errors() {
        assert_eq!(
            LogFormat::parse("$context.status", ApiType::Rest).unwrap_err(),
            FormatError::NoRequestId
        );
        assert_eq!(
            LogFormat::parse("$context.requestId\n$context.status", ApiType::Rest).unwrap_err(),
            FormatError::NotOneLine
        );
        assert_eq!(
            LogFormat::parse("  ", ApiType::Http).unwrap_err(),
            FormatError::Empty
        );
        // One trailing line break (a YAML block scalar) is the entry's own.
        assert!(LogFormat::parse("$context.requestId\n", ApiType::Rest).is_ok());
    }

    #[test]
    fn unknown_variables_are_reported_once() {
        let parsed = parse(
            "$context.requestId $context.nope $context.nope $context.authorizer.claims.sub $",
        );
        assert_eq!(parsed.unknown, ["nope"]);
        assert_eq!(render(&parsed.format, &[("requestId", "r")]), "r - - - $\n");
    }
}
