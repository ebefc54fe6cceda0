//! `Accept-Encoding` as API Gateway reads it.
//!
//! The header (RFC 9110 §12.5.3) lists codings with optional weights:
//! `gzip;q=1.0, identity;q=0.5, *;q=0`. API Gateway considers only the coding
//! the client prefers most and compresses only when that one is a coding it
//! supports (api-gateway-enable-compression: "The highest-priority content
//! encoding must be one supported by API Gateway"); a header it cannot parse,
//! a missing header (which RFC 9110 reads as `*`) or `*` leave the response
//! uncompressed. Among equal weights the first listed wins.

use super::{Coding, is_tchar, trim_ows};

/// The coding to compress a response with, given the request's
/// `Accept-Encoding` values (several header lines read as one list): the
/// listed coding with the highest weight above zero, first listed among
/// equals, when this build supports it (`gzip`, `deflate`, `br` with the
/// `br` feature). `None` when the client prefers `identity`, `*` or a coding
/// not supported, lists nothing acceptable, or writes the header in a way
/// that is not RFC 9110's syntax.
///
/// Reads the values once without allocating; any input is fine.
pub fn negotiate<'a, I>(values: I) -> Option<Coding>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    // (weight in thousandths, token) of the best element so far.
    let mut best: Option<(u16, &[u8])> = None;
    for value in values {
        for element in value.split(|&b| b == b',') {
            let element = trim_ows(element);
            // Empty list elements are allowed (RFC 9110 §5.6.1).
            if element.is_empty() {
                continue;
            }
            let (token, weight) = parse_element(element)?;
            if weight > 0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, token));
            }
        }
    }
    best.and_then(|(_, token)| Coding::from_token(token))
}

/// One `coding [; q=weight]` element: its token and weight (1000 = `q=1`).
/// `None` when it is not RFC 9110's syntax.
fn parse_element(element: &[u8]) -> Option<(&[u8], u16)> {
    let mut parts = element.split(|&b| b == b';');
    let token = trim_ows(parts.next()?);
    if token.is_empty() || !token.iter().all(|&b| is_tchar(b)) {
        return None;
    }
    let mut weight = 1000;
    let mut weighted = false;
    for parameter in parts {
        let parameter = trim_ows(parameter);
        // A weight is the only parameter Accept-Encoding has, written once.
        let value = parameter
            .strip_prefix(b"q=")
            .or_else(|| parameter.strip_prefix(b"Q="))?;
        if weighted {
            return None;
        }
        weighted = true;
        weight = qvalue(value)?;
    }
    Some((token, weight))
}

/// An RFC 9110 qvalue (`0`, `0.5`, `1.000`, at most three decimals) in thousandths.
fn qvalue(text: &[u8]) -> Option<u16> {
    let (whole, fraction) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (&text[..dot], &text[dot + 1..]),
        None => (text, &b""[..]),
    };
    if fraction.len() > 3 || !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    // Three digits, the missing ones zeros: `.5` is 500 thousandths.
    let thousandths = fraction
        .iter()
        .chain(std::iter::repeat(&b'0'))
        .take(3)
        .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
    match whole {
        b"0" => Some(thousandths),
        b"1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(values: &[&str]) -> Option<&'static str> {
        negotiate(values.iter().map(|v| v.as_bytes())).map(Coding::name)
    }

    #[test]
    fn aws_documented_forms() {
        // The forms api-gateway-enable-compression lists.
        assert_eq!(pick(&["deflate,gzip"]), Some("deflate"));
        assert_eq!(pick(&[""]), None);
        assert_eq!(pick(&["*"]), None);
        assert_eq!(pick(&["deflate;q=0.5,gzip;q=1.0"]), Some("gzip"));
        assert_eq!(pick(&["gzip;q=1.0,identity;q=0.5,*;q=0"]), Some("gzip"));
        // No header at all.
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn highest_weight_wins_first_among_equals() {
        assert_eq!(pick(&["gzip, deflate"]), Some("gzip"));
        assert_eq!(pick(&["gzip;q=0.5, deflate;q=0.6"]), Some("deflate"));
        assert_eq!(pick(&["gzip;q=0.5", "deflate;q=0.500"]), Some("gzip"));
        assert_eq!(pick(&["identity, gzip"]), None);
        assert_eq!(pick(&["identity;q=0.1, gzip"]), Some("gzip"));
        assert_eq!(pick(&["GZIP;Q=1"]), Some("gzip"));
        assert_eq!(pick(&[" gzip ; q=1 , "]), Some("gzip"));
        assert_eq!(pick(&[",,gzip"]), Some("gzip"));
    }

    #[test]
    fn refused_and_unknown_codings_do_not_compress() {
        assert_eq!(pick(&["gzip;q=0"]), None);
        assert_eq!(pick(&["gzip;q=0, deflate;q=0.000"]), None);
        // The preferred coding must be supported: no fallback to the next one.
        assert_eq!(pick(&["zstd, gzip"]), None);
        assert_eq!(pick(&["x-gzip"]), None);
        assert_eq!(pick(&["*;q=1, gzip;q=0.5"]), None);
        assert_eq!(pick(&["compress;q=0.9, gzip;q=0.8"]), None);
    }

    #[cfg(feature = "br")]
    #[test]
    fn brotli_is_an_extension() {
        assert_eq!(pick(&["gzip, deflate, br"]), Some("gzip"));
        assert_eq!(pick(&["br, gzip"]), Some("br"));
        assert_eq!(pick(&["gzip;q=0.8, br"]), Some("br"));
    }

    #[cfg(not(feature = "br"))]
    #[test]
    fn brotli_without_the_feature_is_unsupported() {
        assert_eq!(pick(&["br, gzip"]), None);
        assert_eq!(pick(&["gzip, br"]), Some("gzip"));
    }

    #[test]
    fn malformed_headers_do_not_compress() {
        for bad in [
            "gzip;q=2",
            "gzip;q=1.5",
            "gzip;q=0.1234",
            "gzip;q=",
            "gzip;q=.5",
            "gzip;q=0.5;q=0.4",
            "gzip;level=1",
            "gzip; q = 1",
            "gz ip",
            ";q=1",
            "gzip;q=1.001",
            "gzip\u{e9}",
            "g\"zip\"",
        ] {
            assert_eq!(pick(&[bad]), None, "{bad}");
            assert_eq!(pick(&[bad, "gzip"]), None, "{bad}, gzip");
        }
        assert_eq!(qvalue(b"0.125"), Some(125));
        assert_eq!(qvalue(b"1.000"), Some(1000));
        assert_eq!(qvalue(b"0."), Some(0));
    }
}
