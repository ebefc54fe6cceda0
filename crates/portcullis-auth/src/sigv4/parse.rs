//! Finding a request's signature, read into one borrowed [`Signature`]: the
//! `Authorization` header form here, the presigned query form in
//! [`super::presigned`].
//!
//! Parsing checks only the shape (AWS's `IncompleteSignatureException`
//! family); what the parts must say (scope, time, key) is checked by the
//! verifier.

use std::borrow::Cow;
use std::ops::Range;

use http::header::{AUTHORIZATION, DATE};
use http::{HeaderMap, HeaderValue};

use super::SignatureLocation;
use super::error::{Incomplete, SigV4Error};
use super::presigned;

pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub(crate) const X_AMZ_DATE: &str = "x-amz-date";
pub(crate) const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";

/// Where the request's time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateSource {
    /// The `X-Amz-Date` header, or the `X-Amz-Date` query parameter.
    AmzDate,
    /// The `Date` header (only when there is no `X-Amz-Date`).
    HttpDate,
}

/// A signature as the request carries it; every part borrowed when it can be.
#[derive(Debug)]
pub(crate) struct Signature<'a> {
    pub(crate) location: SignatureLocation,
    pub(crate) credential: Credential<'a>,
    /// `host;x-amz-date`, as sent.
    pub(crate) signed_headers: Cow<'a, str>,
    /// Hex, as sent.
    pub(crate) signature: Cow<'a, str>,
    pub(crate) date: Cow<'a, str>,
    pub(crate) date_source: DateSource,
    /// `X-Amz-Expires`, as sent (presigned URLs).
    pub(crate) expires: Option<Cow<'a, str>>,
    /// The session token: `X-Amz-Security-Token` (header or parameter).
    pub(crate) session_token: Option<Cow<'a, str>>,
}

impl Signature<'_> {
    /// The signed header names, as sent (lower case in a well-formed request).
    pub(crate) fn signed_header_names(&self) -> impl Iterator<Item = &str> {
        self.signed_headers.split(';')
    }

    pub(crate) fn signs(&self, name: &str) -> bool {
        self.signed_header_names()
            .any(|signed| signed.eq_ignore_ascii_case(name))
    }
}

/// `keyid/YYYYMMDD/region/service/aws4_request`.
#[derive(Debug)]
pub(crate) struct Credential<'a> {
    raw: Cow<'a, str>,
    parts: [Range<usize>; 5],
}

impl<'a> Credential<'a> {
    pub(super) fn parse(raw: Cow<'a, str>) -> Result<Self, SigV4Error> {
        let mut parts: [Range<usize>; 5] = Default::default();
        let mut start = 0;
        let mut count = 0;
        for (index, byte) in raw.bytes().enumerate().chain([(raw.len(), b'/')]) {
            if byte == b'/' {
                if count == parts.len() {
                    count += 1;
                    break;
                }
                parts[count] = start..index;
                count += 1;
                start = index + 1;
            }
        }
        if count != parts.len() {
            return Err(SigV4Error::MalformedCredential {
                credential: raw.into_owned(),
            });
        }
        Ok(Self { raw, parts })
    }

    fn part(&self, index: usize) -> &str {
        self.raw.get(self.parts[index].clone()).unwrap_or_default()
    }

    pub(crate) fn access_key_id(&self) -> &str {
        self.part(0)
    }
    pub(crate) fn date(&self) -> &str {
        self.part(1)
    }
    pub(crate) fn region(&self) -> &str {
        self.part(2)
    }
    pub(crate) fn service(&self) -> &str {
        self.part(3)
    }
    pub(crate) fn terminator(&self) -> &str {
        self.part(4)
    }
}

