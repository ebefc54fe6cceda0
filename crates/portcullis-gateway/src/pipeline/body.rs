//! The body phase: the client's whole body, within AWS's 10 MB and the
//! pipeline's read timeout.

use std::time::Duration;

use bytes::Bytes;
use http::header;
use http_body_util::{BodyExt, Limited};

use crate::error::GatewayError;
use crate::integration::MAX_PAYLOAD;

/// Reads the whole body, refusing more than 10 MB before reading it when the length is declared.
///
/// # Errors
/// 413 past 10 MB, 408 when the client trickles it past `timeout`, 400 when it breaks off.
pub(super) async fn read<B>(
    headers: &http::HeaderMap,
    body: B,
    timeout: Duration,
) -> Result<Bytes, GatewayError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > MAX_PAYLOAD as u64) {
        return Err(GatewayError::RequestTooLarge);
    }
    let collect = Limited::new(body, MAX_PAYLOAD).collect();
    match tokio::time::timeout(timeout, collect).await {
        Err(_) => Err(GatewayError::RequestTimeout),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            Err(GatewayError::RequestTooLarge)
        }
        // The client broke the body off (reset, bad chunking): a client error, never a 5xx.
        Ok(Err(_)) => Err(GatewayError::BadRequest),
    }
}
