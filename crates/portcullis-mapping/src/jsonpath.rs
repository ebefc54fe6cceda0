//! The JSONPath that `$input.path`, `$input.json` and the parameter mappings
//! `method.request.body.X` / `integration.response.body.X` accept on AWS.
//!
//! AWS names Jayway JsonPath ("JSONPath for Java") as its implementation, and
//! this follows Jayway's syntax and result shapes:
//!
//! - `$`, `$.a.b`, `$['a']`, `$["a b"]`, `$.a[0]`, `$.a[-1]` (from the end) are
//!   *definite*: they select at most one value. A missing property or index
//!   selects nothing ([`JsonPath::select`] returns `None`; `$input.path` gives
//!   null, `$input.json` gives `""`).
//! - `$.a[*]`, `$.a.*`, `$..a`, `$.a[0,2]`, `$.a[1:3]`, `$.a[-2:]`,
//!   `$.a[?(@.price < 10)]`, `$['a','b'].c` are *indefinite*: they select a
//!   list of every match, in document order, possibly empty.
//! - `$['a','b']` (several names, last step) selects one map holding those of
//!   the names that are present.
//! - A path that does not start with `$` or `@` gets `$.` prepended, as Jayway
//!   does (`id`, `petstore.pets[0].name`).
//!
//! Not supported: Jayway's path functions (`length()`, `sum()` ...), slice
//! steps (`[::2]`, which Jayway rejects too). Errors give the character
//! position in the path.

mod compare;
mod filter;
mod parse;
mod select;

use std::fmt;
use std::str::FromStr;

use crate::json;
use crate::value::Value;
use parse::{Cursor, MAX_PATH_CHARS, Token};
use select::{Budget, Hit};

/// A compiled JSONPath expression.
#[derive(Debug, Clone)]
pub struct JsonPath {
    text: String,
    tokens: Vec<Token>,
    definite: bool,
}

/// Why a JSONPath expression was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSONPath {path:?} at character {position}: {reason}")]
pub struct JsonPathError {
    /// The expression as given.
    pub path: String,
    /// Zero-based character position of the problem in `path`.
    pub position: usize,
    /// What is wrong, and what would be accepted.
    pub reason: String,
}

impl JsonPath {
    /// Compiles `text`. Surrounding blanks are ignored; `a.b` means `$.a.b`.
    pub fn parse(text: &str) -> Result<Self, JsonPathError> {
        let error = |position, reason: &str| JsonPathError {
            path: text.to_string(),
            position,
            reason: reason.to_string(),
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(error(0, "JSONPath must not be empty"));
        }
        if trimmed.chars().count() > MAX_PATH_CHARS {
            return Err(error(
                MAX_PATH_CHARS,
                &format!("JSONPath longer than {MAX_PATH_CHARS} characters"),
            ));
        }
        let lead_bytes = text.len() - text.trim_start().len();
        let lead = text[..lead_bytes].chars().count() as isize;
        let (source, shift) = if trimmed.starts_with(['$', '@']) {
            (trimmed.to_string(), -lead)
        } else {
            (format!("$.{trimmed}"), 2 - lead)
        };
        let mut cur = Cursor::new(text, &source, shift);
        cur.bump(); // the root, `$` or `@`
        let tokens = parse::parse_tokens(&mut cur, false)?;
        let definite = tokens
            .iter()
            .enumerate()
            .all(|(i, t)| t.is_definite(i + 1 == tokens.len()));
        Ok(JsonPath {
            text: text.to_string(),
            tokens,
            definite,
        })
    }

    /// The expression as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path selects at most one value (no wildcard, scan, slice,
    /// filter, or index/name list before the last step).
    pub fn is_definite(&self) -> bool {
        self.definite
    }

    /// Whether the path is the root alone (`$`), which selects the whole document.
    pub(crate) fn is_root(&self) -> bool {
        self.tokens.is_empty()
    }

    /// Selects from a template value, as `$input.path` does. A definite path
    /// gives the value itself (shared: changing it changes the document) or
    /// `None`; an indefinite path gives a new JSON list of the matches.
    pub fn select(&self, root: &Value) -> Option<Value> {
        let hits = select::evaluate(&self.tokens, root, root, &mut Budget::new());
        let to_value = |hit: Hit<Value>| match hit {
            Hit::Node(v) => v,
            Hit::Merged(entries) => Value::from_entries(entries.into_iter().collect()),
        };
        if self.definite {
            hits.into_iter().next().map(to_value)
        } else {
            Some(json::new_json_list(
                hits.into_iter().map(to_value).collect(),
            ))
        }
    }

    /// Selects from parsed JSON, with the same shapes as [`JsonPath::select`]
    /// (an indefinite path gives a JSON array).
    pub fn select_json(&self, root: &serde_json::Value) -> Option<serde_json::Value> {
        let hits = select::evaluate(&self.tokens, &root, &root, &mut Budget::new());
        if self.definite {
            hits.into_iter().next().map(|hit| hit.to_serde())
        } else {
            Some(serde_json::Value::Array(
                hits.iter().map(Hit::to_serde).collect(),
            ))
        }
    }
}

impl FromStr for JsonPath {
    type Err = JsonPathError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JsonPath::parse(s)
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests;
