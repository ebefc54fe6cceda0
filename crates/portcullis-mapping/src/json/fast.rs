//! A hand-written reader for the JSON that `serde_json` reads, giving the same
//! results as the `serde_json` visitors in the parent module ([`Seed`],
//! [`Reformat`]) without going through them for every value.
//!
//! It follows `serde_json`'s grammar exactly (whitespace, literals, the number
//! grammar, control characters in strings, its nesting limit of 127 open
//! arrays and objects) and hands the rare hard parts back to `serde_json`:
//! strings with escapes (decoded by `serde_json`) and numbers that are not
//! plain integers of at most 18 digits (read by `serde_json` into the same
//! visitor). Anything it does not accept fails with no message; callers then
//! run the `serde_json` path, which gives the error (or, were this reader
//! ever stricter than `serde_json`, the value).

use std::rc::Rc;

use serde::de::DeserializeSeed;

use super::{REFORMAT_MAX_NAMES, Reformat, Scratch, Seed, new_json_list, write_json_string};
use crate::value::{Entries, Value};

/// `serde_json`'s recursion limit: the 128th array or object open at once is an error.
const MAX_OPEN: u32 = 127;

/// Not read here: not JSON, or (when reformatting) a case left to reading.
pub(super) struct Fail;

type Res<T> = Result<T, Fail>;

/// A string's text: as written (no escapes), or decoded.
enum Text<'a> {
    Plain(&'a str),
    Decoded(String),
}

impl Text<'_> {
    fn as_str(&self) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Decoded(s) => s,
        }
    }
}

/// A number token and, when it is a plain integer (at most 18 digits, not
/// `-0`), its value; other numbers are read by `serde_json`.
struct Number<'a> {
    token: &'a str,
    int: Option<i64>,
    /// A decimal without exponent of at most [`EXACT_DECIMAL_DIGITS`]
    /// digits: its value, exactly as `serde_json` reads it.
    decimal: Option<f64>,
}

