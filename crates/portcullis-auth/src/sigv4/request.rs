//! What a verifier reads (a request, borrowed) and what it answers when the
//! signature holds.

use std::fmt;
use std::time::SystemTime;

use http::{HeaderMap, Method, Uri};

/// A request to verify, borrowed from wherever the server keeps it.
///
/// `Debug` shows the method, the path, the header names and the body's
/// length: never a header value or the query, which hold the signature and
/// may hold a session token.
#[derive(Clone, Copy)]
pub struct SignedRequest<'a> {
    /// The method, as received.
    pub method: &'a Method,
    /// The request target, as received: the path is verified exactly as it
    /// was percent-encoded on the wire, so pass the original, not a decoded
    /// or rewritten one.
    pub uri: &'a Uri,
    /// All the request's headers (only the signed ones are read, plus
    /// `authorization`, `x-amz-date`, `date`, `x-amz-security-token`,
    /// `x-amz-content-sha256`).
    pub headers: &'a HeaderMap,
    /// The body, or what stands for it.
    pub payload: Payload<'a>,
}

impl<'a> SignedRequest<'a> {
    /// A request whose whole body is at hand.
    pub fn new(method: &'a Method, uri: &'a Uri, headers: &'a HeaderMap, body: &'a [u8]) -> Self {
        Self {
            method,
            uri,
            headers,
            payload: Payload::Body(body),
        }
    }

    /// A request from its `http` parts and whole body.
    pub fn from_parts(parts: &'a http::request::Parts, body: &'a [u8]) -> Self {
        Self::new(&parts.method, &parts.uri, &parts.headers, body)
    }

    /// The same request with `payload` standing for its body.
    #[must_use]
    pub fn with_payload(self, payload: Payload<'a>) -> Self {
        Self { payload, ..self }
    }
}

impl fmt::Debug for SignedRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("method", self.method)
            .field("path", &self.uri.path())
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("payload", &self.payload)
            .finish()
    }
}

/// The body a signature covers.
///
/// API Gateway hashes the body it received: [`Payload::Body`] does the same.
/// [`Payload::Declared`] is for a caller that has not read the body yet.
/// `Debug` shows a body's length, not its bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Payload<'a> {
    /// The whole body. Its SHA-256 is what the signature must cover (or
    /// `UNSIGNED-PAYLOAD`, when the client says so in `X-Amz-Content-Sha256`
    /// and the verifier [allows it](super::Verifier::allow_unsigned_payload)).
    Body(&'a [u8]),
    /// The body is not at hand (it streams on): the client's
    /// `X-Amz-Content-Sha256` header stands for its hash, as S3 reads it.
    /// When it is a digest, the caller must compare it with the body's once
    /// read: [`Verified::body`] says so.
    Declared,
}

impl fmt::Debug for Payload<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Body(body) => write!(f, "Body({} bytes)", body.len()),
            Self::Declared => f.write_str("Declared"),
        }
    }
}

/// Where the signature was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureLocation {
    /// `Authorization: AWS4-HMAC-SHA256 Credential=...`.
    Header,
    /// A presigned URL: `?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...`.
    Query,
}

/// How much of the body the signature vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyCheck {
    /// The body's own hash was signed: it is covered.
    Signed,
    /// The client signed `UNSIGNED-PAYLOAD`: the body is not covered.
    Unsigned,
    /// The client's `X-Amz-Content-Sha256` digest (lowercase hex) was signed
    /// in place of the body ([`Payload::Declared`]): the body is covered once
    /// the caller has checked that its SHA-256 is this.
    Declared(String),
}

/// A request whose signature holds: who signed it, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The access key id the request was signed with
    /// (`$context.identity.accessKey`).
    pub access_key_id: String,
    /// When the client says it signed the request (`X-Amz-Date` or `Date`).
    pub signed_at: SystemTime,
    /// The credential scope's date, `YYYYMMDD`.
    pub scope_date: String,
    /// The credential scope's region (the verifier's).
    pub region: String,
    /// Whether the signature came in a header or a presigned URL.
    pub location: SignatureLocation,
    /// Whether the request carried a session token (temporary credentials).
    pub session_token: bool,
    /// How much of the body the signature vouches for.
    pub body: BodyCheck,
}

#[cfg(test)]
#[path = "request_tests.rs"]
mod tests;