/// Reads the `Authorization` header form.
pub(crate) fn from_header<'a>(
    value: &'a HeaderValue,
    headers: &'a HeaderMap,
) -> Result<Signature<'a>, SigV4Error> {
    let date = request_date(headers);
    let Some((text, rest)) = value.to_str().ok().and_then(split_algorithm) else {
        // Another scheme (a bearer token, SigV2...): AWS lists every part as
        // missing. Its value may be a secret, so it is not echoed.
        return Err(SigV4Error::IncompleteHeader(Incomplete {
            credential: true,
            signature: true,
            signed_headers: true,
            date: date.is_none(),
            header: None,
        }));
    };
    let (mut credential, mut signed_headers, mut signature) = (None, None, None);
    for pair in rest
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|pair| !pair.is_empty())
    {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(SigV4Error::MissingEqualSign {
                pair: pair.to_owned(),
                header: text.to_owned(),
            });
        };
        let slot = match key {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed_headers,
            "Signature" => &mut signature,
            _ => continue,
        };
        slot.get_or_insert(value);
    }
    let incomplete = Incomplete {
        credential: credential.is_none(),
        signature: signature.is_none(),
        signed_headers: signed_headers.is_none(),
        date: date.is_none(),
        header: None,
    };
    let (Some(credential), Some(signed_headers), Some(signature), Some((date, date_source))) =
        (credential, signed_headers, signature, date)
    else {
        return Err(SigV4Error::IncompleteHeader(Incomplete {
            header: Some(text.to_owned()),
            ..incomplete
        }));
    };
    Ok(Signature {
        location: SignatureLocation::Header,
        credential: Credential::parse(Cow::Borrowed(credential))?,
        signed_headers: Cow::Borrowed(signed_headers),
        signature: Cow::Borrowed(signature),
        date,
        date_source,
        expires: None,
        session_token: headers
            .get(X_AMZ_SECURITY_TOKEN)
            .map(|token| String::from_utf8_lossy(token.as_bytes())),
    })
}

/// `AWS4-HMAC-SHA256 rest` → (whole value, rest).
fn split_algorithm(text: &str) -> Option<(&str, &str)> {
    let rest = text.strip_prefix(ALGORITHM)?;
    (rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_whitespace())).then_some((text, rest))
}

/// The request's time: `X-Amz-Date` wins over `Date`.
fn request_date(headers: &HeaderMap) -> Option<(Cow<'_, str>, DateSource)> {
    if let Some(value) = headers.get(X_AMZ_DATE) {
        return Some((
            String::from_utf8_lossy(value.as_bytes()),
            DateSource::AmzDate,
        ));
    }
    let value = headers.get(DATE)?;
    Some((
        String::from_utf8_lossy(value.as_bytes()),
        DateSource::HttpDate,
    ))
}

