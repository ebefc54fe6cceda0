//! The verifier against requests signed by `aws-sigv4` as a client signs
//! them (default settings), and the hand-written path against `aws-sigv4`.

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use http::Request;

use super::*;
use crate::sigv4::is_signed;
use crate::sigv4::test_support::{Client, HOST, KEY, SECRET, TOKEN, get, secrets, signed_at};

fn verify_at(request: &Request<Vec<u8>>, now: SystemTime) -> Result<Verified, SigV4Error> {
    verify_with(&Verifier::new("us-east-1"), request, now)
}

fn verify_with(
    verifier: &Verifier,
    request: &Request<Vec<u8>>,
    now: SystemTime,
) -> Result<Verified, SigV4Error> {
    let signed = SignedRequest::new(
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
    );
    verifier.verify(&signed, now, &secrets)
}

fn verify(request: &Request<Vec<u8>>) -> Result<Verified, SigV4Error> {
    verify_at(request, signed_at() + Duration::from_secs(1))
}

#[test]
fn header_form_round_trip() {
    let request = Client::default().sign(get("/prod/pets?type=dog&page=2"));
    let verified = verify(&request).unwrap();
    assert_eq!(verified.access_key_id, KEY);
    assert_eq!(verified.signed_at, signed_at());
    assert_eq!(verified.scope_date, "20261205");
    assert_eq!(verified.region, "us-east-1");
    assert_eq!(verified.location, SignatureLocation::Header);
    assert!(!verified.session_token);
    assert_eq!(verified.body, BodyCheck::Signed);
}

#[test]
fn presigned_round_trip_and_expiry() {
    let client = Client {
        presign: Some(Duration::from_secs(600)),
        ..Client::default()
    };
    let request = client.sign(get("/prod/pets?type=dog"));
    assert!(request.headers().get("authorization").is_none());
    assert!(is_signed(request.headers(), request.uri()));
    let verified = verify(&request).unwrap();
    assert_eq!(verified.location, SignatureLocation::Query);
    assert!(verify_at(&request, signed_at() + Duration::from_secs(600)).is_ok());
    let err = verify_at(&request, signed_at() + Duration::from_secs(601)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Signature expired: 20261205T120000Z is now earlier than 20261205T120001Z (20261205T121001Z - 10 min.)"
    );
    let err = verify_at(&request, signed_at() - Duration::from_secs(301)).unwrap_err();
    assert!(
        matches!(err, SigV4Error::SignatureNotYetCurrent { .. }),
        "{err}"
    );
}

#[test]
fn presigned_expiry_is_at_most_a_week() {
    let week = Client {
        presign: Some(MAX_PRESIGNED_EXPIRY),
        ..Client::default()
    };
    assert!(verify(&week.sign(get("/p"))).is_ok());
    let longer = Client {
        presign: Some(MAX_PRESIGNED_EXPIRY + Duration::from_secs(1)),
        ..Client::default()
    };
    assert_eq!(
        verify(&longer.sign(get("/p"))).unwrap_err(),
        SigV4Error::InvalidExpires
    );
}

#[test]
fn the_clock_skew_window_is_five_minutes_each_way() {
    let request = Client::default().sign(get("/prod/pets"));
    let five = Duration::from_secs(300);
    assert!(verify_at(&request, signed_at() + five).is_ok());
    assert!(verify_at(&request, signed_at() - five).is_ok());
    let late = verify_at(&request, signed_at() + five + Duration::from_secs(1)).unwrap_err();
    assert_eq!(
        late.to_string(),
        "Signature expired: 20261205T120000Z is now earlier than 20261205T120001Z (20261205T120501Z - 5 min.)"
    );
    assert_eq!(late.response_type(), "INVALID_SIGNATURE");
    let early = verify_at(&request, signed_at() - five - Duration::from_secs(1)).unwrap_err();
    assert_eq!(
        early.to_string(),
        "Signature not yet current: 20261205T120000Z is still later than 20261205T115959Z (20261205T115459Z + 5 min.)"
    );
    let wide = Verifier::new("us-east-1").with_clock_skew(Duration::from_secs(900));
    assert!(verify_with(&wide, &request, signed_at() + Duration::from_secs(899)).is_ok());
}

#[test]
fn any_change_breaks_the_signature() {
    let request = Client::default().sign(
        Request::post(format!("https://{HOST}/prod/pets?a=1"))
            .header("host", HOST)
            .header("content-type", "application/json")
            .body(b"{\"name\":\"Rex\"}".to_vec())
            .unwrap(),
    );
    assert!(verify(&request).is_ok());
    let mut body = request.clone();
    body.body_mut()[3] ^= 1;
    let mut path = request.clone();
    *path.uri_mut() = format!("https://{HOST}/prod/pets/?a=1").parse().unwrap();
    let mut query = request.clone();
    *query.uri_mut() = format!("https://{HOST}/prod/pets?a=2").parse().unwrap();
    let mut header = request.clone();
    header
        .headers_mut()
        .insert("content-type", "text/plain".parse().unwrap());
    let mut method = request.clone();
    *method.method_mut() = http::Method::PUT;
    for tampered in [body, path, query, header, method] {
        assert_eq!(
            verify(&tampered).unwrap_err(),
            SigV4Error::SignatureMismatch
        );
    }
    let mut unsigned = request.clone();
    unsigned
        .headers_mut()
        .insert("x-forwarded-for", "203.0.113.7".parse().unwrap());
    assert!(verify(&unsigned).is_ok());
}

