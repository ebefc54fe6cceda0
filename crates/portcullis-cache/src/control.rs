//! `Cache-Control` as the cache reads it: a client asking for a fresh
//! response (`max-age=0`, AWS's invalidation), and, where a route opts in,
//! the backend's own directives (beyond AWS).

use std::time::Duration;

use http::HeaderMap;
use http::header::CACHE_CONTROL;

/// Whether the request asks for a fresh response: a `Cache-Control`
/// directive `max-age=0` (the one API Gateway acts on).
pub fn requests_refresh(headers: &HeaderMap) -> bool {
    directives(headers).any(|(name, value)| {
        name.eq_ignore_ascii_case("max-age") && value.and_then(seconds) == Some(0)
    })
}

/// What a backend's `Cache-Control` allows a shared cache to do.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ResponseDirectives {
    /// `no-store`: keep nothing.
    pub no_store: bool,
    /// `private`: for one user only; a shared cache keeps nothing.
    pub private: bool,
    /// `no-cache`: may be kept but must be revalidated before each use,
    /// which this cache cannot do: kept nothing.
    pub no_cache: bool,
    /// `max-age` in seconds; `Some(0)` for a malformed value (RFC 9111: stale).
    pub max_age: Option<u64>,
    /// `s-maxage` in seconds (shared caches prefer it to `max-age`).
    pub s_maxage: Option<u64>,
}

impl ResponseDirectives {
    /// Reads every `Cache-Control` field of a response.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut found = Self::default();
        for (name, value) in directives(headers) {
            let age = || Some(value.and_then(seconds).unwrap_or(0));
            match name.to_ascii_lowercase().as_str() {
                "no-store" => found.no_store = true,
                "private" => found.private = true,
                "no-cache" => found.no_cache = true,
                "max-age" => found.max_age = age(),
                "s-maxage" => found.s_maxage = age(),
                _ => {}
            }
        }
        found
    }

    /// How long the response may be kept when the route would keep it for
    /// `configured`: `None` when it must not be kept; otherwise the
    /// backend's `s-maxage`, else its `max-age`, never beyond `configured`.
    pub fn ttl(&self, configured: Duration) -> Option<Duration> {
        if self.no_store || self.private || self.no_cache {
            return None;
        }
        let ttl = match self.s_maxage.or(self.max_age) {
            Some(seconds) => configured.min(Duration::from_secs(seconds)),
            None => configured,
        };
        (!ttl.is_zero()).then_some(ttl)
    }
}

/// Every directive of every `Cache-Control` field: a name and an optional
/// value (quotes removed). Fields that are not visible ASCII are skipped.
fn directives(headers: &HeaderMap) -> impl Iterator<Item = (&str, Option<&str>)> {
    headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|field| field.split(','))
        .filter_map(|directive| {
            let directive = directive.trim();
            if directive.is_empty() {
                return None;
            }
            Some(match directive.split_once('=') {
                Some((name, value)) => {
                    let value = value.trim();
                    let value = value
                        .strip_prefix('"')
                        .and_then(|v| v.strip_suffix('"'))
                        .unwrap_or(value);
                    (name.trim(), Some(value))
                }
                None => (directive, None),
            })
        })
}

/// Delta-seconds (RFC 9111 §1.2.2): digits only; too large saturates.
fn seconds(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(value.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(CACHE_CONTROL, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn refresh_is_max_age_zero_only() {
        assert!(requests_refresh(&headers(&["max-age=0"])));
        assert!(requests_refresh(&headers(&["no-transform, Max-Age=\"0\""])));
        assert!(requests_refresh(&headers(&["foo", "max-age=00"])));
        assert!(!requests_refresh(&headers(&["max-age=10"])));
        assert!(!requests_refresh(&headers(&[
            "max-age=",
            "max-age=-0",
            "max-age=0x"
        ])));
        assert!(!requests_refresh(&headers(&["no-cache"])));
        assert!(!requests_refresh(&HeaderMap::new()));
    }

    #[test]
    fn response_directives_decide_the_ttl() {
        let configured = Duration::from_secs(300);
        let ttl = |v: &[&str]| ResponseDirectives::from_headers(&headers(v)).ttl(configured);
        assert_eq!(ttl(&[]), Some(configured));
        assert_eq!(ttl(&["public, max-age=60"]), Some(Duration::from_secs(60)));
        assert_eq!(
            ttl(&["max-age=60, s-maxage=30"]),
            Some(Duration::from_secs(30))
        );
        assert_eq!(ttl(&["max-age=9999"]), Some(configured));
        assert_eq!(ttl(&["max-age=0"]), None);
        assert_eq!(ttl(&["max-age=soon"]), None);
        assert_eq!(ttl(&["no-store"]), None);
        assert_eq!(ttl(&["PRIVATE"]), None);
        assert_eq!(ttl(&["max-age=60", "no-cache"]), None);
        assert_eq!(ttl(&["max-age=99999999999999999999999"]), Some(configured));
    }
}
