//! The request types: payload choices, targets and hosts, and what `Debug`
//! shows, against requests signed as a client signs them.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::Request;

use crate::sigv4::test_support::{
    Client, HOST, KEY, SECRET, TOKEN, get, secrets, signed_at, verify, verify_with,
};
use crate::sigv4::{BodyCheck, EXECUTE_API, Payload, SigV4Error, SignedRequest, Verifier};

#[test]
fn payloads() {
    let post = |declared: Option<&str>| {
        let mut request = Request::post(format!("https://{HOST}/p")).header("host", HOST);
        if let Some(declared) = declared {
            request = request.header("x-amz-content-sha256", declared);
        }
        request.body(b"body".to_vec()).unwrap()
    };
    // A client that signs UNSIGNED-PAYLOAD: aws-sigv4's `SignableBody::UnsignedPayload`.
    let identity: Identity = Credentials::new(KEY, SECRET, None, None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name(EXECUTE_API)
        .time(signed_at())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let mut unsigned = post(Some("UNSIGNED-PAYLOAD"));
    let signable = SignableRequest::new(
        "POST",
        unsigned.uri().to_string(),
        [("host", HOST), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD")].into_iter(),
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    sign(signable, &params)
        .unwrap()
        .into_parts()
        .0
        .apply_to_request_http1x(&mut unsigned);
    assert_eq!(
        verify(&unsigned).unwrap_err(),
        SigV4Error::SignatureMismatch
    );
    let lenient = Verifier::new("us-east-1").allow_unsigned_payload(true);
    assert_eq!(
        verify_with(&lenient, &unsigned, signed_at()).unwrap().body,
        BodyCheck::Unsigned
    );

    // A declared digest, verified without the body.
    let digest = "230d8358dc8e8890b4c58deeb62912ee2f20357ae92a5cc861b98e68fe31acb5";
    let mut declared = post(Some(digest));
    let signable = SignableRequest::new(
        "POST",
        declared.uri().to_string(),
        [("host", HOST), ("x-amz-content-sha256", digest)].into_iter(),
        SignableBody::Precomputed(digest.to_owned()),
    )
    .unwrap();
    sign(signable, &params)
        .unwrap()
        .into_parts()
        .0
        .apply_to_request_http1x(&mut declared);
    let signed = SignedRequest::new(declared.method(), declared.uri(), declared.headers(), &[])
        .with_payload(Payload::Declared);
    let verified = Verifier::new("us-east-1")
        .verify(&signed, signed_at(), &secrets)
        .unwrap();
    assert_eq!(verified.body, BodyCheck::Declared(digest.to_owned()));
    // With the body, the body's own hash is what counts (as API Gateway):
    // the digest is SHA-256("body"), so another body fails.
    assert!(verify(&declared).is_ok());
    *declared.body_mut() = b"other".to_vec();
    assert_eq!(
        verify(&declared).unwrap_err(),
        SigV4Error::SignatureMismatch
    );
    let plain = Client::default().sign(post(None));
    let signed = SignedRequest::new(plain.method(), plain.uri(), plain.headers(), &[])
        .with_payload(Payload::Declared);
    assert_eq!(
        Verifier::new("us-east-1")
            .verify(&signed, signed_at(), &secrets)
            .unwrap_err(),
        SigV4Error::SignatureMismatch
    );
}

#[test]
fn host_from_the_authority_and_unusual_targets() {
    // HTTP/2: no Host header, the authority in the URI.
    let mut request = Client::default().sign(get("/prod/pets"));
    request.headers_mut().remove("host");
    assert!(request.uri().authority().is_some());
    assert!(verify(&request).is_ok());
    // Neither: refused, without panicking.
    *request.uri_mut() = "/prod/pets".parse().unwrap();
    assert_eq!(verify(&request).unwrap_err(), SigV4Error::SignatureMismatch);

    // `OPTIONS *` and an authority-form target, in both forms.
    for target in [
        "*",
        "*?a=1",
        "abc123.execute-api.us-east-1.amazonaws.com:443",
    ] {
        for presign in [None, Some(Duration::from_secs(60))] {
            let mut request = Client {
                presign,
                ..Client::default()
            }
            .sign(get("/"));
            let query = request.uri().query().map(str::to_owned);
            let uri = match (target, query) {
                ("*", Some(query)) => format!("*?{query}"),
                _ => target.to_owned(),
            };
            let Ok(uri) = uri.parse() else { continue };
            *request.uri_mut() = uri;
            // Signed for `/`: an authority-form target (no path) is `/` too,
            // but has no query for a presigned signature.
            let outcome = verify(&request);
            let expected = !target.starts_with('*') && presign.is_none();
            assert_eq!(
                outcome.is_ok(),
                expected,
                "{target} {presign:?}: {outcome:?}"
            );
        }
    }
}

#[test]
fn debug_shows_no_header_value_query_or_body() {
    let request = Client {
        key: "ASIATEMPORARY",
        token: Some(TOKEN),
        presign: Some(Duration::from_secs(60)),
        ..Client::default()
    }
    .sign(
        Request::post(format!("https://{HOST}/p?a=1"))
            .header("host", HOST)
            .body(b"secret body".to_vec())
            .unwrap(),
    );
    let signed = SignedRequest::new(
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
    );
    let text = format!("{signed:?}");
    assert!(
        !text.contains("TOKEN")
            && !text.contains("token==")
            && !text.contains("secret body")
            && !text.contains("a=1"),
        "{text}"
    );
    assert!(
        text.contains("Body(11 bytes)") && text.contains("\"/p\""),
        "{text}"
    );
}
