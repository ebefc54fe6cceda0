//! How this crate reaches the network: a trait the embedding server
//! implements with its own HTTP client (the gateway uses its pooled client,
//! with its CA settings), so this crate carries none.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Fetches documents (OIDC discovery, JWKS) over HTTP(S).
pub trait Fetch: Send + Sync + 'static {
    /// GETs `url`. Returns the body of a `200` answer, or an error when the
    /// status is another, the body is over `limit` bytes, or the transfer
    /// fails. Callers bound the time it takes.
    fn get<'a>(&'a self, url: &'a str, limit: usize) -> BoxFuture<'a, Result<Bytes, FetchError>>;
}

/// A fetch that failed, with what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FetchError(pub String);

/// Whether `url` may be fetched for keys: `https`, or plain `http` to a
/// loopback host only (a local stand-in issuer).
///
/// # Errors
/// What is wrong with the URL.
pub fn check_key_url(url: &str) -> Result<(), FetchError> {
    let uri: http::Uri = url
        .parse()
        .map_err(|_| FetchError(format!("{url:?} is not a URL")))?;
    let host = uri
        .host()
        .ok_or_else(|| FetchError(format!("{url:?} has no host")))?;
    match uri.scheme_str() {
        Some("https") => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => Err(FetchError(format!(
            "{url:?}: keys are fetched over https; plain http is accepted for loopback hosts only"
        ))),
        _ => Err(FetchError(format!("{url:?} is not an http(s) URL"))),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback() {
        assert!(check_key_url("https://cognito-idp.us-east-1.amazonaws.com/pool").is_ok());
        assert!(check_key_url("http://127.0.0.1:9000/pool").is_ok());
        assert!(check_key_url("http://localhost/x").is_ok());
        assert!(check_key_url("http://[::1]:8/x").is_ok());
        assert!(check_key_url("http://issuer.example.com/x").is_err());
        assert!(check_key_url("ftp://127.0.0.1/x").is_err());
        assert!(check_key_url("not a url").is_err());
    }
}
