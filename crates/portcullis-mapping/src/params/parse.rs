//! Parsing mapping keys and values.
//!
//! REST APIs write `"integration.request.header.x-user": "method.request.header.x-user"`
//! (request-response-data-mappings); HTTP APIs write
//! `"append:header.x-user": "user ${request.header.x-user}"` (http-api-parameter-mapping).
//! Both become a [`ParameterMapping`].

use super::{MappingOp, MappingTarget, MappingValue, ParameterMapping, ValuePart};

/// Headers an HTTP API cannot map (http-api-parameter-mapping, "Reserved
/// headers"); entries ending in `*` are prefixes.
const RESERVED_HEADERS: &[&str] = &[
    "access-control-*",
    "apigw-*",
    "authorization",
    "connection",
    "content-encoding",
    "content-length",
    "content-location",
    "forwarded",
    "keep-alive",
    "origin",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "x-amz-*",
    "x-amzn-*",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "via",
];

/// Whether an HTTP API may not map header `name`.
pub fn is_reserved_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    RESERVED_HEADERS
        .iter()
        .any(|reserved| match reserved.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => name == *reserved,
        })
}

/// Whether `name` matches AWS's method request parameter names, `^[a-zA-Z0-9._$-]+$`.
pub fn is_param_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._$-".contains(c))
}

fn check_header_name(name: &str) -> Result<(), String> {
    if http::HeaderName::from_bytes(name.as_bytes()).is_ok() {
        Ok(())
    } else {
        Err(format!("`{name}` is not a valid header name"))
    }
}

fn check_param_name(kind: &str, name: &str) -> Result<(), String> {
    if is_param_name(name) {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid {kind} name (letters, digits and `._$-` only)"
        ))
    }
}

// ===== REST =====

/// Parses one REST `requestParameters` entry: `integration.request.{header|querystring|path}.NAME`
/// mapped from `method.request.*`, `stageVariables.*`, `context.*` or a `'literal'`.
pub fn parse_rest(key: &str, value: &str) -> Result<ParameterMapping, String> {
    let target = parse_rest_target(key)?;
    let part = parse_rest_value(value)?;
    Ok(ParameterMapping {
        target,
        value: MappingValue(vec![part]),
        key: key.to_owned(),
    })
}

fn parse_rest_target(key: &str) -> Result<MappingTarget, String> {
    let Some(rest) = key.strip_prefix("integration.request.") else {
        return Err(if http_key_prefix(key) {
            format!(
                "`{key}` is an HTTP API mapping key; REST API keys look like integration.request.header.NAME"
            )
        } else {
            format!(
                "`{key}` is not a mapping target; expected integration.request.{{header|querystring|path}}.NAME"
            )
        });
    };
    let (kind, name) = rest.split_once('.').unwrap_or((rest, ""));
    match kind {
        "header" => {
            check_header_name(name)?;
            Ok(MappingTarget::Header {
                name: name.to_owned(),
                op: MappingOp::Overwrite,
            })
        }
        "querystring" => {
            check_param_name("query string parameter", name)?;
            Ok(MappingTarget::QueryString {
                name: name.to_owned(),
                op: MappingOp::Overwrite,
            })
        }
        "path" => {
            check_param_name("path parameter", name)?;
            Ok(MappingTarget::PathParameter {
                name: name.to_owned(),
            })
        }
        other => Err(format!(
            "`{other}` is not an integration request parameter type; expected header, querystring or path"
        )),
    }
}

/// Parses a REST mapping source expression (request-response-data-mappings).
pub fn parse_rest_value(value: &str) -> Result<ValuePart, String> {
    if let Some(inner) = value.strip_prefix('\'') {
        return match inner.strip_suffix('\'') {
            Some(literal) => Ok(ValuePart::Literal(literal.to_owned())),
            None => Err(format!(
                "`{value}`: a static value must be enclosed in single quotes ('value')"
            )),
        };
    }
    let expression = value.strip_prefix('$').unwrap_or(value);
    if let Some(name) = expression.strip_prefix("stageVariables.") {
        return stage_variable(name);
    }
    if let Some(name) = expression.strip_prefix("context.") {
        return context_variable(name);
    }
    let Some(source) = value.strip_prefix("method.request.") else {
        return Err(format!(
            "`{value}` is not a mapping expression; expected method.request.{{path|querystring|header|multivaluequerystring|multivalueheader}}.NAME, \
             method.request.body[.JSONPATH], stageVariables.NAME, context.NAME or a 'static value' in single quotes"
        ));
    };
    if source == "body" {
        return Ok(ValuePart::Body(None));
    }
    let (kind, name) = source.split_once('.').unwrap_or((source, ""));
    let part = match kind {
        "body" => return Ok(ValuePart::Body(Some(name.to_owned()))),
        "path" => ValuePart::PathParameter(name.to_owned()),
        "querystring" => ValuePart::QueryString(name.to_owned()),
        "multivaluequerystring" => ValuePart::MultiQueryString(name.to_owned()),
        "header" => ValuePart::Header(name.to_owned()),
        "multivalueheader" => ValuePart::MultiHeader(name.to_owned()),
        other => {
            return Err(format!(
                "`{other}` is not a method request parameter type; expected path, querystring, \
                 multivaluequerystring, header, multivalueheader or body"
            ));
        }
    };
    check_param_name("method request parameter", name)?;
    Ok(part)
}

