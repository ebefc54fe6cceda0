//! IAM authorization: Signature Version 4 verified on requests to an API
//! (`execute-api`), as API Gateway does for `AWS_IAM` routes.
//!
//! A [`Verifier`] (one per region) checks a [`SignedRequest`] at a given
//! time with the secret a [`SecretLookup`] finds for its access key id, and
//! answers [`Verified`] (who signed, when) or the [`SigV4Error`] that says
//! how API Gateway refuses the request. The signature is recomputed with
//! the `aws-sigv4` crate, the SigV4 implementation the project also signs
//! outgoing requests with, and compared in constant time.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//!
//! use aws_credential_types::Credentials;
//! use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
//! use aws_sigv4::sign::v4;
//! use aws_smithy_runtime_api::client::identity::Identity;
//! use portcullis_auth::sigv4::{SignedRequest, SigningSecret, Verifier};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A client signs a request (here with aws-sigv4; botocore, the AWS CLI
//! // or any SDK sign the same way).
//! let signed_at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_472_000);
//! let identity: Identity = Credentials::new("AKIDEXAMPLE", "s3cr3t", None, None, "doc").into();
//! let params = v4::SigningParams::builder()
//!     .identity(&identity)
//!     .region("us-east-1")
//!     .name("execute-api")
//!     .time(signed_at)
//!     .settings(SigningSettings::default())
//!     .build()?
//!     .into();
//! let host = "abc123.execute-api.us-east-1.amazonaws.com";
//! let mut request = http::Request::get(format!("https://{host}/prod/pets?type=dog"))
//!     .header("host", host)
//!     .body(Vec::new())?;
//! let signable = SignableRequest::new(
//!     "GET",
//!     request.uri().to_string(),
//!     [("host", host)].into_iter(),
//!     SignableBody::Bytes(&[]),
//! )?;
//! let (instructions, _signature) = sign(signable, &params)?.into_parts();
//! instructions.apply_to_request_http1x(&mut request);
//!
//! // The gateway verifies it.
//! let verifier = Verifier::new("us-east-1");
//! let secrets = |id: &str| (id == "AKIDEXAMPLE").then(|| SigningSecret::new("s3cr3t"));
//! let (parts, body) = request.into_parts();
//! let now = signed_at + Duration::from_secs(2);
//! let verified = verifier.verify(&SignedRequest::from_parts(&parts, &body), now, &secrets)?;
//! assert_eq!(verified.access_key_id, "AKIDEXAMPLE");
//!
//! // Five minutes and a second later, it is refused as AWS refuses it.
//! let later = signed_at + Duration::from_secs(301);
//! let refused = verifier
//!     .verify(&SignedRequest::from_parts(&parts, &body), later, &secrets)
//!     .unwrap_err();
//! assert_eq!(refused.response_type(), "INVALID_SIGNATURE");
//! assert!(refused.to_string().starts_with("Signature expired: 20261205T120000Z is now earlier than"));
//! # Ok(())
//! # }
//! ```
//!
//! # What is checked, in order
//!
//! | check | refused as | `x-amzn-ErrorType`, response type |
//! | --- | --- | --- |
//! | an `Authorization` header, else presigned parameters in the query | "Missing Authentication Token" | `MissingAuthenticationTokenException`, `MISSING_AUTHENTICATION_TOKEN` |
//! | `AWS4-HMAC-SHA256` with `Credential`, `SignedHeaders`, `Signature`, and an `X-Amz-Date` or `Date` | "Authorization header requires 'Credential' parameter. ... Authorization=..." (or the presigned "AWS query-string parameters must include ..."), "'...' not a valid key=value pair (missing equal-sign) in Authorization header: '...'." | `IncompleteSignatureException`, `MISSING_AUTHENTICATION_TOKEN` |
//! | the credential has five parts, the date parses, `X-Amz-Expires` is at most 604800 | "Credential must have exactly 5 slash-delimited elements, ...", "Date must be in ISO-8601 'basic format'. ...", "X-Amz-Expires must be less than a week ..." | same |
//! | the scope names the verifier's region, `execute-api`, `aws4_request` | "Credential should be scoped to a valid region, not '...'. Credential should be scoped to correct service: 'execute-api'. " | `InvalidSignatureException`, `INVALID_SIGNATURE` |
//! | the scope's date is the request's | "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ..." | same |
//! | `host` is signed | "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." | `IncompleteSignatureException`, `MISSING_AUTHENTICATION_TOKEN` |
//! | the time is within 5 minutes of the clock, either way; a presigned URL is not past `X-Amz-Expires` | "Signature expired: {t} is now earlier than {now - 5 min} ({now} - 5 min.)", "Signature not yet current: {t} is still later than {now + 5 min} ({now} + 5 min.)" | `InvalidSignatureException`, `INVALID_SIGNATURE` |
//! | the access key is known | "The security token included in the request is invalid." | `AccessDeniedException`, `ACCESS_DENIED` |
//! | the session token is the key's (or absent for a long-term key) and not expired | the same, or "The security token included in the request is expired" | ..., `EXPIRED_TOKEN` for the latter |
//! | the signature is the one recomputed | "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details." | `InvalidSignatureException`, `INVALID_SIGNATURE` |
//!
//! All are 403. AWS adds the canonical request and string to sign to the
//! last message; this module does not, since the canonical request holds the
//! session token. No message carries a secret: an `Authorization` value is
//! echoed only when it is a SigV4 one (its signature is not a secret), never
//! a bearer token. `aws-sigv4` itself logs the canonical request, session
//! token included, at `TRACE` level: keep the `aws_sigv4` target below it.
//!
//! # The canonical request of `execute-api`
//!
//! Established against botocore (`tests/sigv4_botocore.rs` signs 30 requests
//! with `SigV4Auth` and `SigV4QueryAuth`), and API Gateway's own canonical
//! strings as quoted in public bug reports:
//!
//! - **Path**: the path as sent (percent-encoded on the wire), with `.` and
//!   `..` segments and empty segments (`//`) removed, then percent-encoded
//!   *once more*: `/a%20b` is signed as `/a%2520b`, `/caf%C3%A9` as
//!   `/caf%25C3%25A9`, `/it's(1)` as `/it%27s%281%29`. Pass the request's
//!   original URI, never a decoded or rewritten one.
//! - **Query**: each name and value decoded (`+` is a space) and encoded
//!   again (everything but `A-Za-z0-9-._~`), pairs sorted by name then
//!   value; a presigned URL's `X-Amz-Signature` is left out. botocore signs
//!   a query given in the URL *as sent*, so a query not encoded the
//!   canonical way (`q=a+b`, `q=*!()`) verifies with botocore but is refused
//!   here, as API Gateway refuses it.
//! - **Headers**: exactly the signed ones; values trimmed, inner runs of
//!   spaces and tabs made one space, repeated headers joined with `,`;
//!   `host` from `Host`, else the URI's authority (HTTP/2). Unsigned headers
//!   (a proxy's `X-Forwarded-For`, `User-Agent`...) do not matter.
//! - **Body**: its SHA-256, as API Gateway hashes what it receives.
//!   `X-Amz-Content-Sha256: UNSIGNED-PAYLOAD` is refused unless
//!   [`Verifier::allow_unsigned_payload`]; [`Payload::Declared`] verifies a
//!   request whose body is not at hand against its declared digest.
//! - **Time**: `X-Amz-Date`, else the `Date` header (IMF-fixdate or RFC 2822,
//!   which botocore writes when the request has a `Date` header).
//! - **Session token**: `X-Amz-Security-Token`, signed or not (header form),
//!   part of the canonical query (presigned form).
//!
//! `aws-sigv4` (settings in `sign.rs`: double percent-encoding, path
//! normalization, no payload-checksum header, no excluded header, session
//! token included when the client signed it) reproduces every case but four,
//! which are written by hand with the same rules (`canonical.rs`, checked
//! equal to `aws-sigv4` where both apply): the `Date` header instead of
//! `X-Amz-Date`, an `x-amz-date` the client did not sign, a presigned URL
//! without `X-Amz-Expires` (the crate writes its own `x-amz-date` and
//! `X-Amz-Expires` into the canonical request), and a header value holding a
//! tab (the crate squeezes spaces only; botocore and the Java and JavaScript
//! SDKs squeeze tabs too).
//!
//! Known differences left as they are: a path ending in `/.` keeps its
//! trailing slash (botocore drops it); an empty query pair (`a=1&&b=2`) is
//! skipped (botocore signs it as `=`); a signed header value that is not
//! visible ASCII is refused (neither side can agree on its bytes).

