//! The limits phase: AWS's request limits and hostile-input checks, applied
//! before routing, and the method ARN limit of routes with authorization.

use http::request::Parts;

use crate::error::GatewayError;
use crate::request::Routed;

/// AWS: total size of header values (REST), of request line and headers (HTTP APIs).
pub const MAX_HEADER_BYTES: usize = 10_240;
/// AWS: length of the URL of a regional API.
pub const MAX_URL_LENGTH: usize = 10_240;
/// AWS: length of a method ARN when authorization is enabled.
pub const MAX_METHOD_ARN: usize = 1_600;

/// Checks the request head against AWS's limits and rejects hostile paths.
///
/// # Errors
/// 414 for long URLs, 431 for oversized headers, 400 for dot segments or NUL in
/// the path and for HTTP/1.1 requests without exactly one `Host`.
pub(super) fn check_head(parts: &Parts) -> Result<(), GatewayError> {
    let path_and_query = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if path_and_query > MAX_URL_LENGTH {
        return Err(GatewayError::UriTooLong);
    }
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        return Err(GatewayError::HeadersTooLarge);
    }
    if hostile_path(parts.uri.path()) {
        return Err(GatewayError::BadRequest);
    }
    // RFC 9112 §3.2: a server responds 400 to an HTTP/1.1 request that lacks
    // Host or has more than one; which one to believe would be a guess.
    if parts.version == http::Version::HTTP_11
        && parts.headers.get_all(http::header::HOST).iter().count() != 1
    {
        return Err(GatewayError::BadRequest);
    }
    Ok(())
}

/// Dot segments (plain or percent-encoded), encoded NUL, or a path not starting with `/`
/// could make a backend see another resource than the one routed.
fn hostile_path(path: &str) -> bool {
    if !path.starts_with('/') {
        return true;
    }
    path.split('/').any(|segment| {
        let lower = segment.as_bytes();
        matches!(lower, b"." | b"..")
            || segment.eq_ignore_ascii_case("%2e")
            || segment.eq_ignore_ascii_case("%2e%2e")
            || segment.eq_ignore_ascii_case(".%2e")
            || segment.eq_ignore_ascii_case("%2e.")
    }) || path
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"%00"))
}

/// AWS limits the method ARN to 1,600 bytes when the route has authorization enabled.
///
/// # Errors
/// 414 past the limit.
pub(super) fn check_method_arn(route: &Routed<'_>, method: &str) -> Result<(), GatewayError> {
    if route.plan.authorization_enabled
        && method_arn_len(&route.api.id, &route.stage.name, method, route.api_path) > MAX_METHOD_ARN
    {
        return Err(GatewayError::UriTooLong);
    }
    Ok(())
}

/// The method ARN AWS builds when authorization is enabled:
/// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`.
fn method_arn_len(api_id: &str, stage: &str, method: &str, path: &str) -> usize {
    const PREFIX: &str = "arn:aws:execute-api:us-east-1:123456789012:";
    PREFIX.len() + api_id.len() + 1 + stage.len() + 1 + method.len() + path.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str) -> Parts {
        http::Request::builder()
            .uri(uri)
            .header("host", "x")
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    #[test]
    fn long_urls_are_414() {
        let long = format!("/a?{}", "x".repeat(MAX_URL_LENGTH));
        assert_eq!(check_head(&parts(&long)), Err(GatewayError::UriTooLong));
        assert_eq!(check_head(&parts("/a?b=c")), Ok(()));
    }

    #[test]
    fn big_headers_are_431() {
        let mut p = parts("/");
        p.headers
            .insert("x-big", "v".repeat(MAX_HEADER_BYTES).parse().unwrap());
        assert_eq!(check_head(&p), Err(GatewayError::HeadersTooLarge));
    }

    #[test]
    fn dot_segments_and_nul_are_rejected() {
        for path in ["/a/../b", "/a/./b", "/a/%2e%2E/b", "/a/.%2e", "/a%00b"] {
            assert_eq!(
                check_head(&parts(path)),
                Err(GatewayError::BadRequest),
                "{path}"
            );
        }
        assert_eq!(check_head(&parts("/a/..b/.c")), Ok(()));
    }

    #[test]
    fn http11_needs_exactly_one_host() {
        let mut p = parts("/a");
        p.headers.append("host", "y".parse().unwrap());
        assert_eq!(check_head(&p), Err(GatewayError::BadRequest));
        p.headers.remove("host");
        assert_eq!(check_head(&p), Err(GatewayError::BadRequest));
        p.version = http::Version::HTTP_10;
        assert_eq!(check_head(&p), Ok(()), "HTTP/1.0 may leave Host out");
        p.version = http::Version::HTTP_2;
        assert_eq!(check_head(&p), Ok(()), "HTTP/2 has :authority");
    }

    #[test]
    fn method_arn_length() {
        // arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets
        assert_eq!(
            method_arn_len("abc", "prod", "GET", "/pets"),
            43 + 3 + 1 + 4 + 1 + 3 + 5
        );
    }
}
