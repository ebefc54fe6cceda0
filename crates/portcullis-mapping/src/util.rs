//! `$util`: the functions API Gateway gives templates, with the Java
//! semantics AWS runs them with.
//!
//! - `escapeJavaScript` is Apache Commons Lang's `StringEscapeUtils
//!   .escapeJavaScript`: `'` becomes `\'` (so the documented idiom
//!   `$util.escapeJavaScript($x).replaceAll("\\'","'")` is needed for JSON),
//!   `"` `\` `/` are escaped, control characters use `\b \t \n \f \r` or
//!   `\u00XX`, and every character above U+007F becomes `\uXXXX` (UTF-16
//!   units, upper-case hex). No surrounding quotes.
//! - `urlEncode`/`urlDecode` are `java.net.URLEncoder`/`URLDecoder` with UTF-8
//!   (`application/x-www-form-urlencoded`: space is `+`).
//! - `base64Encode`/`base64Decode` are `java.util.Base64`'s basic encoder and
//!   decoder over UTF-8 text.
//! - `parseJson` reads JSON into a navigable value, as `$input.path` does.

use std::fmt::Write;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use crate::json;
use crate::value::Value;

/// `$util.escapeJavaScript`: escapes `s` with JavaScript string rules, as
/// Commons Lang's `escapeJavaScript` does (see the module docs).
pub fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    escape_javascript_into(s, &mut out);
    out
}

/// Whether [`escape_javascript`] changes `s` (if not, it gives `s` back).
pub(crate) fn escapes_javascript(s: &str) -> bool {
    plain_javascript_run(s.as_bytes(), 0) < s.len()
}

/// Bytes that [`escape_javascript`] copies as they are: ASCII it does not
/// escape.
const JS_PLAIN: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x80 {
        table[b] = !escaped_by_javascript(b as u8);
        b += 1;
    }
    table
};

/// From `i`: the position of the first byte of `b` that is not
/// [`JS_PLAIN`] (`b.len()` if none); eight bytes at a time.
fn plain_javascript_run(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        if !chunk.iter().all(|&c| JS_PLAIN[usize::from(c)]) {
            break;
        }
        i += 8;
    }
    while i < b.len() && JS_PLAIN[usize::from(b[i])] {
        i += 1;
    }
    i
}

/// ASCII bytes that [`escape_javascript`] escapes.
const fn escaped_by_javascript(b: u8) -> bool {
    matches!(b, b'\'' | b'"' | b'\\' | b'/' | 0x00..=0x1f)
}

/// [`escape_javascript`] appending to `out`.
pub(crate) fn escape_javascript_into(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    loop {
        i = plain_javascript_run(bytes, i);
        let Some(&b) = bytes.get(i) else { break };
        i += 1;
        if b & 0xc0 == 0x80 {
            // A continuation byte: its character is escaped already.
            start = i;
            continue;
        }
        let i = i - 1;
        out.push_str(&s[start..i]);
        start = i + 1;
        match b {
            b'\'' => out.push_str("\\'"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'/' => out.push_str("\\/"),
            0x08 => out.push_str("\\b"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            _ => {
                // A control character, or every UTF-16 unit of a non-ASCII one.
                let c = s[i..].chars().next().unwrap_or('\0');
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = json::write_unicode_escape(u32::from(*unit), out);
                }
            }
        }
    }
    out.push_str(&s[start..]);
}

/// `$util.urlEncode`: `URLEncoder.encode(s, "UTF-8")`. Letters, digits and
/// `.-*_` stay, space becomes `+`, every other byte of the UTF-8 text `%XX`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// `$util.urlDecode`, forgiving: like [`try_url_decode`], but a malformed `%`
/// escape (where Java throws) is kept as it is.
pub fn url_decode(s: &str) -> String {
    decode_form(s, false).unwrap_or_else(|_| s.to_string())
}

/// `$util.urlDecode` exactly as `URLDecoder.decode(s, "UTF-8")`: `+` is a
/// space, runs of `%XX` are UTF-8 bytes (malformed UTF-8 becomes U+FFFD), and
/// an incomplete or non-hex `%` escape is an error with Java's message.
pub fn try_url_decode(s: &str) -> Result<String, String> {
    decode_form(s, true)
}

fn decode_form(s: &str, strict: bool) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut bytes: Vec<u8> = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '%' {
            let mut ahead = chars.clone();
            let pair: Option<String> = match (ahead.next(), ahead.next()) {
                (Some(a), Some(b)) => Some([a, b].iter().collect()),
                _ => None,
            };
            match java_hex_byte(pair.as_deref()) {
                Ok(b) => {
                    bytes.push(b);
                    chars = ahead;
                    continue;
                }
                Err(message) if strict => return Err(message),
                Err(_) => {}
            }
        }
        if !bytes.is_empty() {
            out.push_str(&String::from_utf8_lossy(&bytes));
            bytes.clear();
        }
        out.push(if c == '+' { ' ' } else { c });
    }
    out.push_str(&String::from_utf8_lossy(&bytes));
    Ok(out)
}

