//! The presigned query form: `?X-Amz-Algorithm=AWS4-HMAC-SHA256&
//! X-Amz-Credential=...&X-Amz-Signature=...`, read into a [`Signature`].

use std::borrow::Cow;

use super::SignatureLocation;
use super::error::{MissingParameters, SigV4Error};
use super::parse::{ALGORITHM, Credential, DateSource, Signature};

/// The query parameters of a presigned URL, in the order AWS lists them.
pub(crate) mod param {
    pub(crate) const ALGORITHM: &str = "X-Amz-Algorithm";
    pub(crate) const CREDENTIAL: &str = "X-Amz-Credential";
    pub(crate) const SIGNATURE: &str = "X-Amz-Signature";
    pub(crate) const SIGNED_HEADERS: &str = "X-Amz-SignedHeaders";
    pub(crate) const DATE: &str = "X-Amz-Date";
    pub(crate) const EXPIRES: &str = "X-Amz-Expires";
    pub(crate) const SECURITY_TOKEN: &str = "X-Amz-Security-Token";

    /// Every signing parameter: none of them is part of the canonical query
    /// as the request carries it (the signer adds them itself).
    pub(crate) const ALL: [&str; 7] = [
        ALGORITHM,
        CREDENTIAL,
        SIGNATURE,
        SIGNED_HEADERS,
        DATE,
        EXPIRES,
        SECURITY_TOKEN,
    ];

    /// The parameters whose presence makes a query presigned.
    pub(crate) const MARKERS: [&str; 4] = [ALGORITHM, CREDENTIAL, SIGNATURE, SIGNED_HEADERS];
}

/// Whether the query carries presigned-URL parameters.
pub(crate) fn query_is_presigned(query: &str) -> bool {
    form_urlencoded::parse(query.as_bytes()).any(|(key, _)| param::MARKERS.contains(&&*key))
}

/// Reads the presigned query form.
pub(crate) fn from_query(query: &str) -> Result<Signature<'_>, SigV4Error> {
    let mut found: [Option<Cow<'_, str>>; 7] = Default::default();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let Some(index) = param::ALL.iter().position(|name| *name == key) else {
            continue;
        };
        if found[index].replace(value).is_some() {
            // Twice: the second is outside what was signed, whichever it is.
            return Err(SigV4Error::SignatureMismatch);
        }
    }
    let [
        algorithm,
        credential,
        signature,
        signed_headers,
        date,
        expires,
        session_token,
    ] = found;
    let missing = MissingParameters {
        algorithm: algorithm.is_none(),
        credential: credential.is_none(),
        signature: signature.is_none(),
        signed_headers: signed_headers.is_none(),
        date: date.is_none(),
    };
    let (Some(algorithm), Some(credential), Some(signature), Some(signed_headers), Some(date)) =
        (algorithm, credential, signature, signed_headers, date)
    else {
        return Err(SigV4Error::IncompleteQuery(missing));
    };
    if algorithm != ALGORITHM {
        return Err(SigV4Error::UnsupportedAlgorithm);
    }
    Ok(Signature {
        location: SignatureLocation::Query,
        credential: Credential::parse(credential)?,
        signed_headers,
        signature,
        date,
        date_source: DateSource::AmzDate,
        expires,
        session_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNATURE: &str = "0e6e5caf54d906ca455169d55b42944ab5564d0b733462ae7575cec2d2bfb2e3";

    #[test]
    fn query_form() {
        let query = format!(
            "type=dog&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20261205%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20261205T120000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Security-Token=a%2Bb%3D&X-Amz-Signature={SIGNATURE}"
        );
        let parsed = from_query(&query).unwrap();
        assert_eq!(parsed.location, SignatureLocation::Query);
        assert_eq!(parsed.credential.access_key_id(), "AKID");
        assert_eq!(parsed.credential.service(), "execute-api");
        assert_eq!(parsed.expires.as_deref(), Some("300"));
        assert_eq!(parsed.session_token.as_deref(), Some("a+b="));
        assert_eq!(parsed.signature, SIGNATURE);
    }

    #[test]
    fn query_form_lists_what_is_missing() {
        let err = from_query("X-Amz-Signature=00&X-Amz-Date=20261205T120000Z").unwrap_err();
        assert_eq!(
            err.to_string(),
            "AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."
        );
        let err = from_query("X-Amz-Algorithm=AWS4-HMAC-SHA512&X-Amz-Credential=a&X-Amz-Signature=0&X-Amz-SignedHeaders=host&X-Amz-Date=1").unwrap_err();
        assert_eq!(err, SigV4Error::UnsupportedAlgorithm);
        let twice = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Algorithm=AWS4-HMAC-SHA256";
        assert_eq!(
            from_query(twice).unwrap_err(),
            SigV4Error::SignatureMismatch
        );
    }

    #[test]
    fn presigned_markers() {
        assert!(query_is_presigned("a=1&X-Amz-Signature=00"));
        assert!(query_is_presigned("X%2DAmz-Credential=a"));
        assert!(!query_is_presigned(
            "a=1&X-Amz-Date=20261205T120000Z&x-amz-signature=0"
        ));
    }
}
