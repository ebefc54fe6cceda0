//! The verifier: the checks in AWS's order, then the signature recomputed
//! and compared in constant time.

use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::SigningSettings;
use http::header::HOST;
use http::{HeaderMap, Uri};
use subtle::ConstantTimeEq;

use super::canonical::{self, UNSIGNED_PAYLOAD};
use super::error::{SigV4Error, WrongScope};
use super::parse::{self, DateSource, Signature};
use super::time::AmzDate;
use super::{
    BodyCheck, Payload, SecretLookup, SignatureLocation, SignedRequest, SigningSecret, Verified,
    sign,
};

/// The service `execute-api` requests are signed for.
pub const EXECUTE_API: &str = "execute-api";
/// How far a request's time may be from the verifier's clock, either way:
/// AWS's 5 minutes.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);
/// The longest a presigned URL may live (`X-Amz-Expires`): a week.
pub const MAX_PRESIGNED_EXPIRY: Duration = Duration::from_secs(7 * 24 * 60 * 60);

const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";

/// Verifies Signature Version 4 on requests to an API (`execute-api` in one
/// region), as API Gateway's `AWS_IAM` authorization does.
///
/// Built once (per region), used for every request; it holds no secret.
#[derive(Debug, Clone)]
pub struct Verifier {
    region: String,
    service: String,
    clock_skew: Duration,
    allow_unsigned_payload: bool,
    settings: SigningSettings,
}

impl Verifier {
    /// A verifier of `execute-api` requests scoped to `region`, with AWS's
    /// 5-minute clock skew, refusing `UNSIGNED-PAYLOAD`.
    pub fn new(region: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            service: EXECUTE_API.to_owned(),
            clock_skew: DEFAULT_CLOCK_SKEW,
            allow_unsigned_payload: false,
            settings: sign::base_settings(),
        }
    }

    /// The same verifier with another clock skew allowed (either way).
    #[must_use]
    pub fn with_clock_skew(self, clock_skew: Duration) -> Self {
        Self { clock_skew, ..self }
    }

    /// The same verifier for another service name in the credential scope.
    #[must_use]
    pub fn with_service(self, service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            ..self
        }
    }

    /// Whether a client may sign `UNSIGNED-PAYLOAD` (in
    /// `X-Amz-Content-Sha256`) instead of its body's hash. API Gateway does
    /// not allow it (it hashes the body it received), so neither does a new
    /// verifier.
    #[must_use]
    pub fn allow_unsigned_payload(self, allow: bool) -> Self {
        Self {
            allow_unsigned_payload: allow,
            ..self
        }
    }

    /// The region credential scopes must name.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The service credential scopes must name (`execute-api`).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Verifies `request`'s signature at time `now`, with the secret
    /// `lookup` gives for its access key id.
    ///
    /// # Errors
    ///
    /// The first check the request fails, in AWS's order: no signature at
    /// all; a malformed one; a credential scope for another date, region or
    /// service; `host` unsigned; a time outside the clock-skew window (or a
    /// presigned URL past its `X-Amz-Expires`); an unknown access key; a
    /// missing, wrong or expired session token; a signature that does not
    /// match. Each [`SigV4Error`] says how API Gateway answers it.
    pub fn verify(
        &self,
        request: &SignedRequest<'_>,
        now: SystemTime,
        lookup: &dyn SecretLookup,
    ) -> Result<Verified, SigV4Error> {
        let signature = parse::signature(request.headers, request.uri.query())?;
        let amz_date = match signature.date_source {
            DateSource::AmzDate => AmzDate::parse_basic(&signature.date),
            DateSource::HttpDate => AmzDate::parse_http(&signature.date),
        };
        let (Some(amz_date), Some(signed_at)) =
            (amz_date, amz_date.and_then(AmzDate::to_system_time))
        else {
            return Err(SigV4Error::MalformedDate {
                value: signature.date.into_owned(),
            });
        };
        self.check_scope(&signature, amz_date)?;
        if !signature.signs("host") {
            return Err(SigV4Error::HostNotSigned);
        }
        let expires = self.check_time(&signature, amz_date, AmzDate::from_system_time(now))?;

        let access_key_id = signature.credential.access_key_id();
        let secret = lookup
            .lookup(access_key_id)
            .ok_or(SigV4Error::UnknownAccessKey)?;
        check_session_token(&signature, &secret, now)?;
        let (payload, body) = self.payload(request)?;

        let input = Recompute {
            location: signature.location,
            date_source: signature.date_source,
            method: request.method.as_str(),
            uri: request.uri,
            headers: request.headers,
            signature: &signature,
            signed_at,
            amz_date,
            expires,
            payload,
            secret: &secret,
            region: &self.region,
            service: &self.service,
        };
        let computed = if sign::can_reproduce(&input) {
            sign::signature(&input, &self.settings)
        } else {
            canonical::signature(&input)
        };
        let matches = computed.is_some_and(|computed| {
            bool::from(computed.as_bytes().ct_eq(signature.signature.as_bytes()))
        });
        if !matches {
            return Err(SigV4Error::SignatureMismatch);
        }
        Ok(Verified {
            access_key_id: access_key_id.to_owned(),
            signed_at,
            scope_date: signature.credential.date().to_owned(),
            region: self.region.clone(),
            location: signature.location,
            session_token: signature.session_token.is_some(),
            body,
        })
    }

    fn check_scope(&self, signature: &Signature<'_>, amz_date: AmzDate) -> Result<(), SigV4Error> {
        let credential = &signature.credential;
        let region_ok = credential.region() == self.region;
        let service_ok = credential.service() == self.service;
        let terminator_ok = credential.terminator() == "aws4_request";
        if !(region_ok && service_ok && terminator_ok) {
            let named = |ok: bool, part: &str| (!ok).then(|| part.to_owned());
            return Err(SigV4Error::WrongScope(WrongScope {
                region: named(region_ok, credential.region()),
                service: named(service_ok, credential.service()),
                expected_service: self.service.clone(),
                terminator: named(terminator_ok, credential.terminator()),
            }));
        }
        let stamp = amz_date.date_stamp();
        if credential.date().as_bytes() != stamp {
            return Err(SigV4Error::ScopeDateMismatch {
                scope_date: credential.date().to_owned(),
                request_date: String::from_utf8_lossy(&stamp).into_owned(),
                date_value: signature.date.to_string(),
            });
        }
        Ok(())
    }

    /// The clock-skew window, or a presigned URL's lifetime; returns the
    /// lifetime (`X-Amz-Expires`) when there is one.
    fn check_time(
        &self,
        signature: &Signature<'_>,
        signed_at: AmzDate,
        now: AmzDate,
    ) -> Result<Option<Duration>, SigV4Error> {
        let expires = signature
            .expires
            .as_deref()
            .map(parse_expires)
            .transpose()?;
        let latest = now.plus(self.clock_skew);
        if signed_at > latest {
            return Err(SigV4Error::SignatureNotYetCurrent {
                signed_at,
                limit: latest,
                now,
                window: self.clock_skew,
            });
        }
        let window = expires.unwrap_or(self.clock_skew);
        let earliest = now.minus(window);
        if signed_at < earliest {
            return Err(SigV4Error::SignatureExpired {
                signed_at,
                limit: earliest,
                now,
                window,
            });
        }
        Ok(expires)
    }

    /// What stands for the body in the canonical request.
    fn payload<'a>(
        &self,
        request: &SignedRequest<'a>,
    ) -> Result<(PayloadHash<'a>, BodyCheck), SigV4Error> {
        let declared = request
            .headers
            .get(X_AMZ_CONTENT_SHA256)
            .and_then(|value| value.to_str().ok());
        let unsigned = self.allow_unsigned_payload && declared == Some(UNSIGNED_PAYLOAD);
        if unsigned {
            return Ok((PayloadHash::Unsigned, BodyCheck::Unsigned));
        }
        match (request.payload, declared) {
            (Payload::Body(body), _) => Ok((PayloadHash::Body(body), BodyCheck::Signed)),
            (Payload::Declared, Some(digest))
                if digest.len() == 64 && digest.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Ok((
                    PayloadHash::Digest(digest),
                    BodyCheck::Declared(digest.to_ascii_lowercase()),
                ))
            }
            // No body and no usable digest: nothing the signature can be
            // checked against.
            (Payload::Declared, _) => Err(SigV4Error::SignatureMismatch),
        }
    }
}

