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

use std::fmt::{self, Write};
use std::hash::BuildHasher;
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::render::{self, MAX_DEPTH};
use crate::value::{Entries, ListCell, Value};

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
        serde_json::Value::Object(entries) => Value::from_entries(
            entries
                .iter()
                .map(|(k, item)| (k.clone(), convert(item, depth + 1)))
                .collect::<Entries>(),
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
                    .map(|(k, i)| (k.to_string(), to_serde_at(i, depth + 1)))
                    .collect()
            },
        )),
    }
}

/// Parses JSON text into a template value; `None` if the text is not JSON.
///
/// The same value as [`from_json`] of the text parsed by `serde_json`, built
/// directly (no intermediate `serde_json::Value`).
pub fn parse(text: &str) -> Option<Value> {
    read(text).ok()
}

/// [`parse`], with `serde_json`'s error when the text is not JSON.
///
/// Read by [`fast::read`]; text it does not take (text that is not JSON) is
/// read by [`serde_read`], for its error.
pub(crate) fn read(text: &str) -> Result<Value, serde_json::Error> {
    match fast::read(text) {
        Ok(value) => Ok(value),
        Err(fast::Fail) => serde_read(text),
    }
}

/// [`read`] through `serde_json`'s parser and the [`Seed`] visitor.
fn serde_read(text: &str) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut scratch = Scratch::default();
    let value = Seed {
        scratch: &mut scratch,
        depth: 0,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The items and entries of the arrays and objects being read (a stack: an
/// inner one's are taken off before its parent goes on), so that each list
/// and map is allocated once, at its size.
#[derive(Default)]
struct Scratch {
    items: Vec<Value>,
    entries: Vec<(Rc<str>, Value)>,
    names: Names<SHARED_NAMES>,
    /// Short string values, shared the same way (`"USD"`, `"active"`, tags):
    /// strings cannot be changed, so sharing them is not seen. Apart from
    /// the names, so that values do not push names out.
    short_strings: Names<SHARED_STRINGS>,
}

/// Longest string value [`Names::string_value`] shares.
const SHARED_STRING_LEN: usize = 16;

/// How many object names one document remembers ([`Names`]).
const SHARED_NAMES: usize = 64;

/// How many short string values one document remembers ([`Names`]).
const SHARED_STRINGS: usize = 32;

/// Object names read recently, so that a name repeated across a document (the
/// fields of each item in an array) is one shared string: a small cache with
/// one place per name (by its length and outer bytes); a name that meets
/// another in its place replaces it.
#[derive(Default)]
struct Names<const N: usize>(Vec<Option<Rc<str>>>);

impl<const N: usize> Names<N> {
    /// A string value: shared when short.
    fn string_value(&mut self, text: &str) -> Value {
        if text.len() <= SHARED_STRING_LEN {
            Value::String(self.share(text))
        } else {
            Value::string(text)
        }
    }

    fn share(&mut self, name: &str) -> Rc<str> {
        let bytes = name.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
            return Rc::from(name);
        };
        if self.0.is_empty() {
            self.0.resize(N, None);
        }
        let place = (bytes.len() * 7 + usize::from(first) * 3 + usize::from(last)) % N;
        match &self.0[place] {
            Some(known) if **known == *name => known.clone(),
            _ => {
                let shared: Rc<str> = Rc::from(name);
                self.0[place] = Some(shared.clone());
                shared
            }
        }
    }
}

/// Reads an object's name, shared through [`Names`].
struct NameSeed<'s>(&'s mut Names<SHARED_NAMES>);

impl<'de> DeserializeSeed<'de> for NameSeed<'_> {
    type Value = Rc<str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Rc<str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed<'_> {
    type Value = Rc<str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, s: &str) -> Result<Rc<str>, E> {
        Ok(self.0.share(s))
    }
}

/// Reads one JSON value at nesting `depth` into a template value, with the
/// conversions of [`from_json`] (`serde_json::Value`'s own visitor, then
/// [`convert`]): integers that fit `i64` are [`Value::Int`], other numbers
/// [`Value::Float`] (a non-finite one is null), nesting at [`MAX_DEPTH`] null.
struct Seed<'s> {
    scratch: &'s mut Scratch,
    depth: usize,
}

