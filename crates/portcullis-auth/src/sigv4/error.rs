//! Why a request's signature was refused, and how API Gateway answers each
//! reason: status, gateway response type, `x-amzn-ErrorType` and message.
//!
//! The messages are AWS's own wording where it is known (see the module
//! docs for how sure each one is). None of them carries a secret: no secret
//! key, no session token, and an `Authorization` value only when it is a
//! Signature Version 4 header (its signature is not secret).

use std::fmt;
use std::time::Duration;

use http::StatusCode;

use super::time::{AmzDate, Window};

/// A request refused by [`Verifier::verify`](super::Verifier::verify).
///
/// Every variant is answered with status 403; [`response_type`] names the
/// gateway response that customises the answer, [`error_type`] the
/// `x-amzn-ErrorType` header of REST APIs, and `Display` the message
/// (`{"message": "..."}`).
///
/// [`response_type`]: SigV4Error::response_type
/// [`error_type`]: SigV4Error::error_type
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SigV4Error {
    /// The request carries no Signature Version 4 at all: no `Authorization`
    /// header and no `X-Amz-*` signing parameters in its query.
    #[error("Missing Authentication Token")]
    MissingAuthenticationToken,

    /// The `Authorization` header lacks a part (or is not SigV4 at all), or
    /// the request has neither `X-Amz-Date` nor `Date`.
    #[error("{0}")]
    IncompleteHeader(Incomplete),

    /// A part of the `Authorization` header is not `key=value`.
    #[error(
        "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
    )]
    MissingEqualSign {
        /// The part, as sent.
        pair: String,
        /// The whole header value, as sent.
        header: String,
    },

    /// A presigned URL lacks signing parameters.
    #[error("{0}")]
    IncompleteQuery(MissingParameters),

    /// The algorithm is not `AWS4-HMAC-SHA256` (presigned URLs).
    #[error("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")]
    UnsupportedAlgorithm,

    /// The credential is not `keyid/date/region/service/aws4_request`.
    #[error(
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
    )]
    MalformedCredential {
        /// The credential, as sent.
        credential: String,
    },

    /// `X-Amz-Date` (or `Date`) is not a time in a form SigV4 allows.
    #[error(
        "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
    )]
    MalformedDate {
        /// The value, as sent.
        value: String,
    },

    /// `X-Amz-Expires` is not a number of seconds up to a week.
    #[error(
        "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
    )]
    InvalidExpires,

    /// `host` is not among the signed headers.
    #[error("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")]
    HostNotSigned,

    /// The credential scope names another region, service or terminator.
    #[error("{0}")]
    WrongScope(WrongScope),

    /// The credential scope's date is not the request's date.
    #[error(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{request_date}', from '{date_value}'."
    )]
    ScopeDateMismatch {
        /// The credential scope's date.
        scope_date: String,
        /// The request time's date.
        request_date: String,
        /// The date value as sent.
        date_value: String,
    },

    /// The request was signed more than the allowed skew before `now`, or a
    /// presigned URL's `X-Amz-Expires` has passed.
    #[error("Signature expired: {signed_at} is now earlier than {limit} ({now} - {})", Window(*.window))]
    SignatureExpired {
        /// When the request says it was signed.
        signed_at: AmzDate,
        /// The earliest acceptable signing time.
        limit: AmzDate,
        /// The verifier's clock.
        now: AmzDate,
        /// The clock skew allowed, or a presigned URL's lifetime.
        window: Duration,
    },

    /// The request says it was signed more than the allowed skew after `now`.
    #[error("Signature not yet current: {signed_at} is still later than {limit} ({now} + {})", Window(*.window))]
    SignatureNotYetCurrent {
        /// When the request says it was signed.
        signed_at: AmzDate,
        /// The latest acceptable signing time.
        limit: AmzDate,
        /// The verifier's clock.
        now: AmzDate,
        /// The clock skew allowed.
        window: Duration,
    },

    /// No secret is known for the access key id.
    #[error("The security token included in the request is invalid.")]
    UnknownAccessKey,

    /// The session token is missing, unexpected, or not the access key's.
    #[error("The security token included in the request is invalid.")]
    InvalidSessionToken,

    /// The access key's temporary credentials have expired.
    #[error("The security token included in the request is expired")]
    ExpiredSessionToken,

    /// The signature is not the one the request and the secret give.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    )]
    SignatureMismatch,
}

