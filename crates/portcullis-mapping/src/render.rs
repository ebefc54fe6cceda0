//! How values print: Java's `toString`, as Velocity prints values on AWS.
//!
//! - a map prints as `java.util.AbstractMap.toString`: `{a=1, b=x}`;
//! - a list prints as `java.util.AbstractCollection.toString`: `[1, x]`, except a
//!   list read from JSON (`$input.path`, `$util.parseJson`), which on AWS is a
//!   json-smart `JSONArray` and prints as compact JSON: `[{"foo":"bar"}]`. AWS
//!   recorded both (`{foo=[{"nested":"bar"}]}` for `$input.path('$')` of
//!   `{"foo":[{"nested":"bar"}]}`); see [`crate::json::is_json_list`];
//! - a double prints as `Double.toString` ([`java_double`]), an integer in
//!   decimal, a boolean as `true`/`false`, `null` as `null`.
//!
//! Java prints a collection that contains itself as `(this Collection)` /
//! `(this Map)`; deeper cycles overflow Java's stack. Here nesting deeper than
//! [`MAX_DEPTH`] prints as `...`, so no value can exhaust the stack.

use std::fmt::{self, Write};

use crate::json;
use crate::value::Value;

/// Nesting depth past which a value prints as `...` (cycles, runaway nesting).
pub const MAX_DEPTH: usize = 256;

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_java(self, f, 0)
    }
}

/// Writes `value` as Java's `toString` would, into any [`fmt::Write`].
///
/// A bounded writer (one that returns [`fmt::Error`] past a size limit) stops
/// the rendering early; nothing here allocates in proportion to the value.
pub fn write_java<W: Write + ?Sized>(value: &Value, out: &mut W, depth: usize) -> fmt::Result {
    match value {
        Value::Null => out.write_str("null"),
        Value::Bool(b) => out.write_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.write_str(itoa::Buffer::new().format(*i)),
        Value::Float(d) => write_java_double(*d, out),
        Value::String(s) => out.write_str(s),
        Value::List(_) if json::is_json_list(value) => json::write_json(value, out),
        Value::List(list) => {
            if depth >= MAX_DEPTH {
                return out.write_str("...");
            }
            let Ok(items) = list.try_borrow() else {
                return out.write_str("...");
            };
            out.write_char('[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                match item {
                    Value::List(inner) if std::rc::Rc::ptr_eq(inner, list) => {
                        out.write_str("(this Collection)")?
                    }
                    _ => write_java(item, out, depth + 1)?,
                }
            }
            out.write_char(']')
        }
        Value::Map(map) => {
            if depth >= MAX_DEPTH {
                return out.write_str("...");
            }
            let Ok(entries) = map.try_borrow() else {
                return out.write_str("...");
            };
            out.write_char('{')?;
            for (i, (key, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                out.write_str(key)?;
                out.write_char('=')?;
                match item {
                    Value::Map(inner) if std::rc::Rc::ptr_eq(inner, map) => {
                        out.write_str("(this Map)")?
                    }
                    _ => write_java(item, out, depth + 1)?,
                }
            }
            out.write_char('}')
        }
    }
}

/// `Double.toString(d)`: the shortest decimal that reads back as `d`, in plain
/// notation (`0.001`, `249.99`, `1.0`) when `1e-3 <= |d| < 1e7`, otherwise in
/// Java's computerized scientific notation (`1.0E7`, `1.23456789E8`, `1.0E-4`).
pub fn java_double(d: f64) -> String {
    let mut s = String::with_capacity(24);
    // Writing into a String cannot fail.
    let _ = write_java_double(d, &mut s);
    s
}