impl Seed<'_> {
    fn inner(&mut self) -> Seed<'_> {
        Seed {
            scratch: self.scratch,
            depth: self.depth + 1,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(match i64::try_from(u) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Float(u as f64),
        })
    }

    fn visit_f64<E>(self, d: f64) -> Result<Value, E> {
        Ok(if d.is_finite() {
            Value::Float(d)
        } else {
            Value::Null
        })
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::string(s))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let start = self.scratch.items.len();
        while let Some(item) = seq.next_element_seed(self.inner())? {
            self.scratch.items.push(item);
        }
        Ok(new_json_list(self.scratch.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        if self.depth >= MAX_DEPTH {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            return Ok(Value::Null);
        }
        let start = self.scratch.entries.len();
        while let Some(key) = map.next_key_seed(NameSeed(&mut self.scratch.names))? {
            let item = map.next_value_seed(self.inner())?;
            self.scratch.entries.push((key, item));
        }
        let read = self.scratch.entries.drain(start..);
        let mut entries = Entries::with_capacity(read.len());
        // A repeated name keeps its first place and takes the last value, as
        // `serde_json`'s order-preserving map does.
        entries.extend(read);
        Ok(Value::from_entries(entries))
    }
}

/// Most names of one object [`reformat`] checks for repeats; past this it
/// leaves the text to be read as a value.
const REFORMAT_MAX_NAMES: usize = 256;

/// `to_json_text(&parse(text)?)`, written as the text is read, without
/// building the value. `None` when `text` is not JSON, or has an object
/// with a repeated name (the value keeps one entry) or with very many names:
/// callers then read the value.
#[cfg(test)]
pub(crate) fn reformat(text: &str) -> Option<String> {
    let mut out = String::new();
    reformat_into(text, &mut out).then_some(out)
}

/// [`reformat`], appended to `out`; false (and `out` as it was) when
/// [`reformat`] gives `None`.
pub(crate) fn reformat_into(text: &str, out: &mut String) -> bool {
    let start = out.len();
    out.reserve(text.len() + text.len() / 8);
    if fast::reformat_into(text, out).is_ok() {
        return true;
    }
    // Not JSON, or a repeated name: `serde_reformat_into` says which.
    out.truncate(start);
    if serde_reformat_into(text, out).is_some() {
        return true;
    }
    out.truncate(start);
    false
}

/// [`reformat`] through `serde_json`'s parser and the [`Reformat`] visitor.
#[cfg(test)]
fn serde_reformat(text: &str) -> Option<String> {
    let mut out = String::new();
    serde_reformat_into(text, &mut out)?;
    Some(out)
}

/// [`serde_reformat`] appended to `out` (which may be left part written
/// when it gives `None`).
fn serde_reformat_into(text: &str, out: &mut String) -> Option<()> {
    let mut de = serde_json::Deserializer::from_str(text);
    let mut names = Vec::new();
    Reformat {
        out,
        names: &mut names,
        depth: 0,
    }
    .deserialize(&mut de)
    .ok()?;
    de.end().ok()?;
    Some(())
}

/// Writes one JSON value at nesting `depth` as [`to_json_text`] writes what
/// [`Seed`] reads from it.
struct Reformat<'s> {
    out: &'s mut String,
    /// Where the names of the objects being written are in `out` (a stack).
    names: &'s mut Vec<(u64, usize, usize)>,
    depth: usize,
}

impl Reformat<'_> {
    fn inner(&mut self) -> Reformat<'_> {
        Reformat {
            out: self.out,
            names: self.names,
            depth: self.depth + 1,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Reformat<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Reformat<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<(), E> {
        self.out.push_str(if b { "true" } else { "false" });
        Ok(())
    }

    fn visit_i64<E>(self, i: i64) -> Result<(), E> {
        let _ = self.out.write_str(itoa::Buffer::new().format(i));
        Ok(())
    }

    fn visit_u64<E>(self, u: u64) -> Result<(), E> {
        let _ = match i64::try_from(u) {
            Ok(i) => self.out.write_str(itoa::Buffer::new().format(i)),
            Err(_) => render::write_java_double(u as f64, self.out),
        };
        Ok(())
    }

    fn visit_f64<E>(self, d: f64) -> Result<(), E> {
        if d.is_finite() {
            let _ = render::write_java_double(d, self.out);
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }

    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        let _ = write_json_string(s, self.out);
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.push_str("null");
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        if self.depth >= MAX_DEPTH {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            self.out.push_str("null");
            return Ok(());
        }
        self.out.push('[');
        let mut first = true;
        loop {
            let mark = self.out.len();
            if !first {
                self.out.push(',');
            }
            if seq.next_element_seed(self.inner())?.is_none() {
                self.out.truncate(mark);
                break;
            }
            first = false;
        }
        self.out.push(']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        if self.depth >= MAX_DEPTH {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            self.out.push_str("null");
            return Ok(());
        }
        self.out.push('{');
        let start = self.names.len();
        loop {
            let mark = self.out.len();
            if start != self.names.len() {
                self.out.push(',');
            }
            let from = self.out.len();
            if map.next_key_seed(Name(self.out))?.is_none() {
                self.out.truncate(mark);
                break;
            }
            let name = &self.out[from..];
            let hash = foldhash::fast::FixedState::default().hash_one(name);
            let repeated = self.names[start..]
                .iter()
                .any(|&(h, a, b)| h == hash && self.out[a..b] == *name);
            if repeated || self.names.len() - start >= REFORMAT_MAX_NAMES {
                return Err(serde::de::Error::custom("read the value instead"));
            }
            self.names.push((hash, from, self.out.len()));
            self.out.push(':');
            map.next_value_seed(self.inner())?;
        }
        self.names.truncate(start);
        self.out.push('}');
        Ok(())
    }
}