struct Lexer<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    open: u32,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            b: text.as_bytes(),
            pos: 0,
            open: 0,
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.pos) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Whitespace, then `c`.
    fn expect(&mut self, c: u8) -> Res<()> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(Fail)
        }
    }

    /// Whitespace, then the end of the text.
    fn end(&mut self) -> Res<()> {
        self.skip_ws();
        if self.pos == self.b.len() {
            Ok(())
        } else {
            Err(Fail)
        }
    }

    fn literal(&mut self, word: &[u8]) -> Res<()> {
        if self.b[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(Fail)
        }
    }

    /// Past a `[` or `{`, within the nesting limit.
    fn open(&mut self) -> Res<()> {
        self.open += 1;
        if self.open > MAX_OPEN {
            return Err(Fail);
        }
        self.pos += 1;
        Ok(())
    }

    /// Whitespace, then `,` (true) or `close` (false).
    fn next_or_close(&mut self, close: u8) -> Res<bool> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(c) if c == close => {
                self.pos += 1;
                self.open -= 1;
                Ok(false)
            }
            _ => Err(Fail),
        }
    }

    /// Whitespace, then `close` (true: the array or object is empty) or not.
    fn empty(&mut self, close: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(close) {
            self.pos += 1;
            self.open -= 1;
            true
        } else {
            false
        }
    }

    /// At `"`: the string.
    fn string(&mut self) -> Res<Text<'a>> {
        let start = self.pos + 1;
        let (mut i, _) = scan_plain(self.b, start);
        match self.b.get(i) {
            Some(b'"') => {
                self.pos = i + 1;
                return Ok(Text::Plain(&self.text[start..i]));
            }
            Some(b'\\') => {}
            _ => return Err(Fail),
        }
        // Escapes: find the closing quote, let serde_json decode the string.
        loop {
            match self.b.get(i) {
                Some(b'"') => break,
                Some(b'\\') => i += 2,
                Some(0x00..=0x1f) | None => return Err(Fail),
                Some(_) => i += 1,
            }
        }
        let token = self.text.get(self.pos..=i).ok_or(Fail)?;
        let decoded: String = serde_json::from_str(token).map_err(|_| Fail)?;
        self.pos = i + 1;
        Ok(Text::Decoded(decoded))
    }

    /// At `"`: the string, written as [`write_json_string`] writes it.
    fn reformat_string(&mut self, out: &mut String) -> Res<()> {
        let start = self.pos + 1;
        let (i, seen) = scan_plain(self.b, start);
        if self.b.get(i) != Some(&b'"') {
            // Escapes, a control character or the end of the text.
            let text = self.string()?;
            let _ = write_json_string(text.as_str(), out);
            return Ok(());
        }
        self.pos = i + 1;
        if seen & MAY_ESCAPE != 0 {
            let _ = write_json_string(&self.text[start..i], out);
        } else {
            // Nothing to escape: the string as written, quotes and all.
            out.push_str(&self.text[start - 1..=i]);
        }
        Ok(())
    }

    /// Whitespace, then a string (an object's name).
    fn name(&mut self) -> Res<Text<'a>> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(Fail);
        }
        self.string()
    }

    /// At `-` or a digit: a number, by JSON's grammar.
    fn number(&mut self) -> Res<Number<'a>> {
        let b = self.b;
        let digits = |mut i: usize| {
            while let Some(b'0'..=b'9') = b.get(i) {
                i += 1;
            }
            i
        };
        let start = self.pos;
        let negative = b.get(start) == Some(&b'-');
        let int_start = start + usize::from(negative);
        let int_end = match b.get(int_start) {
            Some(b'0') => int_start + 1,
            Some(b'1'..=b'9') => digits(int_start + 1),
            _ => return Err(Fail),
        };
        let mut i = int_end;
        if b.get(i) == Some(&b'.') {
            let end = digits(i + 1);
            if end == i + 1 {
                return Err(Fail);
            }
            i = end;
        }
        let frac_end = i;
        if let Some(b'e' | b'E') = b.get(i) {
            i += 1;
            if let Some(b'+' | b'-') = b.get(i) {
                i += 1;
            }
            let end = digits(i);
            if end == i {
                return Err(Fail);
            }
            i = end;
        }
        self.pos = i;
        let token = &self.text[start..i];
        if i != int_end {
            // No exponent, so a fraction: `int_end` is at its `.`.
            let frac = &b[(int_end + 1).min(frac_end)..frac_end];
            let exact = frac_end == i && int_end - int_start + frac.len() <= EXACT_DECIMAL_DIGITS;
            let decimal = exact.then(|| {
                let digits = b[int_start..int_end].iter().chain(frac);
                let n = digits.fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
                let value = n as f64 / EXACT_POW10[frac.len()];
                if negative { -value } else { value }
            });
            return Ok(Number {
                token,
                int: None,
                decimal,
            });
        }
        if int_end - int_start > 18 {
            return Ok(Number {
                token,
                int: None,
                decimal: None,
            });
        }
        let magnitude = b[int_start..int_end]
            .iter()
            .fold(0i64, |n, d| n * 10 + i64::from(d - b'0'));
        let int = match (negative, magnitude) {
            // serde_json reads `-0` as the double -0.0.
            (true, 0) => None,
            (true, m) => Some(-m),
            (false, m) => Some(m),
        };
        Ok(Number {
            token,
            int,
            decimal: None,
        })
    }

    /// One value, as [`Seed`] builds it.
    fn value(&mut self, scratch: &mut Scratch, depth: usize) -> Res<Value> {
        self.skip_ws();
        Ok(match self.peek().ok_or(Fail)? {
            b'"' => match self.string()? {
                Text::Plain(s) => scratch.short_strings.string_value(s),
                Text::Decoded(s) => Value::string(s),
            },
            b'-' | b'0'..=b'9' => match self.number()? {
                Number { int: Some(i), .. } => Value::Int(i),
                Number {
                    decimal: Some(d), ..
                } => Value::Float(d),
                Number { token, .. } => {
                    let mut de = serde_json::Deserializer::from_str(token);
                    Seed { scratch, depth }
                        .deserialize(&mut de)
                        .map_err(|_| Fail)?
                }
            },
            b'n' => {
                self.literal(b"null")?;
                Value::Null
            }
            b't' => {
                self.literal(b"true")?;
                Value::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Value::Bool(false)
            }
            // At most MAX_OPEN deep, far inside MAX_DEPTH: never cut to null here.
            b'[' => {
                self.open()?;
                let start = scratch.items.len();
                if !self.empty(b']') {
                    loop {
                        let item = self.value(scratch, depth + 1)?;
                        scratch.items.push(item);
                        if !self.next_or_close(b']')? {
                            break;
                        }
                    }
                }
                new_json_list(scratch.items.drain(start..).collect())
            }
            b'{' => {
                self.open()?;
                let start = scratch.entries.len();
                if !self.empty(b'}') {
                    loop {
                        let key = match self.name()? {
                            Text::Plain(s) => scratch.names.share(s),
                            Text::Decoded(s) => Rc::from(s),
                        };
                        self.expect(b':')?;
                        let item = self.value(scratch, depth + 1)?;
                        scratch.entries.push((key, item));
                        if !self.next_or_close(b'}')? {
                            break;
                        }
                    }
                }
                let read = scratch.entries.drain(start..);
                let mut entries = Entries::with_capacity(read.len());
                // A repeated name keeps its first place and takes the last value.
                entries.extend(read);
                Value::from_entries(entries)
            }
            _ => return Err(Fail),
        })
    }

    /// One value, written as [`Reformat`] writes it.
    fn reformat(
        &mut self,
        out: &mut String,
        names: &mut Vec<(u64, usize, usize)>,
        depth: usize,
    ) -> Res<()> {
        self.skip_ws();
        match self.peek().ok_or(Fail)? {
            b'"' => self.reformat_string(out)?,
            b'-' | b'0'..=b'9' => match self.number()? {
                // A plain integer is written as read (no leading zeros, not `-0`).
                Number {
                    int: Some(_),
                    token,
                    ..
                } => out.push_str(token),
                Number {
                    decimal: Some(d), ..
                } => {
                    let _ = crate::render::write_java_double(d, out);
                }
                Number { token, .. } => {
                    let mut de = serde_json::Deserializer::from_str(token);
                    Reformat { out, names, depth }
                        .deserialize(&mut de)
                        .map_err(|_| Fail)?;
                }
            },
            b'n' => {
                self.literal(b"null")?;
                out.push_str("null");
            }
            b't' => {
                self.literal(b"true")?;
                out.push_str("true");
            }
            b'f' => {
                self.literal(b"false")?;
                out.push_str("false");
            }
            b'[' => {
                self.open()?;
                out.push('[');
                if !self.empty(b']') {
                    loop {
                        self.reformat(out, names, depth + 1)?;
                        if !self.next_or_close(b']')? {
                            break;
                        }
                        out.push(',');
                    }
                }
                out.push(']');
            }
            b'{' => {
                self.open()?;
                out.push('{');
                let start = names.len();
                if !self.empty(b'}') {
                    loop {
                        let from = out.len();
                        self.skip_ws();
                        if self.peek() != Some(b'"') {
                            return Err(Fail);
                        }
                        self.reformat_string(out)?;
                        let name = &out[from..];
                        let hash = name_hash(name.as_bytes());
                        let repeated = names[start..]
                            .iter()
                            .any(|&(h, a, b)| h == hash && out[a..b] == *name);
                        if repeated || names.len() - start >= REFORMAT_MAX_NAMES {
                            // Left to reading the value.
                            return Err(Fail);
                        }
                        names.push((hash, from, out.len()));
                        self.expect(b':')?;
                        out.push(':');
                        self.reformat(out, names, depth + 1)?;
                        if !self.next_or_close(b'}')? {
                            break;
                        }
                        out.push(',');
                    }
                }
                names.truncate(start);
                out.push('}');
            }
            _ => return Err(Fail),
        }
        Ok(())
    }
}