/// The two characters after `%`, read as Java's `Integer.parseInt(x, 16)`
/// does (which accepts a sign: `%+f` is byte 0x0F, `%-1` is an error).
fn java_hex_byte(pair: Option<&str>) -> Result<u8, String> {
    let Some(pair) = pair else {
        return Err("URLDecoder: Incomplete trailing escape (%) pattern".to_string());
    };
    let (negative, digits) = match pair.strip_prefix(['+', '-']) {
        Some(digits) => (pair.starts_with('-'), digits),
        None => (false, pair),
    };
    let value = if !digits.is_empty() && digits.bytes().all(|d| d.is_ascii_hexdigit()) {
        u8::from_str_radix(digits, 16).ok()
    } else {
        None
    };
    match value {
        Some(0) => Ok(0),
        Some(_) if negative => Err(
            "URLDecoder: Illegal hex characters in escape (%) pattern - negative value".to_string(),
        ),
        Some(b) => Ok(b),
        None => Err(format!(
            "URLDecoder: Illegal hex characters in escape (%) pattern - For input string: \"{pair}\""
        )),
    }
}

const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// `$util.base64Encode`: the UTF-8 bytes of `s`, standard alphabet, padded.
pub fn base64_encode(s: &str) -> String {
    BASE64.encode(s.as_bytes())
}

/// `$util.base64Decode`: standard alphabet, padding optional, no whitespace
/// (Java's basic decoder); the bytes are read as UTF-8, malformed sequences
/// becoming U+FFFD as `new String(bytes, UTF_8)` does.
pub fn base64_decode(s: &str) -> Result<String, String> {
    BASE64
        .decode(s.as_bytes())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|e| format!("$util.base64Decode: input is not valid base64 ({e})"))
}