/// Writes an object's name as a JSON string.
struct Name<'s>(&'s mut String);

impl<'de> DeserializeSeed<'de> for Name<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Name<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E>(self, s: &str) -> Result<(), E> {
        let _ = write_json_string(s, self.0);
        Ok(())
    }
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
        Value::Int(i) => out.write_str(itoa::Buffer::new().format(*i)),
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
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // The escaped characters: `"` `\` `/`, U+0000..U+001F, U+007F..U+009F
        // (UTF-8 `C2 80`..`C2 9F`) and U+2000..U+20FF (`E2 80 80`..`E2 83 BF`).
        let len = match b {
            b'"' | b'\\' | b'/' | 0x00..=0x1f | 0x7f => 1,
            0xc2 if bytes.get(i + 1).is_some_and(|&n| n <= 0x9f) => 2,
            0xe2 if bytes
                .get(i + 1)
                .is_some_and(|&n| (0x80..=0x83).contains(&n)) =>
            {
                3
            }
            _ => {
                i += utf8_len(b);
                continue;
            }
        };
        out.write_str(&s[start..i])?;
        match b {
            b'"' => out.write_str("\\\"")?,
            b'\\' => out.write_str("\\\\")?,
            b'/' => out.write_str("\\/")?,
            0x08 => out.write_str("\\b")?,
            0x0c => out.write_str("\\f")?,
            b'\n' => out.write_str("\\n")?,
            b'\r' => out.write_str("\\r")?,
            b'\t' => out.write_str("\\t")?,
            _ => {
                let unit = s[i..].chars().next().map_or(0, |c| c as u32);
                write_unicode_escape(unit, out)?;
            }
        }
        i += len;
        start = i;
    }
    out.write_str(&s[start..])?;
    out.write_char('"')
}

/// The length of the UTF-8 sequence that starts with `lead`.
pub(crate) fn utf8_len(lead: u8) -> usize {
    match lead {
        0x00..=0x7f => 1,
        0xf0.. => 4,
        0xe0.. => 3,
        _ => 2,
    }
}

/// `\uXXXX` (upper-case hex) for a UTF-16 unit.
pub(crate) fn write_unicode_escape<W: Write + ?Sized>(unit: u32, out: &mut W) -> fmt::Result {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let text = [
        b'\\',
        b'u',
        HEX[(unit >> 12 & 0xf) as usize],
        HEX[(unit >> 8 & 0xf) as usize],
        HEX[(unit >> 4 & 0xf) as usize],
        HEX[(unit & 0xf) as usize],
    ];
    out.write_str(std::str::from_utf8(&text).unwrap_or("?"))
}

/// A new list holding `items` that prints as JSON, as the `JSONArray`s that
/// AWS's JSON reader makes (`$input.path`, `$util.parseJson`) do. The mark is
/// part of the list ([`ListCell::is_json`]): it is shared with every reference
/// to the list and stays whatever the template puts into it.
pub fn new_json_list(items: Vec<Value>) -> Value {
    Value::List(Rc::new(ListCell::json(items)))
}

/// Whether `v` is a list read from JSON (made by [`new_json_list`]), which
/// prints as JSON text rather than as a Java list.
pub fn is_json_list(v: &Value) -> bool {
    matches!(v, Value::List(list) if list.is_json())
}

mod fast;
#[cfg(test)]
mod tests;
