//! Verifies requests built from arbitrary bytes: an `Authorization` value, a
//! query, a path, a date (`X-Amz-Date`, or `Date` when it has a comma) and a
//! body, one per line. Nothing may panic, and no refusal may show the secret
//! or the session token (unless the client wrote them where a message echoes
//! what it wrote, in its credential say). Then the same path, query and body are signed the
//! way a client signs them (`aws-sigv4`, header and presigned forms): those
//! must verify.
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    SignableBody, SignableRequest, SignatureLocation, SigningSettings, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::{HeaderMap, HeaderValue, Method, Uri};
use libfuzzer_sys::fuzz_target;
use portcullis_auth::sigv4::{Payload, SignedRequest, SigningSecret, Verifier, is_signed};

const HOST: &str = "abc123.execute-api.us-east-1.amazonaws.com";
const KEY: &str = "ASIAFUZZ";
const SECRET: &str = "fuzzSecretKey/with+symbols=";
const TOKEN: &str = "fuzzSessionToken//+==";

fn signed_at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_796_472_000)
}

fn lookup(id: &str) -> Option<SigningSecret> {
    (id == KEY).then(|| SigningSecret::new(SECRET).with_session_token(TOKEN))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(5, '\n');
    let authorization = lines.next().unwrap_or_default();
    let query = lines.next().unwrap_or_default();
    let path = lines.next().unwrap_or_default();
    let date = lines.next().unwrap_or_default();
    let body = lines.next().unwrap_or_default().as_bytes();

    let target = format!("/{}?{query}", path.trim_start_matches('/'));
    let Ok(uri) = target.parse::<Uri>() else {
        return;
    };

    // The request as it came.
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static(HOST));
    if let Ok(value) = HeaderValue::from_str(authorization) {
        if !authorization.is_empty() {
            headers.insert("authorization", value);
        }
    }
    if let Ok(value) = HeaderValue::from_str(date) {
        headers.insert(
            if date.contains(',') {
                "date"
            } else {
                "x-amz-date"
            },
            value,
        );
        headers.insert("x-amz-security-token", HeaderValue::from_static(TOKEN));
    }
    let _ = is_signed(&headers, &uri);
    let mentions = |needle: &str| {
        text.contains(needle)
            || form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                .any(|(key, value)| key.contains(needle) || value.contains(needle))
    };
    let now = signed_at();
    for verifier in [
        Verifier::new("us-east-1"),
        Verifier::new("us-east-1").allow_unsigned_payload(true),
    ] {
        for payload in [Payload::Body(body), Payload::Declared] {
            let request =
                SignedRequest::new(&Method::POST, &uri, &headers, body).with_payload(payload);
            if let Err(refused) = verifier.verify(&request, now, &lookup) {
                // A refusal may echo what the client wrote (its credential,
                // a SigV4 Authorization header), never the secret or the
                // session token header unless the client wrote them there too.
                let shown = format!("{refused} {refused:?}");
                for secret in [SECRET, TOKEN] {
                    assert!(!shown.contains(secret) || mentions(secret), "{shown}");
                }
                let _ = (
                    refused.response_type(),
                    refused.error_type(),
                    refused.status(),
                );
            }
        }
    }

    // The same request signed by a client: it must verify. A query already
    // holding presigned-URL parameters is left out of the presigned form.
    let presignable = !form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .any(|(key, _)| key.to_ascii_lowercase().starts_with("x-amz-"));
    for presign in [false, true] {
        if presign && !presignable {
            continue;
        }
        let Some(signed) = client_signed(&uri, body, presign) else {
            continue;
        };
        let request = SignedRequest::new(&Method::POST, signed.uri(), signed.headers(), body);
        if let Err(refused) = Verifier::new("us-east-1").verify(&request, now, &lookup) {
            panic!("{target:?} signed by aws-sigv4 (presigned: {presign}) is refused: {refused}");
        }
    }
});

/// The request signed by `aws-sigv4` as a client signs it (default settings).
fn client_signed(uri: &Uri, body: &[u8], presign: bool) -> Option<http::Request<()>> {
    let identity: Identity =
        Credentials::new(KEY, SECRET, Some(TOKEN.to_owned()), None, "fuzz").into();
    let mut settings = SigningSettings::default();
    if presign {
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(Duration::from_secs(300));
    }
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("execute-api")
        .time(signed_at())
        .settings(settings)
        .build()
        .ok()?
        .into();
    let target = uri.path_and_query()?.as_str();
    let signable = SignableRequest::new(
        "POST",
        target,
        [("host", HOST), ("x-fuzz", "a  b ")].into_iter(),
        SignableBody::Bytes(body),
    )
    .ok()?;
    let (instructions, _) = sign(signable, &params).ok()?.into_parts();
    let mut request = http::Request::post(target)
        .header("host", HOST)
        .header("x-fuzz", "a  b ")
        .body(())
        .ok()?;
    instructions.apply_to_request_http1x(&mut request);
    Some(request)
}