/// Finds the signature: the `Authorization` header first, then the query.
pub(crate) fn signature<'a>(
    headers: &'a HeaderMap,
    query: Option<&'a str>,
) -> Result<Signature<'a>, SigV4Error> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        return from_header(value, headers);
    }
    match query {
        Some(query) if presigned::query_is_presigned(query) => presigned::from_query(query),
        _ => Err(SigV4Error::MissingAuthenticationToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNATURE: &str = "0e6e5caf54d906ca455169d55b42944ab5564d0b733462ae7575cec2d2bfb2e3";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn header_form(
        authorization: &str,
        date: bool,
    ) -> Result<(String, String, String), SigV4Error> {
        let mut pairs = vec![("authorization", authorization)];
        if date {
            pairs.push(("x-amz-date", "20261205T120000Z"));
        }
        let map = headers(&pairs);
        let parsed = signature(&map, None)?;
        Ok((
            parsed.credential.raw.to_string(),
            parsed.signed_headers.to_string(),
            parsed.signature.to_string(),
        ))
    }

    #[test]
    fn header_form_in_the_usual_and_unusual_spacings() {
        let expected = (
            "AKID/20261205/us-east-1/execute-api/aws4_request".to_owned(),
            "host;x-amz-date".to_owned(),
            SIGNATURE.to_owned(),
        );
        for value in [
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20261205/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature={SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256 Credential=AKID/20261205/us-east-1/execute-api/aws4_request,SignedHeaders=host;x-amz-date,Signature={SIGNATURE}"
            ),
            format!(
                "AWS4-HMAC-SHA256  Signature={SIGNATURE} , SignedHeaders=host;x-amz-date\tCredential=AKID/20261205/us-east-1/execute-api/aws4_request, Extra=1"
            ),
        ] {
            assert_eq!(header_form(&value, true).unwrap(), expected, "{value}");
        }
    }

    #[test]
    fn header_form_lists_what_is_missing() {
        let err = header_form("AWS4-HMAC-SHA256 Credential=ABCDEF", true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF"
        );
        let err = header_form(
            &format!(
                "AWS4-HMAC-SHA256 Credential=A/B/C/D/E, SignedHeaders=host, Signature={SIGNATURE}"
            ),
            false,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Credential="), "{err}");
    }

    #[test]
    fn other_schemes_are_incomplete_and_not_echoed() {
        for value in [
            "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
            "eyJhbGciOiJIUzI1NiJ9.e30.sig",
            "AWS AKID:c2ln",
            "AWS4-HMAC-SHA256X Credential=a",
            "",
        ] {
            let err = header_form(value, false).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains("requires 'Credential'") && text.contains("'Date' header"),
                "{text}"
            );
            if !value.is_empty() {
                assert!(!text.contains(value), "{text} echoes {value}");
            }
            assert_eq!(err.response_type(), "MISSING_AUTHENTICATION_TOKEN");
        }
    }

    #[test]
    fn a_part_without_equal_sign_is_named() {
        let value = "AWS4-HMAC-SHA256 Credential= AKID/20181128/eu-central-1/cloud9/aws4_request, SignedHeaders=host, Signature=abc";
        let err = header_form(value, true).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "'AKID/20181128/eu-central-1/cloud9/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'."
            )
        );
    }

    #[test]
    fn credentials_need_five_parts() {
        for credential in [
            "AKID/20261205/us-east-1/execute-api",
            "AKID/20261205/us-east-1/execute-api/aws4_request/x",
            "AKID",
        ] {
            let value = format!(
                "AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=00"
            );
            assert_eq!(
                header_form(&value, true).unwrap_err(),
                SigV4Error::MalformedCredential {
                    credential: credential.into()
                }
            );
        }
        let parsed = Credential::parse(Cow::Borrowed(
            "AKID/20261205/us-east-1/execute-api/aws4_request",
        ))
        .unwrap();
        assert_eq!(
            (
                parsed.access_key_id(),
                parsed.date(),
                parsed.region(),
                parsed.service(),
                parsed.terminator()
            ),
            (
                "AKID",
                "20261205",
                "us-east-1",
                "execute-api",
                "aws4_request"
            )
        );
        let empty = Credential::parse(Cow::Borrowed("////")).unwrap();
        assert_eq!(empty.access_key_id(), "");
    }

    #[test]
    fn date_header_is_used_without_x_amz_date() {
        let map = headers(&[
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=A/B/C/D/E, SignedHeaders=date;host, Signature=00",
            ),
            ("date", "Sat, 05 Dec 2026 12:00:00 GMT"),
        ]);
        let parsed = signature(&map, None).unwrap();
        assert_eq!(parsed.date_source, DateSource::HttpDate);
        assert_eq!(parsed.date, "Sat, 05 Dec 2026 12:00:00 GMT");
        assert!(parsed.signs("date") && parsed.signs("Host") && !parsed.signs("x-amz-date"));
    }

    #[test]
    fn nothing_to_find() {
        for query in [
            None,
            Some(""),
            Some("a=b&X-Amz-Date=20261205T120000Z"),
            Some("x-amz-signature=0"),
        ] {
            assert_eq!(
                signature(&HeaderMap::new(), query).unwrap_err(),
                SigV4Error::MissingAuthenticationToken,
                "{query:?}"
            );
        }
    }
}