#[test]
fn wrong_secret_and_unknown_key() {
    let request = Client::default().sign(get("/prod/pets"));
    let verifier = Verifier::new("us-east-1");
    let signed = SignedRequest::new(
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
    );
    let other = |_: &str| Some(SigningSecret::new("another secret"));
    assert_eq!(
        verifier.verify(&signed, signed_at(), &other).unwrap_err(),
        SigV4Error::SignatureMismatch
    );
    let unknown = Client {
        key: "AKIDUNKNOWN",
        ..Client::default()
    }
    .sign(get("/prod/pets"));
    let err = verify(&unknown).unwrap_err();
    assert_eq!(err, SigV4Error::UnknownAccessKey);
    assert_eq!(err.error_type(), "AccessDeniedException");
}

#[test]
fn session_tokens() {
    let temporary = Client {
        key: "ASIATEMPORARY",
        token: Some(TOKEN),
        ..Client::default()
    };
    let verified = verify(&temporary.sign(get("/p"))).unwrap();
    assert!(verified.session_token);
    let presigned = Client {
        presign: Some(Duration::from_secs(60)),
        ..temporary
    };
    assert!(verify(&presigned.sign(get("/p"))).is_ok());

    let wrong = Client {
        key: "ASIATEMPORARY",
        token: Some("another"),
        ..Client::default()
    };
    assert_eq!(
        verify(&wrong.sign(get("/p"))).unwrap_err(),
        SigV4Error::InvalidSessionToken
    );
    let missing = Client {
        key: "ASIATEMPORARY",
        ..Client::default()
    };
    assert_eq!(
        verify(&missing.sign(get("/p"))).unwrap_err(),
        SigV4Error::InvalidSessionToken
    );
    let unexpected = Client {
        token: Some(TOKEN),
        ..Client::default()
    };
    assert_eq!(
        verify(&unexpected.sign(get("/p"))).unwrap_err(),
        SigV4Error::InvalidSessionToken
    );

    let request = Client {
        key: "ASIATEMPORARY",
        token: Some(TOKEN),
        ..Client::default()
    }
    .sign(get("/p"));
    let signed = SignedRequest::new(
        request.method(),
        request.uri(),
        request.headers(),
        request.body(),
    );
    let expired = |_: &str| {
        Some(
            SigningSecret::new(SECRET)
                .with_session_token(TOKEN)
                .expiring_at(signed_at()),
        )
    };
    let err = Verifier::new("us-east-1")
        .verify(&signed, signed_at(), &expired)
        .unwrap_err();
    assert_eq!(err, SigV4Error::ExpiredSessionToken);
    assert_eq!(err.response_type(), "EXPIRED_TOKEN");
    let text = format!("{err} {err:?}");
    assert!(!text.contains(TOKEN) && !text.contains(SECRET), "{text}");
}

#[test]
fn the_scope_must_be_this_region_and_service() {
    let request = Client {
        region: "eu-west-1",
        service: "s3",
        ..Client::default()
    }
    .sign(get("/p"));
    let err = verify(&request).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'execute-api'. "
    );
    assert_eq!(err.response_type(), "INVALID_SIGNATURE");
    let elsewhere = Verifier::new("eu-west-1").with_service("s3");
    assert!(verify_with(&elsewhere, &request, signed_at()).is_ok());
}

#[test]
fn the_scope_date_must_be_the_request_date() {
    let mut request = Client::default().sign(get("/p"));
    let authorization = request.headers()["authorization"]
        .to_str()
        .unwrap()
        .replace("/20261205/", "/20261204/");
    request
        .headers_mut()
        .insert("authorization", authorization.parse().unwrap());
    assert_eq!(
        verify(&request).unwrap_err().to_string(),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261204' != '20261205', from '20261205T120000Z'."
    );
}

#[test]
fn host_must_be_signed_and_dates_well_formed() {
    let mut request = Client::default().sign(get("/p"));
    let authorization = request.headers()["authorization"]
        .to_str()
        .unwrap()
        .replace("SignedHeaders=host;", "SignedHeaders=");
    request
        .headers_mut()
        .insert("authorization", authorization.parse().unwrap());
    assert_eq!(verify(&request).unwrap_err(), SigV4Error::HostNotSigned);

    let mut request = Client::default().sign(get("/p"));
    request
        .headers_mut()
        .insert("x-amz-date", "2026-12-05T12:00:00Z".parse().unwrap());
    assert_eq!(
        verify(&request).unwrap_err().to_string(),
        "Date must be in ISO-8601 'basic format'. Got '2026-12-05T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"
    );
}

#[test]
fn no_signature_at_all() {
    let request = get("/prod/pets?type=dog");
    assert!(!is_signed(request.headers(), request.uri()));
    let err = verify(&request).unwrap_err();
    assert_eq!(err, SigV4Error::MissingAuthenticationToken);
    assert_eq!(err.to_string(), "Missing Authentication Token");
}

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