impl SigV4Error {
    /// The status API Gateway answers with: always 403 Forbidden.
    pub fn status(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }

    /// The gateway response type that customises the answer
    /// (`x-amazon-apigateway-gateway-responses`).
    pub fn response_type(&self) -> &'static str {
        use SigV4Error::*;
        match self {
            // API Gateway answers a malformed Authorization header under the
            // same response type as a missing one.
            MissingAuthenticationToken
            | IncompleteHeader(_)
            | MissingEqualSign { .. }
            | IncompleteQuery(_)
            | UnsupportedAlgorithm
            | MalformedCredential { .. }
            | MalformedDate { .. }
            | InvalidExpires
            | HostNotSigned => "MISSING_AUTHENTICATION_TOKEN",
            WrongScope(_)
            | ScopeDateMismatch { .. }
            | SignatureExpired { .. }
            | SignatureNotYetCurrent { .. }
            | SignatureMismatch => "INVALID_SIGNATURE",
            UnknownAccessKey | InvalidSessionToken => "ACCESS_DENIED",
            ExpiredSessionToken => "EXPIRED_TOKEN",
        }
    }

    /// The `x-amzn-ErrorType` header REST APIs answer with.
    pub fn error_type(&self) -> &'static str {
        use SigV4Error::*;
        match self {
            MissingAuthenticationToken => "MissingAuthenticationTokenException",
            IncompleteHeader(_)
            | MissingEqualSign { .. }
            | IncompleteQuery(_)
            | UnsupportedAlgorithm
            | MalformedCredential { .. }
            | MalformedDate { .. }
            | InvalidExpires
            | HostNotSigned => "IncompleteSignatureException",
            WrongScope(_)
            | ScopeDateMismatch { .. }
            | SignatureExpired { .. }
            | SignatureNotYetCurrent { .. }
            | SignatureMismatch => "InvalidSignatureException",
            UnknownAccessKey | InvalidSessionToken => "AccessDeniedException",
            ExpiredSessionToken => "ExpiredTokenException",
        }
    }
}

/// What an `Authorization` header lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incomplete {
    /// No `Credential=`.
    pub credential: bool,
    /// No `Signature=`.
    pub signature: bool,
    /// No `SignedHeaders=`.
    pub signed_headers: bool,
    /// Neither `X-Amz-Date` nor `Date`.
    pub date: bool,
    /// The header value to echo: a SigV4 header as sent, or `None` for any
    /// other scheme (a bearer token is a secret: it is not echoed).
    pub header: Option<String>,
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (missing, name) in [
            (self.credential, "Credential"),
            (self.signature, "Signature"),
            (self.signed_headers, "SignedHeaders"),
        ] {
            if missing {
                write!(f, "Authorization header requires '{name}' parameter. ")?;
            }
        }
        if self.date {
            f.write_str(
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
            )?;
        }
        match &self.header {
            Some(header) => write!(f, "Authorization={header}"),
            None => f.write_str("Authorization=[not shown: not a Signature Version 4 header]"),
        }
    }
}

/// The signing parameters a presigned URL lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingParameters {
    /// No `X-Amz-Algorithm`.
    pub algorithm: bool,
    /// No `X-Amz-Credential`.
    pub credential: bool,
    /// No `X-Amz-Signature`.
    pub signature: bool,
    /// No `X-Amz-SignedHeaders`.
    pub signed_headers: bool,
    /// No `X-Amz-Date`.
    pub date: bool,
}