/// [`java_double`] into a writer.
pub fn write_java_double<W: Write + ?Sized>(d: f64, out: &mut W) -> fmt::Result {
    if d.is_nan() {
        return out.write_str("NaN");
    }
    if d.is_infinite() {
        return out.write_str(if d > 0.0 { "Infinity" } else { "-Infinity" });
    }
    if d == 0.0 {
        return out.write_str(if d.is_sign_negative() { "-0.0" } else { "0.0" });
    }
    if let Some((int, frac, frac_digits)) = short_plain(d.abs()) {
        // The usual prices and quantities: the same digits, found faster.
        let mut buf = itoa::Buffer::new();
        if d.is_sign_negative() {
            out.write_char('-')?;
        }
        out.write_str(buf.format(int))?;
        out.write_char('.')?;
        let mut text = [b'0'; SHORT_PLAIN_DIGITS as usize];
        let mut rest = frac;
        for slot in text[..frac_digits as usize].iter_mut().rev() {
            *slot = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let len = (frac_digits as usize).max(1);
        return out.write_str(std::str::from_utf8(&text[..len]).unwrap_or("0"));
    }
    write_general_double(d, out)
}

/// [`write_java_double`] for a finite, non-zero `d`, from Rust's `{:e}`.
fn write_general_double<W: Write + ?Sized>(d: f64, out: &mut W) -> fmt::Result {
    // Rust's `{:e}` gives the shortest round-tripping digits, `d.ddde[-]x`.
    // Java then wants at least two significant digits: when one suffices it
    // takes the two-digit decimal closest to `d` that still reads back as `d`
    // (`Double.MIN_VALUE` is `4.9E-324`, not `5.0E-324`).
    let mut sci = StackText::default();
    write!(sci, "{:e}", d.abs())?;
    if !sci.as_str().contains('.') {
        let mut two = StackText::default();
        write!(two, "{:.1e}", d.abs())?;
        if two.as_str().parse::<f64>() == Ok(d.abs()) {
            sci = two;
        }
    }
    let sci = sci.as_str();
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits = StackText::default();
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        digits.push(b);
    }
    while digits.len > 1 && digits.buf[digits.len - 1] == b'0' {
        digits.len -= 1;
    }
    let digits = &digits.buf[..digits.len];
    if d.is_sign_negative() {
        out.write_char('-')?;
    }
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        if exp >= 0 {
            // At most 7 integer digits here.
            let int_len = exp as usize + 1;
            for i in 0..int_len {
                out.write_char(*digits.get(i).unwrap_or(&b'0') as char)?;
            }
            out.write_char('.')?;
            if digits.len() > int_len {
                out.write_str(std::str::from_utf8(&digits[int_len..]).unwrap_or("0"))?;
            } else {
                out.write_char('0')?;
            }
        } else {
            out.write_str("0.")?;
            for _ in 0..(-exp - 1) {
                out.write_char('0')?;
            }
            out.write_str(std::str::from_utf8(digits).unwrap_or("0"))?;
        }
        Ok(())
    } else {
        out.write_char(*digits.first().unwrap_or(&b'0') as char)?;
        out.write_char('.')?;
        if digits.len() > 1 {
            out.write_str(std::str::from_utf8(&digits[1..]).unwrap_or("0"))?;
        } else {
            out.write_char('0')?;
        }
        write!(out, "E{exp}")
    }
}

/// Most fraction digits [`short_plain`] tries.
const SHORT_PLAIN_DIGITS: u32 = 6;

/// For `1e-3 <= abs < 1e7` (where `Double.toString` writes plain decimals):
/// the integer part, and the fraction as an integer of `k` digits (no trailing
/// zero), where `k <= 6` is the fewest fraction digits that read back as `abs`.
///
/// Below `1e7` a double's spacing is under `2e-9`, so at most one decimal of
/// `k <= 6` fraction digits reads back as `abs`: that decimal is then the
/// shortest one, the digits `{:e}` gives. The candidate is checked exactly
/// (`n / 10^k` is correctly rounded, as parsing the decimal is); when none
/// fits, `None`, and the caller takes the general way.
fn short_plain(abs: f64) -> Option<(u64, u64, u32)> {
    if !(1e-3..1e7).contains(&abs) {
        return None;
    }
    let mut scale = 1u64;
    for k in 0..=SHORT_PLAIN_DIGITS {
        let n = (abs * scale as f64).round();
        if n as u64 as f64 == n && n / scale as f64 == abs {
            let n = n as u64;
            let (int, mut frac, mut digits) = (n / scale, n % scale, k);
            while digits > 0 && frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            return Some((int, frac, digits));
        }
        scale *= 10;
    }
    None
}

/// A short text on the stack: the digits of a double (`{:e}` of an `f64` is at
/// most 24 characters).
struct StackText {
    buf: [u8; 40],
    len: usize,
}

impl Default for StackText {
    fn default() -> Self {
        StackText {
            buf: [0; 40],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    /// Appends an ASCII byte (dropped past the capacity, which digits never reach).
    fn push(&mut self, b: u8) {
        if self.len < self.buf.len() {
            self.buf[self.len] = b;
            self.len += 1;
        }
    }
}

impl Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::*;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map(
            entries
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<IndexMap<_, _>>(),
        )
    }