mod canonical;
mod error;
mod parse;
mod presigned;
mod request;
mod secret;
mod sign;
#[cfg(test)]
mod test_support;
mod time;
mod verify;

use http::header::AUTHORIZATION;
use http::{HeaderMap, Uri};

pub use error::{Incomplete, MissingParameters, SigV4Error, WrongScope};
pub use request::{BodyCheck, Payload, SignatureLocation, SignedRequest, Verified};
pub use secret::{SecretLookup, SigningSecret};
pub use time::AmzDate;
pub use verify::{DEFAULT_CLOCK_SKEW, EXECUTE_API, MAX_PRESIGNED_EXPIRY, Verifier};

/// Whether a request carries Signature Version 4 at all: an `Authorization`
/// header (of any scheme: API Gateway reads it as a malformed signature), or
/// presigned-URL parameters (`X-Amz-Algorithm`, `X-Amz-Credential`,
/// `X-Amz-Signature`, `X-Amz-SignedHeaders`) in the query.
///
/// A request for which this is `false` is answered
/// [`SigV4Error::MissingAuthenticationToken`] by [`Verifier::verify`].
pub fn is_signed(headers: &HeaderMap, uri: &Uri) -> bool {
    headers.contains_key(AUTHORIZATION) || uri.query().is_some_and(presigned::query_is_presigned)
}