impl fmt::Display for MissingParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (missing, name) in [
            (self.algorithm, "X-Amz-Algorithm"),
            (self.credential, "X-Amz-Credential"),
            (self.signature, "X-Amz-Signature"),
            (self.signed_headers, "X-Amz-SignedHeaders"),
            (self.date, "X-Amz-Date"),
        ] {
            if missing {
                write!(f, "AWS query-string parameters must include '{name}'. ")?;
            }
        }
        f.write_str("Re-examine the query-string parameters.")
    }
}

/// The parts of a credential scope that name the wrong thing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WrongScope {
    /// The region named, when it is not the verifier's.
    pub region: Option<String>,
    /// The service named, when it is not the verifier's.
    pub service: Option<String>,
    /// The verifier's service (`execute-api`), which AWS's message names.
    pub expected_service: String,
    /// The terminator, when it is not `aws4_request`.
    pub terminator: Option<String>,
}

impl fmt::Display for WrongScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(region) = &self.region {
            write!(
                f,
                "Credential should be scoped to a valid region, not '{region}'. "
            )?;
        }
        if self.service.is_some() {
            let expected = &self.expected_service;
            write!(
                f,
                "Credential should be scoped to correct service: '{expected}'. "
            )?;
        }
        if let Some(terminator) = &self.terminator {
            write!(
                f,
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> AmzDate {
        AmzDate::parse_basic(text).unwrap()
    }

    #[test]
    fn skew_messages_are_aws_wording() {
        let expired = SigV4Error::SignatureExpired {
            signed_at: date("20170721T074556Z"),
            limit: date("20170722T022954Z"),
            now: date("20170722T023454Z"),
            window: Duration::from_secs(300),
        };
        assert_eq!(
            expired.to_string(),
            "Signature expired: 20170721T074556Z is now earlier than 20170722T022954Z (20170722T023454Z - 5 min.)"
        );
        let early = SigV4Error::SignatureNotYetCurrent {
            signed_at: date("20261205T121000Z"),
            limit: date("20261205T120500Z"),
            now: date("20261205T120000Z"),
            window: Duration::from_secs(300),
        };
        assert_eq!(
            early.to_string(),
            "Signature not yet current: 20261205T121000Z is still later than 20261205T120500Z (20261205T120000Z + 5 min.)"
        );
        assert_eq!(expired.response_type(), "INVALID_SIGNATURE");
        assert_eq!(expired.status(), StatusCode::FORBIDDEN);
    }

    #[test]
    fn incomplete_header_lists_what_is_missing() {
        let error = SigV4Error::IncompleteHeader(Incomplete {
            credential: false,
            signature: true,
            signed_headers: true,
            date: false,
            header: Some("AWS4-HMAC-SHA256 Credential=ABCDEF".into()),
        });
        assert_eq!(
            error.to_string(),
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF"
        );
        assert_eq!(error.error_type(), "IncompleteSignatureException");
        let bearer = Incomplete {
            credential: true,
            signature: true,
            signed_headers: true,
            date: true,
            header: None,
        };
        let text = bearer.to_string();
        assert!(text.starts_with("Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="), "{text}");
    }

    #[test]
    fn scope_messages_accumulate() {
        let error = SigV4Error::WrongScope(WrongScope {
            region: Some("us-east-1".into()),
            service: Some("s3".into()),
            expected_service: "execute-api".into(),
            terminator: None,
        });
        assert_eq!(
            error.to_string(),
            "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'execute-api'. "
        );
    }

    #[test]
    fn token_errors_map_to_their_response_types() {
        assert_eq!(
            SigV4Error::ExpiredSessionToken.response_type(),
            "EXPIRED_TOKEN"
        );
        assert_eq!(
            SigV4Error::ExpiredSessionToken.error_type(),
            "ExpiredTokenException"
        );
        assert_eq!(
            SigV4Error::UnknownAccessKey.to_string(),
            "The security token included in the request is invalid."
        );
        assert_eq!(
            SigV4Error::MissingAuthenticationToken.response_type(),
            "MISSING_AUTHENTICATION_TOKEN"
        );
    }
}