/// `X-Amz-Expires`: whole seconds, at most a week.
fn parse_expires(text: &str) -> Result<Duration, SigV4Error> {
    let seconds =
        (!text.is_empty() && text.len() <= 10 && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u64>().ok())
            .flatten()
            .map(Duration::from_secs)
            .filter(|expires| *expires <= MAX_PRESIGNED_EXPIRY);
    seconds.ok_or(SigV4Error::InvalidExpires)
}

fn check_session_token(
    signature: &Signature<'_>,
    secret: &SigningSecret,
    now: SystemTime,
) -> Result<(), SigV4Error> {
    let valid = match (signature.session_token.as_deref(), secret.session_token()) {
        (None, None) => true,
        (Some(sent), Some(expected)) => bool::from(sent.as_bytes().ct_eq(expected.as_bytes())),
        _ => false,
    };
    if !valid {
        return Err(SigV4Error::InvalidSessionToken);
    }
    match secret.expires_at() {
        Some(expires_at) if now >= expires_at => Err(SigV4Error::ExpiredSessionToken),
        _ => Ok(()),
    }
}

/// What the canonical request's last line stands for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PayloadHash<'a> {
    /// The SHA-256 of these bytes.
    Body(&'a [u8]),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// The client's digest, as sent.
    Digest(&'a str),
}

/// Everything a signature is recomputed from.
pub(crate) struct Recompute<'a> {
    pub(crate) location: SignatureLocation,
    pub(crate) date_source: DateSource,
    pub(crate) method: &'a str,
    pub(crate) uri: &'a Uri,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) signature: &'a Signature<'a>,
    pub(crate) signed_at: SystemTime,
    pub(crate) amz_date: AmzDate,
    /// A presigned URL's `X-Amz-Expires`.
    pub(crate) expires: Option<Duration>,
    pub(crate) payload: PayloadHash<'a>,
    pub(crate) secret: &'a SigningSecret,
    pub(crate) region: &'a str,
    pub(crate) service: &'a str,
}

impl<'a> Recompute<'a> {
    /// The values of a signed header, as sent (`None` for one that is not
    /// visible ASCII). `host` falls back on the URI's authority (HTTP/2's
    /// `:authority`).
    pub(crate) fn header_values(
        &self,
        name: &str,
    ) -> impl Iterator<Item = Option<&'a str>> + use<'a> {
        let headers: &'a HeaderMap = self.headers;
        let authority = (name.eq_ignore_ascii_case(HOST.as_str()) && !headers.contains_key(HOST))
            .then(|| self.uri.authority().map(|authority| authority.as_str()))
            .flatten();
        headers
            .get_all(name)
            .iter()
            .map(|value| value.to_str().ok())
            .chain(authority.map(Some))
    }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