/// [`BYTE_CLASS`]: a byte that ends the plain run of a string: `"`, `\\`, or
/// a control character (not allowed in a JSON string).
const ENDS_PLAIN: u8 = 1;
/// [`BYTE_CLASS`]: a byte that [`write_json_string`] may escape: `/`, U+007F,
/// and the lead bytes of U+0080..U+00BF and U+2000..U+2FFF.
const MAY_ESCAPE: u8 = 2;

/// The class of each byte in a string's text ([`ENDS_PLAIN`], [`MAY_ESCAPE`]).
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut c = 0;
    while c < 0x20 {
        table[c] = ENDS_PLAIN;
        c += 1;
    }
    table[b'"' as usize] = ENDS_PLAIN;
    table[b'\\' as usize] = ENDS_PLAIN;
    table[b'/' as usize] = MAY_ESCAPE;
    table[0x7f] = MAY_ESCAPE;
    table[0xc2] = MAY_ESCAPE;
    table[0xe2] = MAY_ESCAPE;
    table
};

/// From `i`: the position of the first byte that ends a string's plain run
/// (`b.len()` if none), and the classes of the bytes before it, or-ed.
/// Eight bytes at a time while none of them ends the run.
fn scan_plain(b: &[u8], mut i: usize) -> (usize, u8) {
    let mut seen = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let class = chunk
            .iter()
            .fold(0, |acc, &c| acc | BYTE_CLASS[usize::from(c)]);
        if class & ENDS_PLAIN != 0 {
            break;
        }
        seen |= class;
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        let class = BYTE_CLASS[usize::from(c)];
        if class & ENDS_PLAIN != 0 {
            break;
        }
        seen |= class;
        i += 1;
    }
    (i, seen)
}