/// `$util.parseJson`: JSON text to a navigable value (maps in document order,
/// lists that print as JSON, numbers as on AWS: see [`crate::json`]).
pub fn parse_json(s: &str) -> Result<Value, String> {
    json::read(s).map_err(|e| format!("$util.parseJson: input is not valid JSON ({e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`escape_javascript`] byte by byte, as it was written before it
    /// skipped plain runs eight bytes at a time.
    fn escape_javascript_bytewise(s: &str) -> String {
        let mut out = String::new();
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            if b <= 0x7f && !escaped_by_javascript(b) {
                continue;
            }
            if b & 0xc0 == 0x80 {
                start = i + 1;
                continue;
            }
            out.push_str(&s[start..i]);
            start = i + 1;
            match b {
                b'\'' => out.push_str("\\'"),
                b'"' => out.push_str("\\\""),
                b'\\' => out.push_str("\\\\"),
                b'/' => out.push_str("\\/"),
                0x08 => out.push_str("\\b"),
                b'\n' => out.push_str("\\n"),
                b'\t' => out.push_str("\\t"),
                0x0c => out.push_str("\\f"),
                b'\r' => out.push_str("\\r"),
                _ => {
                    let c = s[i..].chars().next().unwrap_or('\0');
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        let _ = json::write_unicode_escape(u32::from(*unit), &mut out);
                    }
                }
            }
        }
        out.push_str(&s[start..]);
        out
    }

    #[test]
    fn escape_javascript_skips_plain_runs_exactly() {
        let specials = [
            "'",
            "\"",
            "\\",
            "/",
            "\u{8}",
            "\n",
            "\t",
            "\u{c}",
            "\r",
            "\u{1}",
            "\u{7f}",
            "é",
            "\u{2028}",
            "\u{1f600}",
            "ab",
        ];
        for len in [0, 1, 7, 8, 9, 16, 17, 25] {
            for at in 0..=len {
                for a in specials {
                    for b in ["", "'", "é", "x"] {
                        let s = format!("{}{a}{}{b}", "x".repeat(at), "y".repeat(len - at));
                        assert_eq!(
                            escape_javascript(&s),
                            escape_javascript_bytewise(&s),
                            "{s:?}"
                        );
                        assert_eq!(escapes_javascript(&s), escape_javascript(&s) != s, "{s:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn escape_javascript_as_commons_lang() {
        let cases = [
            // AWS guide: single quotes become \' ...
            ("it's", r"it\'s"),
            ("", ""),
            (r#"{"foo": 123}"#, r#"{\"foo\": 123}"#),
            (r#""""#, r#"\"\""#),
            ("a/b", r"a\/b"),
            (r"back\slash", r"back\\slash"),
            ("tab\tnl\ncr\rbs\u{8}ff\u{c}", r"tab\tnl\ncr\rbs\bff\f"),
            ("\u{0}\u{1}\u{1f}", r"\u0000\u0001\u001F"),
            ("\u{7f}", "\u{7f}"),
            ("é€日", r"\u00E9\u20AC\u65E5"),
            ("😀", r"\uD83D\uDE00"),
            ("0010 true 1.021", "0010 true 1.021"),
        ];
        for (input, want) in cases {
            assert_eq!(escape_javascript(input), want, "{input:?}");
        }
        // ... and the documented idiom turns them back for JSON.
        assert_eq!(escape_javascript("it's").replace("\\'", "'"), "it's");
    }

    #[test]
    fn url_encode_as_java_url_encoder() {
        let cases = [
            // AWS-recorded (LocalStack snapshot test_input_body_formatting).
            (r#"{"some": "value"}"#, "%7B%22some%22%3A+%22value%22%7D"),
            ("{}", "%7B%7D"),
            ("some raw data", "some+raw+data"),
            ("x=a+b", "x%3Da%2Bb"),
            ("a.b-c*d_e~f!g'h(i)", "a.b-c*d_e%7Ef%21g%27h%28i%29"),
            ("é/日", "%C3%A9%2F%E6%97%A5"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(url_encode(input), want, "{input:?}");
        }
    }

    #[test]
    fn url_decode_as_java_url_decoder() {
        let cases = [
            ("x=a+b", "x=a b"),
            ("%7B%22some%22%3A+%22value%22%7D", r#"{"some": "value"}"#),
            ("caf%C3%a9+ok", "café ok"),
            ("%E6%97%A5", "日"),
            ("%E9", "\u{fffd}"),
            ("%+f", "\u{f}"),
            ("%-0", "\u{0}"),
            ("raw é", "raw é"),
        ];
        for (input, want) in cases {
            assert_eq!(try_url_decode(input).as_deref(), Ok(want), "{input:?}");
            assert_eq!(url_decode(input), want, "{input:?}");
        }
        for (input, message) in [
            ("%", "Incomplete trailing escape"),
            ("a%4", "Incomplete trailing escape"),
            ("%zz", "Illegal hex characters"),
            ("%-1", "negative value"),
            ("%é1", "Illegal hex characters"),
        ] {
            let err = try_url_decode(input).expect_err(input);
            assert!(err.contains(message), "{input:?}: {err}");
        }
        // The forgiving form keeps malformed escapes.
        assert_eq!(url_decode("100%zz+%41"), "100%zz A");
        assert_eq!(url_decode("50%"), "50%");
    }

    #[test]
    fn base64_as_java_basic_codec() {
        assert_eq!(base64_encode("hello"), "aGVsbG8=");
        assert_eq!(base64_encode(""), "");
        assert_eq!(base64_encode("é"), "w6k=");
        assert_eq!(
            base64_encode(r#"{"message": "path1"}"#),
            "eyJtZXNzYWdlIjogInBhdGgxIn0="
        );
        assert_eq!(base64_decode("aGVsbG8=").as_deref(), Ok("hello"));
        assert_eq!(base64_decode("aGVsbG8").as_deref(), Ok("hello"));
        assert_eq!(base64_decode("w6k=").as_deref(), Ok("é"));
        assert_eq!(base64_decode("/w==").as_deref(), Ok("\u{fffd}"));
        assert_eq!(base64_decode("").as_deref(), Ok(""));
        for bad in ["a$b=", "aGVs bG8=", "aGVsbG8=\n", "a", "-_-_"] {
            let err = base64_decode(bad).expect_err(bad);
            assert!(err.starts_with("$util.base64Decode"), "{err}");
        }
    }

    #[test]
    fn parse_json_gives_navigable_values() {
        // The AWS guide's example: `$errorMessageObj.key2.arr[0]` is 1.
        let v = parse_json(r#"{"key1":"var1","key2":{"arr":[1,2,3]}}"#).unwrap();
        let Value::Map(m) = &v else { panic!("map") };
        let key2 = m.borrow().get("key2").cloned().unwrap();
        let Value::Map(key2) = key2 else {
            panic!("map")
        };
        let arr = key2.borrow().get("arr").cloned().unwrap();
        let Value::List(arr) = arr else {
            panic!("list")
        };
        assert!(matches!(arr.borrow()[0], Value::Int(1)));
        assert_eq!(v.to_string(), "{key1=var1, key2={arr=[1,2,3]}}");
        assert!(matches!(parse_json("\"string\""), Ok(Value::String(s)) if &*s == "string"));
        assert!(matches!(parse_json("1"), Ok(Value::Int(1))));
        assert!(matches!(parse_json("true"), Ok(Value::Bool(true))));
        assert_eq!(parse_json("[]").unwrap().to_string(), "[]");
        let err = parse_json("{nope").unwrap_err();
        assert!(
            err.starts_with("$util.parseJson: input is not valid JSON"),
            "{err}"
        );
    }
}
