//! HTTP backends (`http_proxy`, `http`): send the request through the pooled
//! upstream client and read the whole answer, within the integration timeout.

use std::time::Duration;

use bytes::Bytes;
use http::Request;
use http::response::Parts;
use http_body_util::{BodyExt, Full, Limited};

use super::{MAX_PAYLOAD, within};
use crate::error::GatewayError;
use crate::upstream::{UpstreamClient, UpstreamRequestOptions};

/// Sends `request` and returns the answer's head within `timeout`, its body
/// left to stream (`responseTransferMode: STREAM`: no size bound, as on AWS).
///
/// # Errors
/// As [`send`], less the size bound.
pub(super) async fn open(
    upstream: &UpstreamClient,
    request: Request<Full<Bytes>>,
    timeout: Duration,
    request_id: &str,
) -> Result<(Parts, crate::upstream::UpstreamResponseBody), GatewayError> {
    let response = upstream.send(request, timeout).await.map_err(|error| {
        tracing::warn!(request_id, %error, "integration request failed");
        GatewayError::from(&error)
    })?;
    Ok(response.into_parts())
}

/// Sends `request` and reads the answer (at most 10 MB) within `timeout`.
///
/// # Errors
/// 504 when the backend is too slow, AWS's integration failure when it cannot
/// be reached or breaks off, and the too-large answer past 10 MB.
pub(super) async fn send(
    upstream: &UpstreamClient,
    request: Request<Full<Bytes>>,
    timeout: Duration,
    request_id: &str,
) -> Result<(Parts, Bytes), GatewayError> {
    // One timer bounds the whole exchange, head and body.
    let answer = within(timeout, async {
        let response = upstream
            .exchange(request, UpstreamRequestOptions::default())
            .await
            .map_err(|error| {
                tracing::warn!(request_id, %error, "integration request failed");
                GatewayError::from(&error)
            })?;
        let (head, incoming) = response.into_parts();
        let body = Limited::new(incoming, MAX_PAYLOAD)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    GatewayError::IntegrationResponseTooLarge
                } else {
                    GatewayError::IntegrationFailure
                }
            })?
            .to_bytes();
        Ok((head, body))
    })
    .await;
    if let Err(GatewayError::IntegrationTimeout) = &answer {
        tracing::warn!(
            request_id,
            timeout_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX),
            "integration request timed out"
        );
    }
    answer
}
