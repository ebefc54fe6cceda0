//! AWS's request id headers.

use http::{HeaderMap, HeaderName, HeaderValue};
use uuid::Uuid;

// Named once: a header inserted by `&str` name allocates its name each time.
const X_AMZN_REQUESTID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const X_AMZ_APIGW_ID: HeaderName = HeaderName::from_static("x-amz-apigw-id");
const APIGW_REQUESTID: HeaderName = HeaderName::from_static("apigw-requestid");

use crate::config::ApiType;

/// The ids AWS stamps on every response: a UUID request id (REST
/// `x-amzn-RequestId`, `$context.requestId`) and the short extended id (REST
/// `x-amz-apigw-id`, HTTP API `apigw-requestid`, `$context.extendedRequestId`).
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    request_id: HeaderValue,
    extended_id: HeaderValue,
}

impl RequestIds {
    /// New ids; a client-supplied `x-amzn-RequestId` that is a UUID is kept, as AWS does.
    pub(crate) fn generate(client_supplied: Option<&HeaderValue>) -> Self {
        let request_id = client_supplied
            .and_then(|v| v.to_str().ok())
            .and_then(|s| Uuid::try_parse(s).ok())
            .unwrap_or_else(Uuid::new_v4);
        let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
        let request_id = request_id.hyphenated().encode_lower(&mut buf);
        Self {
            request_id: HeaderValue::from_str(request_id).expect("a UUID is a valid header value"),
            extended_id: extended_id(),
        }
    }

    /// `$context.requestId`.
    pub(crate) fn request_id(&self) -> &str {
        self.request_id.to_str().unwrap_or_default()
    }

    /// `$context.extendedRequestId`.
    pub(crate) fn extended_id(&self) -> &str {
        self.extended_id.to_str().unwrap_or_default()
    }

    /// Adds the id headers AWS sends for `api_type`.
    pub(crate) fn stamp(&self, api_type: ApiType, headers: &mut HeaderMap) {
        match api_type {
            ApiType::Rest => {
                headers.insert(X_AMZN_REQUESTID, self.request_id.clone());
                headers.insert(X_AMZ_APIGW_ID, self.extended_id.clone());
            }
            ApiType::Http => {
                headers.insert(APIGW_REQUESTID, self.extended_id.clone());
            }
        }
    }
}

/// A 16-character id shaped like AWS's (`Fr5aBHu7IAMEJxQ=`): 11 random bytes, base64.
fn extended_id() -> HeaderValue {
    use base64::Engine as _;
    let bytes: [u8; 11] = rand::random();
    let mut out = [0u8; 16];
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(bytes, &mut out)
        .expect("11 bytes encode to 16 base64 characters");
    HeaderValue::from_bytes(&out[..written]).expect("base64 is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_uuid_is_echoed_and_garbage_is_not() {
        let supplied = HeaderValue::from_static("0b6a8f4e-4a7c-4c8e-9d7a-2f1e3d4c5b6a");
        let ids = RequestIds::generate(Some(&supplied));
        assert_eq!(ids.request_id(), "0b6a8f4e-4a7c-4c8e-9d7a-2f1e3d4c5b6a");
        let garbage = HeaderValue::from_static("not-a-uuid");
        let ids = RequestIds::generate(Some(&garbage));
        assert_ne!(ids.request_id(), "not-a-uuid");
        assert!(Uuid::try_parse(ids.request_id()).is_ok());
    }

    #[test]
    fn extended_id_has_aws_shape() {
        let ids = RequestIds::generate(None);
        assert_eq!(ids.extended_id().len(), 16);
        assert!(ids.extended_id().ends_with('='));
    }

    #[test]
    fn headers_per_api_type() {
        let ids = RequestIds::generate(None);
        let mut rest = HeaderMap::new();
        ids.stamp(ApiType::Rest, &mut rest);
        assert!(rest.contains_key("x-amzn-requestid") && rest.contains_key("x-amz-apigw-id"));
        let mut http = HeaderMap::new();
        ids.stamp(ApiType::Http, &mut http);
        assert!(http.contains_key("apigw-requestid") && !http.contains_key("x-amzn-requestid"));
    }
}
