//! Percent-decoding of raw path and query values.
//!
//! Both functions follow the WHATWG URL Standard's *percent-decode* (a `%` not
//! followed by two hex digits is kept as it is) and then its *UTF-8 decode
//! without BOM* (bytes that are not UTF-8 become U+FFFD). They never fail and
//! never panic, and they borrow the input when there is nothing to decode.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

/// Decodes a path value: `%XX` escapes become bytes, `+` stays `+`.
///
/// For a path parameter as API Gateway hands it to an integration
/// (`$input.params('id')`, Lambda's `pathParameters`) from the raw value a
/// [`Params`](crate::Params) gives. A `%` without two hex digits after it is
/// kept literally; a result that is not UTF-8 is converted lossily (each bad
/// sequence becomes U+FFFD).
///
/// ```
/// use portcullis_router::percent_decode;
/// assert_eq!(percent_decode("caf%C3%A9%20au+lait"), "café au+lait");
/// assert_eq!(percent_decode("100%"), "100%");           // bad escape: kept
/// assert_eq!(percent_decode("%FF"), "\u{FFFD}");        // not UTF-8: replaced
/// assert!(matches!(percent_decode("plain"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn percent_decode(input: &str) -> Cow<'_, str> {
    if !input.as_bytes().contains(&b'%') {
        return Cow::Borrowed(input);
    }
    decode(input, false)
}

/// Decodes a query string name or value: like [`percent_decode`], but `+`
/// means a space first (`application/x-www-form-urlencoded`), as API Gateway
/// decodes query strings. `%2B` is a literal `+`.
///
/// Pass one name or one value, already split on `&` and `=`.
///
/// ```
/// use portcullis_router::percent_decode_query;
/// assert_eq!(percent_decode_query("red+shoes%2Bsocks"), "red shoes+socks");
/// assert_eq!(percent_decode_query("%E2%82"), "\u{FFFD}"); // truncated UTF-8
/// ```
pub fn percent_decode_query(input: &str) -> Cow<'_, str> {
    if !input.bytes().any(|b| b == b'%' || b == b'+') {
        return Cow::Borrowed(input);
    }
    decode(input, true)
}

/// The one percent-decoder: the `percent-encoding` crate's, which keeps a `%`
/// without two hex digits as it is and borrows when nothing is decoded;
/// lossy UTF-8 on top.
fn decode(input: &str, plus_is_space: bool) -> Cow<'_, str> {
    if plus_is_space && input.contains('+') {
        let spaced = input.replace('+', " ");
        return Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned());
    }
    percent_decode_str(input).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes() {
        assert_eq!(percent_decode("a%20b%2Fc%2fd"), "a b/c/d");
        assert_eq!(percent_decode("%41%42%43"), "ABC");
        assert_eq!(percent_decode("%e2%82%ac"), "€");
        assert_eq!(percent_decode("%00"), "\0");
    }

    #[test]
    fn plus_is_a_space_only_in_queries() {
        assert_eq!(percent_decode("a+b"), "a+b");
        assert_eq!(percent_decode_query("a+b"), "a b");
        assert_eq!(percent_decode_query("a%2Bb"), "a+b");
        assert_eq!(percent_decode_query("+%20+"), "   ");
    }

    #[test]
    fn bad_escapes_are_kept() {
        for input in ["%", "%%", "%4", "%zz", "%4g", "a%", "100%25%"] {
            let expected = input.replace("%25", "%");
            assert_eq!(percent_decode(input), expected, "{input}");
        }
        assert!(matches!(percent_decode("%zz"), Cow::Borrowed(_)));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(percent_decode("%FF%FE"), "\u{FFFD}\u{FFFD}");
        assert_eq!(percent_decode("ok%C3"), "ok\u{FFFD}");
        assert_eq!(percent_decode("%C3%28"), "\u{FFFD}(");
        assert_eq!(
            percent_decode_query("%ED%A0%80+x"),
            "\u{FFFD}\u{FFFD}\u{FFFD} x"
        );
    }

    #[test]
    fn borrows_when_nothing_changes() {
        assert!(matches!(percent_decode("a+b/c"), Cow::Borrowed(_)));
        assert!(matches!(percent_decode_query("abc"), Cow::Borrowed(_)));
        assert!(matches!(percent_decode("%41"), Cow::Owned(_)));
    }
}