fn stage_variable(name: &str) -> Result<ValuePart, String> {
    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        Ok(ValuePart::StageVariable(name.to_owned()))
    } else {
        Err(format!(
            "`{name}` is not a stage variable name (letters, digits and `_` only)"
        ))
    }
}

fn context_variable(name: &str) -> Result<ValuePart, String> {
    let valid = name.split('.').all(|segment| {
        !segment.is_empty()
            && segment
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    });
    if valid {
        Ok(ValuePart::Context(name.to_owned()))
    } else {
        Err(format!("`{name}` is not a context variable name"))
    }
}

// ===== HTTP API =====

fn http_key_prefix(key: &str) -> bool {
    ["append:", "overwrite:", "remove:"]
        .iter()
        .any(|p| key.starts_with(p))
}

/// Parses one HTTP API `requestParameters` entry: `append|overwrite|remove:header.NAME`,
/// `append|overwrite|remove:querystring.NAME` or `overwrite:path`, with a value mixing
/// text and `$request.*`, `$context.*`, `$stageVariables.*` (or `${...}`) expressions.
pub fn parse_http(key: &str, value: &str) -> Result<ParameterMapping, String> {
    let target = parse_http_target(key)?;
    let value = parse_http_value(value)?;
    if value
        .0
        .iter()
        .any(|p| matches!(p, ValuePart::ResponseHeader(_) | ValuePart::ResponseBody(_)))
    {
        return Err(format!(
            "`{key}`: $response values exist only in responseParameters"
        ));
    }
    Ok(ParameterMapping {
        target,
        value,
        key: key.to_owned(),
    })
}

/// Parses one HTTP API `responseParameters` entry: `append|overwrite|remove:header.NAME`
/// or `overwrite:statuscode`, with values that may read `$response.header.NAME` and
/// `$response.body[.path]` besides `$context` and `$stageVariables`.
pub fn parse_http_response(key: &str, value: &str) -> Result<ParameterMapping, String> {
    let target = if key == "overwrite:statuscode" {
        MappingTarget::StatusCode
    } else {
        match parse_http_target(key)? {
            target @ MappingTarget::Header { .. } => target,
            _ => {
                return Err(format!(
                    "`{key}` cannot map a response; expected append|overwrite|remove:header.NAME or overwrite:statuscode"
                ));
            }
        }
    };
    let value = parse_http_value(value)?;
    if let Some(part) = value.0.iter().find(|p| {
        !matches!(
            p,
            ValuePart::Literal(_)
                | ValuePart::ResponseHeader(_)
                | ValuePart::ResponseBody(_)
                | ValuePart::Context(_)
                | ValuePart::StageVariable(_)
        )
    }) {
        return Err(format!(
            "`{key}`: {part:?} is a request value; response mappings read $response, $context and $stageVariables"
        ));
    }
    Ok(ParameterMapping {
        target,
        value,
        key: key.to_owned(),
    })
}

fn parse_http_target(key: &str) -> Result<MappingTarget, String> {
    let Some((op, place)) = key.split_once(':') else {
        return Err(if key.starts_with("integration.request.") {
            format!(
                "`{key}` is a REST API mapping key; HTTP API keys look like overwrite:header.NAME"
            )
        } else {
            format!(
                "`{key}` is not a mapping key; expected append|overwrite|remove:header.NAME, \
                 append|overwrite|remove:querystring.NAME or overwrite:path"
            )
        });
    };
    let op = match op {
        "append" => MappingOp::Append,
        "overwrite" => MappingOp::Overwrite,
        "remove" => MappingOp::Remove,
        other => {
            return Err(format!(
                "`{other}` is not a mapping operation; expected append, overwrite or remove"
            ));
        }
    };
    if place == "path" {
        return match op {
            MappingOp::Overwrite => Ok(MappingTarget::Path),
            _ => Err("the request path can only be overwritten (overwrite:path)".to_owned()),
        };
    }
    match place.split_once('.') {
        Some(("header", name)) => {
            check_header_name(name)?;
            if is_reserved_header(name) {
                return Err(format!(
                    "header `{name}` is reserved; HTTP APIs cannot map it (http-api-parameter-mapping, Reserved headers)"
                ));
            }
            Ok(MappingTarget::Header {
                name: name.to_owned(),
                op,
            })
        }
        Some(("querystring", name)) => {
            if name.is_empty() {
                return Err("the query string parameter name is empty".to_owned());
            }
            Ok(MappingTarget::QueryString {
                name: name.to_owned(),
                op,
            })
        }
        _ => Err(format!(
            "`{place}` is not a mapping target; expected header.NAME, querystring.NAME or path"
        )),
    }
}

