//! Readers for a statement's elements: the `Element`/`NotElement` pairs,
//! lists of strings, actions, resources and principals. Each refuses what it
//! cannot read, with an error naming the element.

use serde_json::{Map, Value};

use super::MAX_VALUE_BYTES;
use super::ParseOptions;
use super::document::Budget;
use super::error::{PolicyError, StatementCx, shown};
use super::pattern::{Case, Pattern};
use super::principal::PrincipalEntry;
use super::variables::{Syntax, tokenize};

/// Finds `Element` or `NotElement`, refusing both. Gives (negated, name, value).
pub(crate) fn pair<'v>(
    s: &'v Map<String, Value>,
    plain: &'static str,
    not: &'static str,
    cx: &StatementCx<'_>,
) -> Result<Option<(bool, &'static str, &'v Value)>, PolicyError> {
    match (s.get(plain), s.get(not)) {
        (Some(_), Some(_)) => Err(cx.error(not, format!("cannot be used together with {plain}"))),
        (Some(v), None) => Ok(Some((false, plain, v))),
        (None, Some(v)) => Ok(Some((true, not, v))),
        (None, None) => Ok(None),
    }
}

/// A string or a non-empty list of strings, each within [`MAX_VALUE_BYTES`].
pub(crate) fn strings<'v>(
    value: &'v Value,
    element: &str,
    cx: &StatementCx<'_>,
    budget: &mut Budget,
) -> Result<Vec<&'v str>, PolicyError> {
    let list: Vec<&str> = match value {
        Value::String(s) => vec![s],
        Value::Array(items) if items.is_empty() => {
            return Err(cx.error(element, "is an empty list"));
        }
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str().ok_or_else(|| {
                    cx.error(
                        element,
                        format!("has the entry {}, which is not a string", shown(item)),
                    )
                })
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(cx.error(
                element,
                format!(
                    "must be a string or a list of strings, found {}",
                    shown(other)
                ),
            ));
        }
    };
    budget.take(list.len(), cx)?;
    if let Some(long) = list.iter().find(|s| s.len() > MAX_VALUE_BYTES) {
        return Err(cx.error(
            element,
            format!(
                "has an entry of {} bytes, over the limit of {MAX_VALUE_BYTES}",
                long.len()
            ),
        ));
    }
    Ok(list)
}

pub(crate) fn action(
    text: &str,
    element: &str,
    cx: &StatementCx<'_>,
) -> Result<Pattern, PolicyError> {
    let well_formed = text == "*"
        || text
            .split_once(':')
            .is_some_and(|(service, name)| !service.is_empty() && !name.is_empty());
    if !well_formed {
        return Err(cx.error(
            element,
            format!("has the entry {text:?}, which is not \"*\" or \"service:action\" (execute-api:Invoke)"),
        ));
    }
    let syntax = Syntax {
        wildcards: true,
        variables: false,
    };
    let tokens = tokenize(text, syntax).map_err(|reason| cx.error(element, reason))?;
    Ok(Pattern::compile(tokens, Case::Insensitive))
}

pub(crate) fn resource(
    text: &str,
    element: &str,
    variables: bool,
    options: &ParseOptions,
    cx: &StatementCx<'_>,
) -> Result<Pattern, PolicyError> {
    let expanded;
    let text = if text.starts_with("execute-api:/") {
        let api = options.api.as_ref().ok_or_else(|| {
            cx.error(
                element,
                format!("has the entry {text:?}, an execute-api:/ shorthand, but the API's ARN to expand it is unknown (see ParseOptions::api)"),
            )
        })?;
        expanded = api.expand(text).unwrap_or_default();
        expanded.as_str()
    } else {
        text
    };
    let syntax = Syntax {
        wildcards: true,
        variables,
    };
    let tokens = tokenize(text, syntax).map_err(|reason| cx.error(element, reason))?;
    Ok(Pattern::compile(tokens, Case::Sensitive))
}

pub(crate) fn principal(
    value: &Value,
    element: &str,
    cx: &StatementCx<'_>,
    budget: &mut Budget,
) -> Result<Box<[PrincipalEntry]>, PolicyError> {
    match value {
        Value::String(s) if s == "*" => {
            budget.take(1, cx)?;
            Ok(Box::new([PrincipalEntry::Anyone]))
        }
        Value::Object(kinds) if kinds.is_empty() => Err(cx.error(element, "names no principal")),
        Value::Object(kinds) => {
            let mut entries = Vec::new();
            for (kind, list) in kinds {
                let path = format!("{element}.{kind}");
                for entry in strings(list, &path, cx, budget)? {
                    entries.push(
                        PrincipalEntry::parse(kind, entry)
                            .map_err(|reason| cx.error(&path, reason))?,
                    );
                }
            }
            Ok(entries.into_boxed_slice())
        }
        other => Err(cx.error(
            element,
            format!(
                "must be \"*\" or an object such as {{\"AWS\": [...]}}, found {}",
                shown(other)
            ),
        )),
    }
}
