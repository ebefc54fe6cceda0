//! JSON in and out of template values, as API Gateway's JSON library does it.
//!
//! AWS reads bodies with Jayway JsonPath over json-smart: objects become
//! `LinkedHashMap`s (document order, Java `toString`), arrays become
//! json-smart `JSONArray`s, whose `toString` is compact JSON. AWS recorded
//! both shapes in one value: `$input.path('$')` of `{"foo":[{"nested":"bar"}]}`
//! prints `{foo=[{"nested":"bar"}]}` (LocalStack's AWS-validated snapshot
//! `test_input_path_template_formatting`). So a list read from JSON is marked
//! ([`new_json_list`], [`is_json_list`]) and prints as JSON.
//!
//! Numbers follow json-smart: integer literals are `Integer`/`Long` (here
//! [`Value::Int`]), decimals and exponents are `Double` (here [`Value::Float`],
//! printed by `Double.toString`: `1.0`, `249.99`, `1.0E21`). Integers beyond
//! `i64` and decimals longer than 18 characters are `BigInteger`/`BigDecimal`
//! on AWS and print every digit; here they become the nearest double.
//!
//! JSON text ([`to_json_text`], `$input.json`) is written as json-smart's
//! default style writes it: compact, `"` `\` and `/` escaped, control
//! characters, U+007F..U+009F and U+2000..U+20FF as `\uXXXX`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::{self, Write};
use std::rc::{Rc, Weak};

use indexmap::IndexMap;

use crate::render::{self, MAX_DEPTH};
use crate::value::{List, Value};

/// Converts parsed JSON into a template value: objects become maps in
/// document order, arrays become JSON lists (see [`new_json_list`]), integers
/// that fit `i64` become [`Value::Int`], other numbers [`Value::Float`].
///
/// Nesting deeper than [`MAX_DEPTH`] becomes `null` (serde_json's parser
/// already stops at 128 levels).
pub fn from_json(v: &serde_json::Value) -> Value {
    convert(v, 0)
}

fn convert(v: &serde_json::Value, depth: usize) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        serde_json::Value::String(s) => Value::string(s.as_str()),
        _ if depth >= MAX_DEPTH => Value::Null,
        serde_json::Value::Array(items) => {
            new_json_list(items.iter().map(|item| convert(item, depth + 1)).collect())
        }
        serde_json::Value::Object(entries) => Value::map(
            entries
                .iter()
                .map(|(k, item)| (k.clone(), convert(item, depth + 1)))
                .collect::<IndexMap<_, _>>(),
        ),
    }
}

/// Converts a template value into `serde_json` (for callers that want a JSON
/// tree). Non-finite doubles and nesting deeper than [`MAX_DEPTH`] become null.
pub fn to_serde(v: &Value) -> serde_json::Value {
    to_serde_at(v, 0)
}

fn to_serde_at(v: &Value, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(d) => serde_json::Number::from_f64(*d).map_or(J::Null, J::Number),
        Value::String(s) => J::String(s.to_string()),
        _ if depth >= MAX_DEPTH => J::Null,
        Value::List(list) => J::Array(list.try_borrow().map_or_else(
            |_| Vec::new(),
            |items| items.iter().map(|i| to_serde_at(i, depth + 1)).collect(),
        )),
        Value::Map(map) => J::Object(map.try_borrow().map_or_else(
            |_| serde_json::Map::new(),
            |entries| {
                entries
                    .iter()
                    .map(|(k, i)| (k.clone(), to_serde_at(i, depth + 1)))
                    .collect()
            },
        )),
    }
}

/// Parses JSON text into a template value; `None` if the text is not JSON.
pub fn parse(text: &str) -> Option<Value> {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .map(|v| from_json(&v))
}

/// JSON text for a value, as `$input.json` prints it (compact, json-smart's
/// escaping). Doubles print as `Double.toString` (`1.0`, `1.0E21`), infinite
/// doubles as `null`, nesting deeper than [`MAX_DEPTH`] as `null`.
pub fn to_json_text(v: &Value) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = write_json(v, &mut out);
    out
}

/// [`to_json_text`] into any writer; a bounded writer stops it early.
pub fn write_json<W: Write + ?Sized>(v: &Value, out: &mut W) -> fmt::Result {
    write_json_at(v, out, 0)
}