    #[test]
    fn doubles_print_as_java_double_to_string() {
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (249.99, "249.99"),
            (124.99, "124.99"),
            (0.99, "0.99"),
            (1.99, "1.99"),
            (100.0, "100.0"),
            (-2.5, "-2.5"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (9_999_999.0, "9999999.0"),
            (1e7, "1.0E7"),
            (1e10, "1.0E10"),
            (123_456_789.0, "1.23456789E8"),
            (1e21, "1.0E21"),
            (1e23, "1.0E23"),
            (1.5e-7, "1.5E-7"),
            (-1.5e300, "-1.5E300"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (5e-324, "4.9E-324"),
            (1.0 / 3.0, "0.3333333333333333"),
            (1234567.125, "1234567.125"),
            (123456.789, "123456.789"),
            (12_345_678.9, "1.23456789E7"),
            (0.00123, "0.00123"),
            (-1e-10, "-1.0E-10"),
            (1e-5, "1.0E-5"),
            (2e-323, "2.0E-323"),
            (3e10, "3.0E10"),
        ];
        for (d, want) in cases {
            assert_eq!(java_double(d), want, "{d:e}");
        }
    }

    #[test]
    fn plain_doubles_take_the_short_way_to_the_same_text() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut values = vec![
            1e-3,
            0.0011,
            0.1,
            0.2,
            0.3,
            1.0 / 3.0,
            2.0 / 3.0,
            9_999_999.0,
            9_999_999.999_999,
            1234567.125,
            123456.789,
            15.99,
            249.99,
            0.30000000000000004,
            5.0e-3,
            1e-3 + 1e-19,
        ];
        for _ in 0..20_000 {
            let bits = next();
            let scale = [1e-3, 1e-1, 1.0, 1e2, 1e4, 1e6][(bits % 6) as usize];
            let fraction = (next() >> 11) as f64 / (1u64 << 53) as f64;
            values.push(scale * (1.0 + 9.0 * fraction));
            let cents = (next() % 10_000_000) as f64 / 100.0;
            values.push(cents);
            values.push(f64::from_bits(0x3f50_0000_0000_0000 + (next() % (1 << 62))));
        }
        for d in values {
            let mut general = String::new();
            write_general_double(d, &mut general).unwrap();
            assert_eq!(java_double(d), general, "{d:e}");
            assert_eq!(java_double(-d), format!("-{general}"), "{d:e}");
        }
    }

    #[test]
    fn scalars_print_as_java_does() {
        assert_eq!(Value::Int(-42).to_string(), "-42");
        assert_eq!(Value::Int(i64::MAX).to_string(), "9223372036854775807");
        assert_eq!(Value::Bool(true).to_string(), "true");
        assert_eq!(Value::Null.to_string(), "null");
        assert_eq!(Value::string("a b").to_string(), "a b");
        assert_eq!(Value::Float(2.0).to_string(), "2.0");
    }

    #[test]
    fn maps_and_lists_print_as_java_collections() {
        let list = Value::list(vec![
            Value::Int(1),
            Value::string("x"),
            Value::Null,
            Value::Float(1.5),
        ]);
        assert_eq!(list.to_string(), "[1, x, null, 1.5]");
        let m = map(&[
            ("a", Value::Int(1)),
            (
                "b",
                Value::list(vec![Value::string("x"), Value::string("y")]),
            ),
            ("c", map(&[])),
        ]);
        assert_eq!(m.to_string(), "{a=1, b=[x, y], c={}}");
        assert_eq!(Value::list(vec![]).to_string(), "[]");
    }

    #[test]
    fn params_map_prints_nested() {
        // `$input.params()` as AWS logs it: `{path={petId=123}, querystring={foo=bar}, header={}}`.
        let params = map(&[
            ("path", map(&[("petId", Value::string("123"))])),
            ("querystring", map(&[("foo", Value::string("bar"))])),
            ("header", map(&[])),
        ]);
        assert_eq!(
            params.to_string(),
            "{path={petId=123}, querystring={foo=bar}, header={}}"
        );
    }

    #[test]
    fn self_references_print_as_java_and_cycles_terminate() {
        let list = Value::list(vec![Value::Int(1)]);
        if let Value::List(l) = &list {
            l.borrow_mut().push(list.clone());
        }
        assert_eq!(list.to_string(), "[1, (this Collection)]");
        let m = map(&[("a", Value::Int(1))]);
        if let Value::Map(inner) = &m {
            inner.borrow_mut().insert("me".into(), m.clone());
        }
        assert_eq!(m.to_string(), "{a=1, me=(this Map)}");
        // An indirect cycle: a -> b -> a. Terminates at MAX_DEPTH.
        let a = Value::list(vec![]);
        let b = Value::list(vec![a.clone()]);
        if let Value::List(l) = &a {
            l.borrow_mut().push(b.clone());
        }
        let text = a.to_string();
        assert!(text.contains("..."));
        // Break the cycle so the test does not leak.
        if let Value::List(l) = &a {
            l.borrow_mut().clear();
        }
        if let (Value::List(l), Value::Map(m)) = (&list, &m) {
            l.borrow_mut().clear();
            m.borrow_mut().clear();
        }
    }
}
