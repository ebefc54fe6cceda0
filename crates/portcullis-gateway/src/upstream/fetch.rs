//! Key documents (OIDC discovery, JWKS) fetched with the gateway's own
//! client, so authorizers trust the same CA files as HTTP integrations.

use std::time::Duration;

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use portcullis_auth::fetch::{BoxFuture, Fetch, FetchError};

use super::UpstreamClient;

/// The longest a fetch waits for a response head; the authorizer bounds the
/// whole fetch more tightly.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

impl Fetch for UpstreamClient {
    fn get<'a>(&'a self, url: &'a str, limit: usize) -> BoxFuture<'a, Result<Bytes, FetchError>> {
        Box::pin(async move {
            let request = Request::get(url)
                .header(http::header::ACCEPT, "application/json")
                .body(Full::new(Bytes::new()))
                .map_err(|e| FetchError(format!("not a usable URL: {e}")))?;
            let response = self
                .send(request, HEAD_TIMEOUT)
                .await
                .map_err(|e| FetchError(e.to_string()))?;
            if response.status() != StatusCode::OK {
                return Err(FetchError(format!("answered {}", response.status())));
            }
            let body = Limited::new(response.into_body(), limit)
                .collect()
                .await
                .map_err(|e| FetchError(format!("reading the body: {e}")))?;
            Ok(body.to_bytes())
        })
    }
}