fn write_json_at<W: Write + ?Sized>(v: &Value, out: &mut W, depth: usize) -> fmt::Result {
    match v {
        Value::Null => out.write_str("null"),
        Value::Bool(b) => out.write_str(if *b { "true" } else { "false" }),
        Value::Int(i) => write!(out, "{i}"),
        Value::Float(d) if d.is_infinite() => out.write_str("null"),
        Value::Float(d) => render::write_java_double(*d, out),
        Value::String(s) => write_json_string(s, out),
        _ if depth >= MAX_DEPTH => out.write_str("null"),
        Value::List(list) => {
            let Ok(items) = list.try_borrow() else {
                return out.write_str("null");
            };
            out.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write_json_at(item, out, depth + 1)?;
            }
            out.write_char(']')
        }
        Value::Map(map) => {
            let Ok(entries) = map.try_borrow() else {
                return out.write_str("null");
            };
            out.write_char('{')?;
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.write_char(',')?;
                }
                write_json_string(key, out)?;
                out.write_char(':')?;
                write_json_at(item, out, depth + 1)?;
            }
            out.write_char('}')
        }
    }
}

/// A JSON string literal with json-smart's default escaping (quotes included).
pub fn write_json_string<W: Write + ?Sized>(s: &str, out: &mut W) -> fmt::Result {
    out.write_char('"')?;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let escape: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '/' => Some("\\/"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2000}'..='\u{20ff}' => Some(""),
            _ => None,
        };
        if let Some(escape) = escape {
            out.write_str(&s[start..i])?;
            if escape.is_empty() {
                write!(out, "\\u{:04X}", c as u32)?;
            } else {
                out.write_str(escape)?;
            }
            start = i + c.len_utf8();
        }
    }
    out.write_str(&s[start..])?;
    out.write_char('"')
}

// Lists read from JSON, by allocation. The value model has a single list
// type, so the mark lives beside it: a per-thread set of weak references (a
// `Value` is `!Send`, so it never leaves the thread that made it). A weak
// reference keeps its allocation's address from being reused while it is in
// the set; dead entries are pruned as the set grows.
thread_local! {
    static JSON_LISTS: RefCell<JsonLists> = RefCell::new(JsonLists::default());
}

#[derive(Default)]
struct JsonLists {
    entries: HashMap<usize, Weak<RefCell<Vec<Value>>>>,
    prune_at: usize,
}

fn key(list: &List) -> usize {
    Rc::as_ptr(list) as usize
}

/// A new list holding `items` that prints as JSON, as the `JSONArray`s that
/// AWS's JSON reader makes (`$input.path`, `$util.parseJson`) do.
pub fn new_json_list(items: Vec<Value>) -> Value {
    let list: List = Rc::new(RefCell::new(items));
    let _ = JSON_LISTS.try_with(|lists| {
        if let Ok(mut lists) = lists.try_borrow_mut() {
            if lists.entries.len() >= lists.prune_at.max(64) {
                lists.entries.retain(|_, weak| weak.strong_count() > 0);
                let live = lists.entries.len();
                lists.prune_at = live * 2;
                // After a large document is gone, give the memory back.
                if lists.entries.capacity() > 4 * live.max(64) {
                    lists.entries.shrink_to(2 * live.max(64));
                }
            }
            lists.entries.insert(key(&list), Rc::downgrade(&list));
        }
    });
    Value::List(list)
}

/// Forgets the marks of JSON lists that no longer exist, when there are many
/// (called when an [`crate::input::Input`] is dropped, so the memory of a
/// large document's marks goes with the document).
pub(crate) fn prune_json_lists() {
    let _ = JSON_LISTS.try_with(|lists| {
        if let Ok(mut lists) = lists.try_borrow_mut()
            && lists.entries.len() > 1024
        {
            lists.entries.retain(|_, weak| weak.strong_count() > 0);
            let live = lists.entries.len();
            lists.prune_at = live * 2;
            if lists.entries.capacity() > 4 * live.max(64) {
                lists.entries.shrink_to(2 * live.max(64));
            }
        }
    });
}

/// How many JSON list marks this thread holds (tests).
#[cfg(test)]
pub(crate) fn json_list_marks() -> usize {
    JSON_LISTS.with(|lists| lists.borrow().entries.len())
}

/// Whether `v` is a list read from JSON (made by [`new_json_list`]), which
/// prints as JSON text rather than as a Java list.
pub fn is_json_list(v: &Value) -> bool {
    let Value::List(list) = v else {
        return false;
    };
    JSON_LISTS
        .try_with(|lists| {
            lists.try_borrow().is_ok_and(|lists| {
                lists
                    .entries
                    .get(&key(list))
                    .is_some_and(|weak| weak.strong_count() > 0)
            })
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests;
