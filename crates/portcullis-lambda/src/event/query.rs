//! Query strings as the parameter maps of proxy events.
//!
//! AWS decodes names and values the way HTML forms are decoded: `+` is a
//! space and `%XX` a byte (LocalStack's AWS-validated recording of a REST API
//! shows `plus=test+alias@gmail.com` arriving as `"test alias@gmail.com"` and
//! `email=test%2Balias@gmail.com` as `"test+alias@gmail.com"`). The raw string
//! is only ever passed on untouched, as 2.0's `rawQueryString`.
//!
//! Malformed escapes (`%zz`, a trailing `%`) are kept literally rather than
//! rejected: the gateway has already accepted the request, and dropping a
//! parameter would silently change what the function sees. Bytes that do not
//! form UTF-8 after decoding become U+FFFD, since JSON strings must be Unicode.

use std::borrow::Cow;
use std::collections::BTreeMap;

use percent_encoding::percent_decode_str;

/// Decoded query parameters: each name with all its values, in request order.
///
/// Names are ordered (a `BTreeMap`) because AWS does not preserve parameter
/// order either ("the order of the request parameters is not preserved"), and
/// a sorted map keeps events deterministic and repeated names cheap to group.
pub(crate) type Params<'a> = BTreeMap<Cow<'a, str>, Vec<Cow<'a, str>>>;

/// Splits and decodes `raw` (without the leading `?`).
///
/// Empty segments (`a=1&&b=2`, a trailing `&`) carry no parameter and are
/// skipped; a segment without `=` is a parameter with an empty value.
pub(crate) fn parse(raw: Option<&str>) -> Params<'_> {
    let mut params = Params::new();
    for segment in raw.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
        let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
        params.entry(decode(name)).or_default().push(decode(value));
    }
    params
}

/// Form-decodes one name or value, borrowing when there is nothing to decode:
/// `+` is a space, then the `percent-encoding` crate decodes (the decoder the
/// router and the gateway use too).
pub(crate) fn decode(text: &str) -> Cow<'_, str> {
    if text.contains('+') {
        let spaced = text.replace('+', " ");
        return Cow::Owned(percent_decode_str(&spaced).decode_utf8_lossy().into_owned());
    }
    percent_decode_str(text).decode_utf8_lossy()
}

#[cfg(test)]
mod tests {
    use super::{decode, parse};

    #[test]
    fn decodes_like_aws_recorded() {
        // The query LocalStack sent to a real REST API, and what AWS delivered.
        let raw = "dateTimeOffset=2023-06-12T18:05:10.123456+00:00&email=test%2Balias@gmail.com\
                   &plus=test+alias@gmail.com&url=https://www.google.com/&whitespace=foo%20bar&zhash=abort/";
        let params = parse(Some(raw));
        let single = |name: &str| params[name].last().map(|v| v.to_string());
        assert_eq!(
            single("dateTimeOffset").as_deref(),
            Some("2023-06-12T18:05:10.123456 00:00")
        );
        assert_eq!(single("email").as_deref(), Some("test+alias@gmail.com"));
        assert_eq!(single("plus").as_deref(), Some("test alias@gmail.com"));
        assert_eq!(single("url").as_deref(), Some("https://www.google.com/"));
        assert_eq!(single("whitespace").as_deref(), Some("foo bar"));
        assert_eq!(single("zhash").as_deref(), Some("abort/"));
    }

    #[test]
    fn groups_repeated_names_in_order() {
        let params = parse(Some(
            "price=10&category=electronics&price=20&category=books&price=30",
        ));
        assert_eq!(params["price"], ["10", "20", "30"]);
        assert_eq!(params["category"], ["electronics", "books"]);
    }

    #[test]
    fn odd_segments() {
        let params = parse(Some("flag&&empty=&=nameless&a=b=c&"));
        assert_eq!(params["flag"], [""]);
        assert_eq!(params["empty"], [""]);
        assert_eq!(params[""], ["nameless"]);
        assert_eq!(params["a"], ["b=c"]);
        assert_eq!(params.len(), 4);
        assert!(parse(None).is_empty());
        assert!(parse(Some("")).is_empty());
    }

    #[test]
    fn malformed_escapes_stay_literal_and_bad_utf8_is_replaced() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%C3%A9t%C3%A9"), "été");
        assert_eq!(decode("%FF"), "\u{FFFD}");
        assert!(matches!(decode("plain"), std::borrow::Cow::Borrowed(_)));
    }
}
