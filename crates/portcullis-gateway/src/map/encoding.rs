//! Content type conversions of non-proxy integrations: `binaryMediaTypes` and
//! `contentHandling` decide whether a payload is passed as binary, base64-encoded
//! into text, or base64-decoded into binary (AWS's conversion tables).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::HeaderMap;

use crate::config::ContentHandling;
use crate::error::{ConfigurationFault, GatewayError};

/// Whether `content_type` (parameters ignored) matches one of the API's binary
/// media types (`~1` already unescaped when the config compiled); `*/*` and `type/*`
/// wildcards match as on AWS.
pub(crate) fn is_binary(binary_media_types: &[String], content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let media = content_type.split(';').next().unwrap_or("").trim();
    binary_media_types
        .iter()
        .any(|pattern| match pattern.strip_suffix("/*") {
            Some("*") => true,
            Some(kind) => media
                .split_once('/')
                .is_some_and(|(k, _)| k.eq_ignore_ascii_case(kind)),
            None => pattern.eq_ignore_ascii_case(media),
        })
}

/// Whether an HTTP API sends a body to Lambda as text: a textual media type
/// (or none) and valid UTF-8; anything else goes base64-encoded.
pub(crate) fn is_text(content_type: Option<&str>, body: &[u8]) -> bool {
    if body.is_empty() {
        return true;
    }
    let textual = content_type.is_none_or(|value| {
        let media = value.split(';').next().unwrap_or("").trim().as_bytes();
        let starts = |prefix: &str| {
            media.len() >= prefix.len()
                && media[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
        };
        let ends = |suffix: &str| {
            media.len() >= suffix.len()
                && media[media.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        };
        starts("text/")
            || ends("/json")
            || ends("+json")
            || ends("/xml")
            || ends("+xml")
            || ends("/javascript")
            || media.eq_ignore_ascii_case(b"application/x-www-form-urlencoded")
    });
    textual && std::str::from_utf8(body).is_ok()
}

/// The first media type of a header that may list several (AWS honours only the first `Accept`).
pub(crate) fn first_media_type(headers: &HeaderMap, name: http::HeaderName) -> Option<&str> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .split(',')
        .next()
        .map(str::trim)
}

/// The integration request payload: a binary request body is base64-encoded by
/// CONVERT_TO_TEXT; a text body is base64-decoded by CONVERT_TO_BINARY (failure:
/// AWS's 500), and otherwise carried as text.
///
/// # Errors
/// A configuration error when CONVERT_TO_BINARY meets text that is not base64.
pub(crate) fn convert_request(
    body: Bytes,
    binary: bool,
    handling: Option<ContentHandling>,
) -> Result<Bytes, GatewayError> {
    match (binary, handling) {
        (true, Some(ContentHandling::ConvertToText)) => Ok(Bytes::from(STANDARD.encode(&body))),
        (false, Some(ContentHandling::ConvertToBinary)) => decode(&body),
        (true, _) => Ok(body),
        (false, _) => Ok(as_text(body)),
    }
}

/// A payload API Gateway carries as text: itself when it is UTF-8, else
/// each invalid sequence replaced by U+FFFD, as AWS replaces them (recorded
/// in LocalStack's AWS-validated S3 binary tests: 67 bytes become 99).
fn as_text(body: Bytes) -> Bytes {
    if std::str::from_utf8(&body).is_ok() {
        body
    } else {
        Bytes::from(String::from_utf8_lossy(&body).into_owned())
    }
}

/// The method response payload for an integration response that is `binary`
/// or text, when the client's first `Accept` type `wants_binary`.
///
/// # Errors
/// A configuration error when a text payload to decode is not base64.
pub(crate) fn convert_response(
    body: Bytes,
    binary: bool,
    wants_binary: bool,
    handling: Option<ContentHandling>,
) -> Result<Bytes, GatewayError> {
    match (binary, handling) {
        (true, Some(ContentHandling::ConvertToText)) => Ok(Bytes::from(STANDARD.encode(&body))),
        (true, Some(ContentHandling::ConvertToBinary)) => Ok(body),
        (true, None) if wants_binary => Ok(body),
        (true, None) => Ok(Bytes::from(STANDARD.encode(&body))),
        (false, Some(ContentHandling::ConvertToBinary)) => decode(&body),
        (false, None) if wants_binary => decode(&body),
        (false, _) => Ok(as_text(body)),
    }
}

fn decode(text: &[u8]) -> Result<Bytes, GatewayError> {
    let trimmed = text.trim_ascii();
    STANDARD
        .decode(trimmed)
        .map(Bytes::from)
        .map_err(|_| ConfigurationFault::NotBase64.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types() -> Vec<String> {
        vec![
            "image/png".into(),
            "application/octet-stream".into(),
            "audio/*".into(),
        ]
    }

    #[test]
    fn http_api_bodies_are_text_when_typed_and_utf8() {
        assert!(is_text(Some("application/json; charset=utf-8"), b"{}"));
        assert!(is_text(Some("text/plain"), "héllo".as_bytes()));
        assert!(is_text(None, b"plain"));
        assert!(!is_text(Some("image/png"), b"\x89PNG"));
        assert!(!is_text(Some("text/plain"), b"\xff\xfe"));
        assert!(!is_text(Some("application/octet-stream"), b"abc"));
        assert!(is_text(Some("image/png"), b""));
    }

    #[test]
    fn binary_media_types_match_with_wildcards() {
        assert!(is_binary(&types(), Some("image/png")));
        assert!(is_binary(&types(), Some("application/octet-stream; x=1")));
        assert!(is_binary(&types(), Some("audio/mpeg")));
        assert!(!is_binary(&types(), Some("application/json")));
        assert!(!is_binary(&types(), None));
        assert!(is_binary(&["*/*".into()], Some("text/plain")));
    }

    #[test]
    fn request_conversions_follow_the_table() {
        let raw = Bytes::from_static(&[0xff, 0x00, 0x41]);
        assert_eq!(
            convert_request(raw.clone(), true, Some(ContentHandling::ConvertToText)).unwrap(),
            "/wBB"
        );
        assert_eq!(convert_request(raw.clone(), true, None).unwrap(), raw);
        let text = Bytes::from_static(b"/wBB");
        assert_eq!(
            convert_request(text.clone(), false, Some(ContentHandling::ConvertToBinary)).unwrap(),
            raw
        );
        assert_eq!(
            convert_request(text, false, Some(ContentHandling::ConvertToText)).unwrap(),
            "/wBB"
        );
        // Text that is not UTF-8 is carried as text: invalid bytes replaced.
        assert_eq!(
            convert_request(raw.clone(), false, None).unwrap(),
            "\u{fffd}\u{0}A"
        );
        assert_eq!(
            convert_response(raw.clone(), false, false, None).unwrap(),
            "\u{fffd}\u{0}A"
        );
        assert_eq!(
            convert_request(
                Bytes::from_static(b"not base64!"),
                false,
                Some(ContentHandling::ConvertToBinary)
            ),
            Err(GatewayError::ConfigurationError(
                ConfigurationFault::NotBase64
            ))
        );
    }

    #[test]
    fn response_conversions_follow_the_table() {
        let raw = Bytes::from_static(&[0xff, 0x00, 0x41]);
        let text = Bytes::from_static(b"/wBB");
        // Binary data to a text Accept: base64 unless CONVERT_TO_BINARY.
        assert_eq!(
            convert_response(raw.clone(), true, false, None).unwrap(),
            text
        );
        assert_eq!(
            convert_response(
                raw.clone(),
                true,
                false,
                Some(ContentHandling::ConvertToBinary)
            )
            .unwrap(),
            raw
        );
        // Binary data to a binary Accept: as it is unless CONVERT_TO_TEXT.
        assert_eq!(
            convert_response(raw.clone(), true, true, None).unwrap(),
            raw
        );
        assert_eq!(
            convert_response(
                raw.clone(),
                true,
                true,
                Some(ContentHandling::ConvertToText)
            )
            .unwrap(),
            text
        );
        // Text data to a binary Accept: decoded unless CONVERT_TO_TEXT.
        assert_eq!(
            convert_response(text.clone(), false, true, None).unwrap(),
            raw
        );
        assert_eq!(
            convert_response(
                text.clone(),
                false,
                true,
                Some(ContentHandling::ConvertToText)
            )
            .unwrap(),
            text
        );
        assert_eq!(
            convert_response(text.clone(), false, false, None).unwrap(),
            text
        );
    }
}
