//! The decode phase: a REST API's compressed request body, decoded before
//! validation, mapping templates and the integration see it.
//!
//! API Gateway decodes method request payloads by default
//! (api-gateway-gzip-compression-decompression: "By default, API Gateway
//! supports decompression of the method request payload"; only response
//! compression needs `minimumCompressionSize`). A `Content-Encoding` it does
//! not support, or a body not encoded as declared, answers 415
//! (api-gateway-make-request-with-compressed-payload). HTTP APIs have no
//! compression: their bodies pass as sent. The decoded body is bounded by the
//! 10 MB payload limit (413 past it), and decoding runs on tokio's blocking
//! pool so a large body never stalls the runtime.

use bytes::Bytes;
use http::header::CONTENT_ENCODING;

use crate::coding::{self, DecodeError};
use crate::config::ApiType;
use crate::error::GatewayError;
use crate::integration::MAX_PAYLOAD;
use crate::request::{RequestState, Routed};

/// The body to validate, map and send: `body` decoded when the request has a
/// `Content-Encoding` and its API is a REST API; else `body` as it came.
///
/// Records in the state that the body was decoded (HTTP proxies then forward
/// it without the `Content-Encoding` it no longer has).
///
/// # Errors
/// 415 for an unsupported coding or a body not encoded as declared; 413 when
/// the decoded body passes 10 MB.
pub(super) async fn body(
    route: &Routed<'_>,
    state: &mut RequestState<'_>,
    body: Bytes,
) -> Result<Bytes, GatewayError> {
    // Requests without the header (nearly all) pay this one check.
    if route.api.api_type != ApiType::Rest || !state.parts.headers.contains_key(CONTENT_ENCODING) {
        return Ok(body);
    }
    let Some(coding) = coding::request_coding(&state.parts.headers)? else {
        return Ok(body);
    };
    state.body_decoded = true;
    if body.is_empty() {
        return Ok(body);
    }
    let decoded = tokio::task::spawn_blocking(move || coding::decode(coding, &body, MAX_PAYLOAD))
        .await
        // The decoder does not panic; if the task is lost all the same, the body is not usable.
        .unwrap_or(Err(DecodeError::Corrupt))?;
    Ok(Bytes::from(decoded))
}

impl From<DecodeError> for GatewayError {
    fn from(error: DecodeError) -> Self {
        match error {
            DecodeError::TooLarge => Self::RequestTooLarge,
            other => Self::UndecodableBody(other),
        }
    }
}