/// Powers of ten that are exact doubles, for [`Lexer::number`]'s decimals.
const EXACT_POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// Most digits of a decimal [`Lexer::number`] reads itself: its digits as an
/// integer and the power of ten are then exact doubles, so one division gives
/// the correctly rounded value, as `serde_json` (with `float_roundtrip`) reads.
const EXACT_DECIMAL_DIGITS: usize = 15;

/// A cheap hash of a name as written (quotes included), to tell names apart
/// before comparing them: the length and the outer bytes.
fn name_hash(name: &[u8]) -> u64 {
    let word = |b: &[u8]| b.iter().fold(0u64, |h, &c| h << 8 | u64::from(c));
    let n = name.len();
    (n as u64) << 48 ^ word(&name[..n.min(6)]) ^ word(&name[n.saturating_sub(6)..]).rotate_left(24)
}

/// The value of JSON `text`, as [`super::read`] gives it; `Err` when the text
/// is not JSON (or is left to `serde_json`).
pub(super) fn read(text: &str) -> Res<Value> {
    let mut lexer = Lexer::new(text);
    let value = lexer.value(&mut Scratch::default(), 0)?;
    lexer.end()?;
    Ok(value)
}

/// `text` as [`super::reformat`] writes it, appended to `out` (which may be
/// left part written on `Err`); `Err` when the text is not JSON, or has a
/// repeated or very many names in an object (left to reading).
pub(super) fn reformat_into(text: &str, out: &mut String) -> Res<()> {
    let mut lexer = Lexer::new(text);
    lexer.reformat(out, &mut Vec::new(), 0)?;
    lexer.end()
}

/// [`reformat_into`] a new string.
#[cfg(test)]
pub(super) fn reformat(text: &str) -> Res<String> {
    let mut out = String::new();
    reformat_into(text, &mut out)?;
    Ok(out)
}
