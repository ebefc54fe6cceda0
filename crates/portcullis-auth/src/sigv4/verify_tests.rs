//! The verifier against requests signed by `aws-sigv4` as a client signs
//! them (default settings): every check, in order, and every answer.

use std::time::Duration;

use http::Request;

use super::*;
use crate::sigv4::is_signed;
use crate::sigv4::test_support::{
    Client, KEY, SECRET, TOKEN, get, signed_at, verify, verify_at, verify_with,
};

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
fn the_scope_must_end_with_aws4_request() {
    let mut request = Client::default().sign(get("/p"));
    let authorization = request.headers()["authorization"]
        .to_str()
        .unwrap()
        .replace("/aws4_request", "/aws4_reques");
    request
        .headers_mut()
        .insert("authorization", authorization.parse().unwrap());
    assert_eq!(
        verify(&request).unwrap_err().to_string(),
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. "
    );
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
