//! The document tree of an OpenAPI file, read from JSON or YAML.
//!
//! A tree of our own rather than `serde_json::Value`: mapping keys keep their
//! order in the file (integration responses are tried in definition order),
//! YAML's unquoted `200:` keys become the string `"200"`, and a key written
//! twice is a syntax error instead of one value silently replacing the other.

use std::collections::HashSet;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

/// One value of the document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// `null`, `~` or an empty YAML value.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A number with a fraction or exponent (never NaN or infinite: those read as strings).
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A mapping, keys in file order and unique.
    Map(Vec<(String, Node)>),
}

/// A document that is neither JSON nor YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// `line L column C`, or empty when the parser gave no position.
    pub(crate) location: String,
    /// The parser's message, without its position.
    pub(crate) message: String,
}

/// Parses `text` as JSON when its first non-blank character is `{`, else as
/// YAML. A `{` document that is not JSON may still be YAML (flow style); if it
/// is neither, the JSON error is the one reported.
pub(crate) fn parse(text: &str) -> Result<Node, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim_start().starts_with('{') {
        serde_json::from_str::<Node>(text).or_else(|json| {
            serde_yaml_ng::from_str::<Node>(text).map_err(|_| SyntaxError {
                location: position(json.line(), json.column()),
                message: strip_position(&json.to_string()),
            })
        })
    } else {
        serde_yaml_ng::from_str::<Node>(text).map_err(|e| SyntaxError {
            location: e
                .location()
                .map(|l| position(l.line(), l.column()))
                .unwrap_or_default(),
            message: strip_position(&e.to_string()),
        })
    }
}

fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!("line {line} column {column}")
    }
}

/// Parsers append ` at line L column C` to their messages; the location
/// already says that.
pub(crate) fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message.to_owned(),
    }
}

impl Node {
    /// The value under `key` of a mapping; `None` for a missing key or a non-mapping.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries of a mapping.
    pub(crate) fn as_map(&self) -> Option<&[(String, Node)]> {
        match self {
            Node::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The items of a list.
    pub(crate) fn as_seq(&self) -> Option<&[Node]> {
        match self {
            Node::Seq(items) => Some(items),
            _ => None,
        }
    }

    /// What kind of value this is, for messages: `a string`, `a list`, ...
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }

    /// Follows a local JSON pointer (`#/components/parameters/limit`) from this root.
    pub(crate) fn pointer(&self, reference: &str) -> Option<&Node> {
        let path = reference.strip_prefix('#')?;
        if path.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for raw in path.strip_prefix('/')?.split('/') {
            let token = portcullis_mapping::validate::decode_pointer_token(raw);
            node = match node {
                Node::Map(_) => node.get(&token)?,
                Node::Seq(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }
}

impl Node {
    /// The node as JSON (integers beyond `i64`/`u64` become floats).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Int(i) => i64::try_from(*i)
                .map(Value::from)
                .or_else(|_| u64::try_from(*i).map(Value::from))
                .unwrap_or_else(|_| Value::from(*i as f64)),
            Node::Float(x) => Value::from(*x),
            Node::Str(s) => Value::String(s.clone()),
            Node::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            Node::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl fmt::Display for Node {
    /// Scalars as written (strings unquoted); collections by kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Null => f.write_str("null"),
            Node::Bool(b) => write!(f, "{b}"),
            Node::Int(i) => write!(f, "{i}"),
            Node::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => write!(f, "{x:.1}"),
            Node::Float(x) => write!(f, "{x}"),
            Node::Str(s) => f.write_str(s),
            Node::Seq(_) | Node::Map(_) => f.write_str(self.kind()),
        }
    }
}

// ===== impl Deserialize =====

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON or YAML value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Int(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(Node::Int(v))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        i128::try_from(v)
            .map(Node::Int)
            .map_err(|_| E::custom("integer out of range"))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        if v.is_finite() {
            Ok(Node::Float(v))
        } else {
            Ok(Node::Str(v.to_string()))
        }
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            if !seen.insert(key.clone()) {
                return Err(de::Error::custom(format_args!("duplicate key `{key}`")));
            }
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key: any scalar, as text (YAML allows `200:` and `true:`).
pub(crate) struct Key(pub(crate) String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyVisitor)
    }
}

struct KeyVisitor;

impl Visitor<'_> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean mapping key")
    }

    fn visit_unit<E>(self) -> Result<Key, E> {
        Ok(Key("null".to_owned()))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
        Ok(Key(v.to_string()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(Key(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Key, E> {
        Ok(Key(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_key_order() {
        let node = parse(r#"{"b": 1, "a": [true, null, 1.5, "x"]}"#).unwrap();
        let keys: Vec<&str> = node
            .as_map()
            .unwrap()
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(
            node.get("a").unwrap(),
            &Node::Seq(vec![
                Node::Bool(true),
                Node::Null,
                Node::Float(1.5),
                Node::Str("x".into())
            ])
        );
    }

    #[test]
    fn yaml_scalar_keys_become_strings() {
        let node = parse("responses:\n  200:\n    description: ok\n  default: {}\n").unwrap();
        let responses = node.get("responses").unwrap().as_map().unwrap();
        assert_eq!(responses[0].0, "200");
        assert_eq!(responses[1].0, "default");
    }

    #[test]
    fn duplicate_keys_are_syntax_errors() {
        let error = parse(r#"{"a": 1, "a": 2}"#).unwrap_err();
        assert_eq!(error.location, "line 1 column 12");
        assert!(error.message.contains("duplicate key `a`"), "{error:?}");
        let error = parse("a: 1\na: 2\n").unwrap_err();
        assert!(error.message.contains("duplicate"), "{error:?}");
    }

    #[test]
    fn flow_yaml_and_byte_order_marks() {
        let node = parse("{openapi: 3.0.1, info: {title: t}}").unwrap();
        assert_eq!(node.get("openapi"), Some(&Node::Str("3.0.1".into())));
        assert!(parse("\u{feff}{\"a\": 1}").is_ok());
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("{\"a\": [}").unwrap_err();
        assert_eq!(error.location, "line 1 column 8");
        assert!(!error.message.contains("at line"), "{error:?}");
        let error = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.location.starts_with("line "), "{error:?}");
    }

    #[test]
    fn pointers_follow_maps_lists_and_escapes() {
        let node = parse(r#"{"components": {"a/b": {"x": [10, 20]}, "c d": 1}}"#).unwrap();
        assert_eq!(node.pointer("#/components/a~1b/x/1"), Some(&Node::Int(20)));
        assert_eq!(node.pointer("#/components/c%20d"), Some(&Node::Int(1)));
        assert_eq!(node.pointer("#/components/missing"), None);
        assert_eq!(node.pointer("other.yaml#/x"), None);
        assert_eq!(node.pointer("#"), Some(&node));
    }

    #[test]
    fn non_finite_floats_read_as_strings() {
        let node = parse("x: .nan\n").unwrap();
        assert_eq!(node.get("x").unwrap().kind(), "a string");
    }
}
