//! Recomputing a signature with the `aws-sigv4` crate, the project's one
//! SigV4 implementation (the Lambda Invoke client signs with it too).
//!
//! The request is handed to `aws-sigv4` as a signer would see it: exactly
//! the signed headers, the client's time, the scope's region and service,
//! and the secret with the session token the client sent. `aws-sigv4` then
//! builds the canonical request with these settings, which reproduce what
//! botocore signs for `execute-api` (`tests/sigv4_botocore.rs`):
//!
//! - `PercentEncodingMode::Double`: the path as sent is percent-encoded once
//!   more (`%20` is canonical `%2520`), as botocore does for every service
//!   but S3;
//! - `UriPathNormalizationMode::Enabled`: `.`/`..` segments and empty
//!   segments (`//`) are removed first, as botocore does;
//! - `PayloadChecksumKind::NoHeader`: `X-Amz-Content-Sha256` is signed only
//!   when the client signed it (it is then one of the headers passed);
//! - `excluded_headers: None`: every header the client listed is signed,
//!   `user-agent` included (clients other than botocore do sign it);
//! - `SessionTokenMode::Include` when the client signed its token (header
//!   form) or sent it in the query (presigned), `Exclude` otherwise;
//! - presigned: `SignatureLocation::QueryParams` with `expires_in` set to the
//!   client's `X-Amz-Expires`. The signing parameters are removed from the
//!   query first: `aws-sigv4` adds them back from the values it was given,
//!   which are the client's (checked equal by the verifier).
//!
//! What `aws-sigv4` cannot reproduce is done in [`super::canonical`].

use std::borrow::Cow;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;

use super::parse;
use super::presigned::param;
use super::verify::{PayloadHash, Recompute};

/// The settings every verification starts from (built once per verifier).
pub(crate) fn base_settings() -> SigningSettings {
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Double;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Enabled;
    settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
    settings.excluded_headers = None;
    settings.signature_location = SignatureLocation::Headers;
    settings.expires_in = None;
    settings
}

/// Whether `aws-sigv4` can recompute this request: it always signs its own
/// `x-amz-date` header in the header form, so the client must have done so,
/// and always an `X-Amz-Expires` in the presigned form; it squeezes only
/// spaces in header values, where botocore (and the Java and JavaScript
/// SDKs) squeeze tabs too.
pub(crate) fn can_reproduce(input: &Recompute<'_>) -> bool {
    let tab = input.signature.signed_header_names().any(|name| {
        input
            .header_values(name)
            .any(|value| value.is_some_and(|value| value.contains('\t')))
    });
    !tab && match input.location {
        // It always writes `X-Amz-Expires` into the canonical query.
        super::SignatureLocation::Query => input.expires.is_some(),
        super::SignatureLocation::Header => {
            input.date_source == parse::DateSource::AmzDate
                && input.signature.signs(parse::X_AMZ_DATE)
        }
    }
}

/// The signature `aws-sigv4` computes for the request, or `None` when it
/// refuses it (a header value that is not visible ASCII, say).
pub(crate) fn signature(input: &Recompute<'_>, base: &SigningSettings) -> Option<String> {
    let query_form = input.location == super::SignatureLocation::Query;
    let mut settings = base.clone();
    let token = input.signature.session_token.as_deref();
    let include_token = if query_form {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = input.expires;
        token.is_some()
    } else {
        input.signature.signs(parse::X_AMZ_SECURITY_TOKEN)
    };
    settings.session_token_mode = if include_token {
        SessionTokenMode::Include
    } else {
        SessionTokenMode::Exclude
    };

    let mut headers = Vec::with_capacity(4);
    for name in input.signature.signed_header_names() {
        // `aws-sigv4` adds these two itself in the header form, from the
        // time and the credentials it is given.
        if !query_form
            && (name.eq_ignore_ascii_case(parse::X_AMZ_DATE)
                || name.eq_ignore_ascii_case(parse::X_AMZ_SECURITY_TOKEN))
        {
            continue;
        }
        let mut any = false;
        for value in input.header_values(name) {
            headers.push((name, value?));
            any = true;
        }
        if !any {
            headers.push((name, ""));
        }
    }

    let target = if query_form {
        Cow::Owned(without_signing_params(input.uri))
    } else {
        Cow::Borrowed(
            input
                .uri
                .path_and_query()
                .map_or("/", |target| target.as_str()),
        )
    };
    let body = match input.payload {
        PayloadHash::Body(body) => SignableBody::Bytes(body),
        PayloadHash::Unsigned => SignableBody::UnsignedPayload,
        PayloadHash::Digest(digest) => SignableBody::Precomputed(digest.to_owned()),
    };
    let request = SignableRequest::new(input.method, target, headers.into_iter(), body).ok()?;

    let identity: Identity = Credentials::new(
        input.signature.credential.access_key_id(),
        input.secret.secret_access_key(),
        if include_token {
            token.map(str::to_owned)
        } else {
            None
        },
        None,
        "portcullis-sigv4-verifier",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(input.region)
        .name(input.service)
        .time(input.signed_at)
        .settings(settings)
        .build()
        .ok()?
        .into();
    let (_, signature) = sign(request, &params).ok()?.into_parts();
    Some(signature)
}

/// The path and query without the presigned-URL parameters.
fn without_signing_params(uri: &http::Uri) -> String {
    let path = match uri.path() {
        "" => "/",
        path => path,
    };
    let mut target = String::with_capacity(path.len() + uri.query().map_or(0, str::len) + 1);
    target.push_str(path);
    let mut separator = '?';
    for pair in uri.query().unwrap_or_default().split('&') {
        let signing = form_urlencoded::parse(pair.as_bytes())
            .next()
            .is_some_and(|(key, _)| param::ALL.contains(&&*key));
        if !signing && !pair.is_empty() {
            target.push(separator);
            target.push_str(pair);
            separator = '&';
        }
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_params_leave_the_query() {
        let uri: http::Uri = "/prod/pets?type=dog&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=A%2FB&X-Amz-Date=1&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Security-Token=t&x-amz-signature=kept&X-Amz-Signature=00&&a=".parse().unwrap();
        assert_eq!(
            without_signing_params(&uri),
            "/prod/pets?type=dog&x-amz-signature=kept&a="
        );
        let uri: http::Uri = "/p?X-Amz-Signature=00".parse().unwrap();
        assert_eq!(without_signing_params(&uri), "/p");
        let uri: http::Uri = "http://host".parse().unwrap();
        assert_eq!(without_signing_params(&uri), "/");
    }

    #[test]
    fn base_settings_sign_every_header_given() {
        let settings = base_settings();
        assert_eq!(settings.excluded_headers, None);
        assert_eq!(settings.percent_encoding_mode, PercentEncodingMode::Double);
    }
}
