//! SigV4 for every call Portcullis makes to AWS: Lambda's Invoke API and the
//! gateway's AWS service integrations sign with [`sign`], through
//! `aws-sigv4`, with credentials from one [`AwsCredentials`] cache type.

use std::fmt;
use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4::SigningParams;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Request};

pub use aws_credential_types::Credentials;

use super::credentials::CredentialCache;
use super::spec::CredentialSource;

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A header the signature covers is not text (SigV4 signs text only).
    #[error("header {0} is not visible ASCII text, which SigV4 cannot sign")]
    HeaderNotText(String),
    /// A credential field cannot travel as a header (a session token with a
    /// line break, say). The value itself is not shown.
    #[error("the credentials' {0} is not a valid header value")]
    BadCredential(String),
    /// `aws-sigv4` refused the request or the parameters.
    #[error("signing failed: {0}")]
    Signer(String),
}

/// Signs `request` for `service` (`lambda`, `sqs`, `states`, ...) in
/// `region` at `now`: adds `Authorization`, `X-Amz-Date` and, for temporary
/// credentials, `X-Amz-Security-Token`. Every header already on the request
/// is signed, so set `Host` (as it will go on the wire) and the content
/// headers first, and add what must stay unsigned (`X-Amzn-Trace-Id`,
/// `User-Agent`) after.
///
/// S3 is signed as S3 reads signatures: its payload hash travels in
/// `X-Amz-Content-SHA256` (signed too), and the path is taken as it is on
/// the wire, neither encoded again nor normalised, because `a//b` and
/// `a/./b` are different object keys.
pub fn sign(
    request: &mut Request<Bytes>,
    service: &str,
    region: &str,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<(), SignError> {
    let identity = credentials.clone().into();
    let params = SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(service)
        .time(now)
        .settings(settings(service))
        .build()
        .map_err(|error| SignError::Signer(error.to_string()))?
        .into();
    let mut headers = Vec::with_capacity(request.headers().len());
    for (name, value) in request.headers() {
        let value = value
            .to_str()
            .map_err(|_| SignError::HeaderNotText(name.to_string()))?;
        headers.push((name.as_str(), value));
    }
    let uri = request.uri().to_string();
    let signable = SignableRequest::new(
        request.method().as_str(),
        uri,
        headers.into_iter(),
        SignableBody::Bytes(request.body()),
    )
    .map_err(|error| SignError::Signer(error.to_string()))?;
    let (instructions, _signature) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|error| SignError::Signer(error.to_string()))?
        .into_parts();
    let (new_headers, _query) = instructions.into_parts();
    let mut signed = HeaderMap::new();
    for header in new_headers {
        let name = HeaderName::from_bytes(header.name().as_bytes())
            .map_err(|_| SignError::Signer(format!("bad header name {:?}", header.name())))?;
        let mut value = HeaderValue::from_str(header.value())
            .map_err(|_| SignError::BadCredential(name.to_string()))?;
        value.set_sensitive(header.sensitive());
        signed.insert(name, value);
    }
    request.headers_mut().extend(signed);
    Ok(())
}

/// How `service` expects its requests signed.
fn settings(service: &str) -> SigningSettings {
    let mut settings = SigningSettings::default();
    if service == "s3" {
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    }
    settings
}

/// Signing credentials from a [`CredentialSource`] (by default the AWS
/// SDKs' chain: environment, shared profiles, web identity, container and
/// instance metadata), resolved on first use and cached until shortly
/// before they expire.
pub struct AwsCredentials {
    cache: CredentialCache,
}

impl AwsCredentials {
    /// Credentials from `source`; `region` is where STS-backed sources
    /// (web identity, assumed roles) resolve. Nothing is read yet.
    pub fn new(source: &CredentialSource, region: &str) -> Self {
        Self {
            cache: CredentialCache::new(source, region),
        }
    }

    /// Current credentials, resolving them when none are cached or the
    /// cached ones are about to expire. The error names the sources tried
    /// and why they failed; it never holds key material.
    pub async fn get(&self) -> Result<Credentials, String> {
        self.cache.get().await
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_every_header_given_and_adds_the_session_token() {
        let credentials =
            Credentials::new("AKIDEXAMPLE", "secret", Some("token".into()), None, "test");
        let mut request = Request::post("https://sqs.eu-west-1.amazonaws.com/")
            .header("host", "sqs.eu-west-1.amazonaws.com")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Bytes::from_static(b"Action=ListQueues"))
            .unwrap();
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        sign(&mut request, "sqs", "eu-west-1", &credentials, now).unwrap();
        let authorization = request.headers()["authorization"].to_str().unwrap();
        assert!(authorization.starts_with(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/eu-west-1/sqs/aws4_request"
        ));
        assert!(
            authorization
                .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token")
        );
        assert_eq!(request.headers()["x-amz-date"], "20231114T221320Z");
        assert!(request.headers()["x-amz-security-token"].is_sensitive());
    }

    #[test]
    fn s3_requests_carry_their_payload_hash_and_keep_their_path() {
        let credentials = Credentials::new("AKID", "secret", None, None, "test");
        let now = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
        let signed = |service: &str| {
            let mut request = Request::put("https://s3.eu-west-1.amazonaws.com/b/a%20b//c")
                .header("host", "s3.eu-west-1.amazonaws.com")
                .body(Bytes::from_static(b"hi"))
                .unwrap();
            sign(&mut request, service, "eu-west-1", &credentials, now).unwrap();
            request
        };
        let s3 = signed("s3");
        assert_eq!(
            s3.headers()["x-amz-content-sha256"],
            // SHA-256 of "hi".
            "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"
        );
        assert!(
            s3.headers()["authorization"]
                .to_str()
                .unwrap()
                .contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date")
        );
        let other = signed("sqs");
        assert!(other.headers().get("x-amz-content-sha256").is_none());
        // The canonical paths differ (double encoding, normalisation), so do the signatures.
        assert_ne!(
            s3.headers()["authorization"],
            other.headers()["authorization"]
        );
    }

    #[test]
    fn headers_that_are_not_text_are_refused() {
        let credentials = Credentials::new("AKID", "secret", None, None, "test");
        let mut request = Request::get("https://example.amazonaws.com/")
            .header("host", "example.amazonaws.com")
            .header("x-bin", HeaderValue::from_bytes(&[0xff]).unwrap())
            .body(Bytes::new())
            .unwrap();
        assert_eq!(
            sign(
                &mut request,
                "s3",
                "us-east-1",
                &credentials,
                SystemTime::now()
            ),
            Err(SignError::HeaderNotText("x-bin".into()))
        );
    }
}