/// Parses an HTTP API mapping value into literal text and expressions.
pub fn parse_http_value(value: &str) -> Result<MappingValue, String> {
    let mut parts = Vec::new();
    let mut literal = String::new();
    let mut rest = value;
    while let Some(dollar) = rest.find('$') {
        literal.push_str(&rest[..dollar]);
        let after = &rest[dollar + 1..];
        if let Some(braced) = after.strip_prefix('{') {
            let Some(end) = braced.find('}') else {
                return Err(format!("`{value}`: `${{` is not closed by `}}`"));
            };
            flush(&mut literal, &mut parts);
            parts.push(parse_http_expression(&braced[..end], true)?);
            rest = &braced[end + 1..];
        } else if let Some(length) = unbraced_length(after) {
            flush(&mut literal, &mut parts);
            parts.push(parse_http_expression(&after[..length], false)?);
            rest = &after[length..];
        } else {
            literal.push('$');
            rest = after;
        }
    }
    literal.push_str(rest);
    flush(&mut literal, &mut parts);
    Ok(MappingValue(parts))
}

fn flush(literal: &mut String, parts: &mut Vec<ValuePart>) {
    if !literal.is_empty() {
        parts.push(ValuePart::Literal(std::mem::take(literal)));
    }
}

/// The length of an unbraced expression after `$`: a known root followed by
/// dotted names. `None` when the `$` is plain text.
fn unbraced_length(after: &str) -> Option<usize> {
    let root = ["request", "response", "context", "stageVariables"]
        .into_iter()
        .find(|root| {
            after
                .strip_prefix(root)
                .is_some_and(|tail| tail.is_empty() || tail.starts_with('.'))
        })?;
    let mut end = root.len();
    let bytes = after.as_bytes();
    // Take `.name` segments while a name character follows the dot.
    while end < bytes.len() && bytes[end] == b'.' {
        let segment = after[end + 1..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || b"_-[]*".contains(b))
            .count();
        if segment == 0 {
            break;
        }
        end += 1 + segment;
    }
    Some(end)
}

fn parse_http_expression(expression: &str, braced: bool) -> Result<ValuePart, String> {
    let shown = if braced {
        format!("${{{expression}}}")
    } else {
        format!("${expression}")
    };
    if let Some(name) = expression.strip_prefix("stageVariables.") {
        return stage_variable(name).map_err(|e| format!("`{shown}`: {e}"));
    }
    if let Some(name) = expression.strip_prefix("context.") {
        return context_variable(name).map_err(|e| format!("`{shown}`: {e}"));
    }
    if let Some(source) = expression.strip_prefix("response.") {
        return match source.split_once('.') {
            None if source == "body" => Ok(ValuePart::ResponseBody(None)),
            Some(("header", name)) if !name.is_empty() => {
                Ok(ValuePart::ResponseHeader(name.to_owned()))
            }
            Some(("body", path)) if path.starts_with('.') || path.contains("?(") => Err(format!(
                "`{shown}`: recursive descent and filter expressions are not supported (http-api-parameter-mapping)"
            )),
            Some(("body", path)) if !path.is_empty() => {
                Ok(ValuePart::ResponseBody(Some(path.to_owned())))
            }
            _ => Err(format!(
                "`{shown}`: expected $response.header.NAME, $response.body or $response.body.PATH"
            )),
        };
    }
    let source = match expression.strip_prefix("request") {
        Some("") => {
            return Err(format!(
                "`{shown}` names no request value; expected $request.header.NAME, ..."
            ));
        }
        Some(tail) => tail.strip_prefix('.').unwrap_or(tail),
        None => {
            return Err(format!(
                "`{shown}` is not a mapping expression; expected $request..., $context... or $stageVariables..."
            ));
        }
    };
    match source {
        "path" => return Ok(ValuePart::WholePath),
        "body" => return Ok(ValuePart::Body(None)),
        _ => {}
    }
    let (kind, name) = source.split_once('.').unwrap_or((source, ""));
    if name.is_empty() {
        return Err(format!("`{shown}` names no {kind}"));
    }
    match kind {
        "header" => Ok(ValuePart::Header(name.to_owned())),
        "querystring" => Ok(ValuePart::QueryString(name.to_owned())),
        "path" => Ok(ValuePart::PathParameter(name.to_owned())),
        "body" if name.starts_with('.') || name.contains("?(") => Err(format!(
            "`{shown}`: recursive descent and filter expressions are not supported (http-api-parameter-mapping)"
        )),
        "body" => Ok(ValuePart::Body(Some(name.to_owned()))),
        other => Err(format!(
            "`{shown}`: `{other}` is not a request value; expected header, querystring, path or body"
        )),
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
