//! An HTTP API's CORS configuration (`x-amazon-apigateway-cors`), as read,
//! and the syntax rules its entries follow. `runtime::cors` compiles it into
//! the policy requests are checked against; docs/cors.md describes both.

/// The largest `maxAge` API Gateway accepts: one day, in seconds.
pub(crate) const MAX_AGE_LIMIT: i32 = 86_400;

/// The longest method name API Gateway accepts in `allowMethods`.
pub(crate) const METHOD_LENGTH_LIMIT: usize = 64;

/// `x-amazon-apigateway-cors` of an HTTP API (http-api-cors). Lists keep the
/// entries that can ever match a request; `*` stays as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cors {
    /// `allowOrigins`: origins as browsers send them (`https://app.example.com`,
    /// `http://localhost:8080`) or `*` for any origin.
    pub allow_origins: Vec<String>,
    /// `allowCredentials`: `Access-Control-Allow-Credentials: true`, so that
    /// browsers expose answers to requests sent with cookies or HTTP auth.
    pub allow_credentials: bool,
    /// `allowMethods`: methods a preflight may ask for, or `*`.
    pub allow_methods: Vec<String>,
    /// `allowHeaders`: request headers a preflight may ask for, or `*`.
    pub allow_headers: Vec<String>,
    /// `exposeHeaders`: response headers scripts may read beyond the safelisted ones.
    pub expose_headers: Vec<String>,
    /// `maxAge`: seconds browsers may cache a preflight's answer (−1 to 86,400);
    /// `None` sends no `Access-Control-Max-Age` (browsers then cache for 5 s).
    pub max_age: Option<i32>,
}

/// The wildcard entry.
pub(crate) const WILDCARD: &str = "*";

/// Whether `text` is an HTTP token (RFC 9110 `tchar`s): what method and
/// header names are made of.
pub(crate) fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Why `text` can never equal an `Origin` header a browser sends, or `None`
/// when it can: `scheme://host[:port]` with nothing after, or `null` (the
/// origin of sandboxed frames and `file:` pages).
pub(crate) fn origin_flaw(text: &str) -> Option<&'static str> {
    if text == "null" {
        return None;
    }
    let Some((scheme, rest)) = text.split_once("://") else {
        return Some("it has no scheme (write `https://host` or `http://host:port`)");
    };
    if scheme.is_empty()
        || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return Some("its scheme is not a URL scheme");
    }
    if rest.is_empty() {
        return Some("it has no host");
    }
    if rest.contains('*') {
        return Some(
            "`*` is a wildcard only on its own: origins are compared whole, not as patterns",
        );
    }
    if rest.contains(['/', '?', '#']) {
        return Some("browsers send an origin without a path or a trailing `/`");
    }
    if rest.contains(|c: char| c.is_whitespace() || c.is_control()) {
        return Some("it contains white space");
    }
    let (host, port) = match rest.rfind(':') {
        // A colon inside `[...]` belongs to an IPv6 address, not a port.
        Some(at) if !rest[at..].contains(']') => (&rest[..at], Some(&rest[at + 1..])),
        _ => (rest, None),
    };
    if host.is_empty() {
        return Some("it has no host");
    }
    if port.is_some_and(|port| port.parse::<u16>().is_err()) {
        return Some("its port is not a number from 0 to 65535");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_as_browsers_send_them() {
        for good in [
            "https://app.example.com",
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://[::1]:3000",
            "http://[::1]",
            "chrome-extension://abcdef",
            "null",
        ] {
            assert_eq!(origin_flaw(good), None, "{good}");
        }
        for (bad, why) in [
            ("app.example.com", "no scheme"),
            ("https://app.example.com/", "trailing"),
            ("https://app.example.com/path", "trailing"),
            ("https://*.example.com", "wildcard"),
            ("https://", "no host"),
            ("https://:80", "no host"),
            ("https://a.test:99999", "port"),
            ("1http://a.test", "scheme"),
            ("https://a .test", "white space"),
        ] {
            let flaw = origin_flaw(bad).unwrap_or_else(|| panic!("{bad} passed"));
            assert!(flaw.contains(why), "{bad}: {flaw}");
        }
    }

    #[test]
    fn tokens() {
        assert!(is_token("GET"));
        assert!(is_token("x-api-key"));
        assert!(!is_token(""));
        assert!(!is_token("GET, POST"));
        assert!(!is_token("x:y"));
    }
}
