//! The verifier against requests signed by botocore, an implementation of
//! Signature Version 4 independent of the `aws-sigv4` crate the verifier
//! recomputes with.
//!
//! `tests/sigv4/botocore_sign.py` signs a fixed set of `execute-api`
//! requests (`SigV4Auth` and `SigV4QueryAuth`, at a fixed time) and prints
//! them as they go on the wire. Each must verify at that time, and each must
//! be refused once anything signed changes or the time leaves the window.
//!
//! The interpreter comes from `PORTCULLIS_PYTHON`, which `scripts/test.sh`
//! sets (with botocore installed in its venv).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use portcullis_auth::sigv4::{
    BodyCheck, Payload, SigV4Error, SignatureLocation, SignedRequest, SigningSecret, Verifier,
    is_signed,
};
use serde::Deserialize;

const REGION: &str = "us-east-1";

#[derive(Debug, Clone, Deserialize)]
struct Case {
    name: String,
    form: String,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body_base64: String,
    access_key: String,
    secret_key: String,
    token: Option<String>,
    signed_at: String,
    /// `body`, or `declared` when botocore signed `X-Amz-Content-SHA256`'s value.
    payload: String,
    expires: Option<u64>,
    /// `accepted`, or `refused` for a request API Gateway refuses too.
    expect: String,
}

/// A case as an `http` request.
#[derive(Debug, Clone)]
struct Wire {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Case {
    fn wire(&self) -> Wire {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            headers.append(
                HeaderName::try_from(name.as_str()).unwrap(),
                HeaderValue::try_from(value.as_str()).unwrap(),
            );
        }
        Wire {
            method: self.method.parse().unwrap(),
            uri: self.target.parse().unwrap(),
            headers,
            body: base64::engine::general_purpose::STANDARD
                .decode(&self.body_base64)
                .unwrap(),
        }
    }

    fn signed_at(&self) -> SystemTime {
        // 2026-12-05T12:00:00Z, the time botocore_sign.py pins.
        assert_eq!(self.signed_at, "20261205T120000Z");
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_472_000)
    }

    fn secret(&self) -> SigningSecret {
        let secret = SigningSecret::new(&self.secret_key);
        match &self.token {
            Some(token) => secret.with_session_token(token),
            None => secret,
        }
    }

    fn declared(&self) -> bool {
        self.payload == "declared"
    }

    fn verifier(&self) -> Verifier {
        // botocore's UNSIGNED-PAYLOAD case needs it; API Gateway does not allow it.
        Verifier::new(REGION).allow_unsigned_payload(self.declared())
    }

    fn verify(
        &self,
        wire: &Wire,
        now: SystemTime,
    ) -> Result<portcullis_auth::sigv4::Verified, SigV4Error> {
        self.verify_with(wire, now, &self.secret())
    }

    fn verify_with(
        &self,
        wire: &Wire,
        now: SystemTime,
        secret: &SigningSecret,
    ) -> Result<portcullis_auth::sigv4::Verified, SigV4Error> {
        let mut request = SignedRequest::new(&wire.method, &wire.uri, &wire.headers, &wire.body);
        if self.declared() && self.name != "unsigned_payload" {
            request = request.with_payload(Payload::Declared);
        }
        let key = self.access_key.clone();
        let lookup = move |id: &str| (id == key).then(|| secret.clone());
        self.verifier().verify(&request, now, &lookup)
    }
}

/// The interpreter with botocore, from `scripts/test.sh`. Its absence fails
/// the test: a verifier nobody else's signatures went through is not tested.
fn python() -> PathBuf {
    match std::env::var_os("PORTCULLIS_PYTHON") {
        Some(python) if !python.is_empty() => PathBuf::from(python),
        _ => panic!(
            "PORTCULLIS_PYTHON is not set: the SigV4 verifier is tested against requests signed \
             by botocore. Run scripts/test.sh, which installs botocore in target/py-venv and sets \
             PORTCULLIS_PYTHON."
        ),
    }
}

/// The cases botocore signed (once per test binary).
fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sigv4/botocore_sign.py");
        let output = Command::new(python())
            .arg(&script)
            .output()
            .expect("cannot run PORTCULLIS_PYTHON");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("No module named 'botocore'"),
            "PORTCULLIS_PYTHON has no botocore: run scripts/test.sh, which installs it \
             (scripts/requirements-test.txt)"
        );
        assert!(output.status.success(), "botocore_sign.py failed: {stderr}");
        let cases: Vec<Case> = serde_json::from_slice(&output.stdout).unwrap();
        assert!(cases.len() >= 20, "only {} cases", cases.len());
        cases
    })
}

fn case(name: &str) -> &'static Case {
    cases().iter().find(|case| case.name == name).unwrap()
}

/// The cases API Gateway accepts.
fn accepted() -> impl Iterator<Item = &'static Case> {
    cases().iter().filter(|case| case.expect == "accepted")
}

#[test]
fn every_botocore_signature_verifies() {
    for case in accepted() {
        let wire = case.wire();
        assert!(is_signed(&wire.headers, &wire.uri), "{}", case.name);
        let verified = case
            .verify(&wire, case.signed_at() + Duration::from_secs(1))
            .unwrap_or_else(|err| panic!("{}: {err}", case.name));
        assert_eq!(verified.access_key_id, case.access_key, "{}", case.name);
        assert_eq!(verified.signed_at, case.signed_at(), "{}", case.name);
        assert_eq!(verified.scope_date, "20261205");
        assert_eq!(
            verified.session_token,
            case.token.is_some(),
            "{}",
            case.name
        );
        let location = match case.form.as_str() {
            "header" => SignatureLocation::Header,
            _ => SignatureLocation::Query,
        };
        assert_eq!(verified.location, location, "{}", case.name);
    }
}

/// The request with its path, a query value, the method or a signed header
/// changed: each must be refused as a mismatch.
#[test]
fn any_signed_change_is_refused() {
    for case in accepted() {
        let now = case.signed_at();
        let wire = case.wire();
        let mut changed = Vec::new();

        let mut path = wire.clone();
        let target = match case.target.split_once('?') {
            Some((path, query)) => format!("{path}x?{query}"),
            None => format!("{}x", case.target),
        };
        path.uri = target.parse().unwrap();
        changed.push(("path", path));

        let query = wire.uri.query().unwrap_or_default();
        if let Some(pair) = query
            .split('&')
            .find(|pair| !pair.is_empty() && !pair.starts_with("X-Amz-"))
        {
            let mut edited = wire.clone();
            let target = case.target.replacen(pair, &format!("{pair}0"), 1);
            edited.uri = target.parse().unwrap();
            changed.push(("query value", edited));
        }

        let mut method = wire.clone();
        method.method = if wire.method == Method::GET {
            Method::HEAD
        } else {
            Method::GET
        };
        changed.push(("method", method));

        let signed = signed_headers(case);
        for name in signed.iter().filter(|name| {
            !matches!(
                name.as_str(),
                "x-amz-date" | "date" | "x-amz-security-token"
            )
        }) {
            let mut header = wire.clone();
            let value = header
                .headers
                .get(name.as_str())
                .map_or(String::new(), |value| value.to_str().unwrap().to_owned());
            header.headers.insert(
                HeaderName::try_from(name.as_str()).unwrap(),
                HeaderValue::try_from(format!("{value}0")).unwrap(),
            );
            changed.push(("signed header", header));
        }

        for (what, request) in changed {
            assert_eq!(
                case.verify(&request, now),
                Err(SigV4Error::SignatureMismatch),
                "{}: {what} changed",
                case.name
            );
        }
    }
}

/// The header names a case signed, from its Authorization header or
/// `X-Amz-SignedHeaders`.
fn signed_headers(case: &Case) -> Vec<String> {
    let list = match case
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
    {
        Some((_, value)) => value
            .split("SignedHeaders=")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_owned(),
        None => case
            .target
            .split("X-Amz-SignedHeaders=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap()
            .replace("%3B", ";"),
    };
    list.split(';').map(str::to_owned).collect()
}

#[test]
fn a_changed_body_is_refused() {
    for case in accepted().filter(|case| !case.declared()) {
        let mut wire = case.wire();
        match wire.body.first_mut() {
            Some(byte) => *byte ^= 1,
            None => wire.body.push(b'x'),
        }
        assert_eq!(
            case.verify(&wire, case.signed_at()),
            Err(SigV4Error::SignatureMismatch),
            "{}",
            case.name
        );
    }
}

#[test]
fn another_secret_is_refused() {
    for case in accepted() {
        let mut other = SigningSecret::new(format!("{}x", case.secret_key));
        if let Some(token) = &case.token {
            other = other.with_session_token(token);
        }
        assert_eq!(
            case.verify_with(&case.wire(), case.signed_at(), &other),
            Err(SigV4Error::SignatureMismatch),
            "{}",
            case.name
        );
    }
}

#[test]
fn times_outside_the_window_are_refused() {
    for case in accepted() {
        let wire = case.wire();
        let at = case.signed_at();
        let lifetime = Duration::from_secs(case.expires.unwrap_or(300));
        assert!(case.verify(&wire, at + lifetime).is_ok(), "{}", case.name);
        assert!(
            case.verify(&wire, at - Duration::from_secs(300)).is_ok(),
            "{}",
            case.name
        );
        let late = case.verify(&wire, at + lifetime + Duration::from_secs(1));
        assert!(
            matches!(late, Err(SigV4Error::SignatureExpired { .. })),
            "{}: {late:?}",
            case.name
        );
        let early = case.verify(&wire, at - Duration::from_secs(301));
        assert!(
            matches!(early, Err(SigV4Error::SignatureNotYetCurrent { .. })),
            "{}: {early:?}",
            case.name
        );
    }
}

/// botocore signs a query as it is sent; API Gateway decodes it (`+` is a
/// space) and encodes it again the canonical way before checking, and so
/// does the verifier: a query sent otherwise encoded is refused.
#[test]
fn queries_are_checked_in_their_canonical_encoding() {
    let refused: Vec<&Case> = cases()
        .iter()
        .filter(|case| case.expect == "refused")
        .collect();
    assert_eq!(refused.len(), 2);
    for case in refused {
        assert_eq!(
            case.verify(&case.wire(), case.signed_at()),
            Err(SigV4Error::SignatureMismatch),
            "{}",
            case.name
        );
    }
    // The same query given to botocore as parameters: signed canonically,
    // sent with `+` for spaces. Accepted.
    let params = case("params_form");
    assert!(params.target.contains("q=a+b%2A"), "{}", params.target);
    assert!(params.verify(&params.wire(), params.signed_at()).is_ok());
}

#[test]
fn presigned_urls_expire_after_x_amz_expires() {
    let day = case("presigned_get");
    assert_eq!(day.expires, Some(300));
    let err = day
        .verify(&day.wire(), day.signed_at() + Duration::from_secs(301))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Signature expired: 20261205T120000Z is now earlier than 20261205T120001Z (20261205T120501Z - 5 min.)"
    );
    let week = case("presigned_unicode_path");
    assert_eq!(week.expires, Some(604_800));
    assert!(
        week.verify(
            &week.wire(),
            week.signed_at() + Duration::from_secs(604_800)
        )
        .is_ok()
    );
}

#[test]
fn payload_signing_choices() {
    // botocore signed UNSIGNED-PAYLOAD: refused unless the verifier allows it.
    let unsigned = case("unsigned_payload");
    let wire = unsigned.wire();
    let request = SignedRequest::new(&wire.method, &wire.uri, &wire.headers, &wire.body);
    let lookup = |_: &str| Some(unsigned.secret());
    let now = unsigned.signed_at();
    assert_eq!(
        Verifier::new(REGION).verify(&request, now, &lookup),
        Err(SigV4Error::SignatureMismatch)
    );
    let verified = unsigned.verify(&wire, now).unwrap();
    assert_eq!(verified.body, BodyCheck::Unsigned);

    // botocore signed the client's X-Amz-Content-SHA256 in place of the
    // body: verifiable without the body, and the caller learns the digest.
    let declared = case("declared_sha256");
    let verified = declared.verify(&declared.wire(), now).unwrap();
    let digest = declared
        .headers
        .iter()
        .find(|(name, _)| name == "X-Amz-Content-SHA256")
        .unwrap();
    assert_eq!(verified.body, BodyCheck::Declared(digest.1.clone()));
    // With the body at hand its own hash counts, and it is not that digest.
    let wire = declared.wire();
    let request = SignedRequest::new(&wire.method, &wire.uri, &wire.headers, &wire.body);
    let lookup = |_: &str| Some(declared.secret());
    assert_eq!(
        Verifier::new(REGION).verify(&request, now, &lookup),
        Err(SigV4Error::SignatureMismatch)
    );
}

#[test]
fn session_tokens_must_be_the_keys() {
    for case in accepted().filter(|case| case.token.is_some()) {
        let wrong = SigningSecret::new(&case.secret_key).with_session_token("another token");
        assert_eq!(
            case.verify_with(&case.wire(), case.signed_at(), &wrong),
            Err(SigV4Error::InvalidSessionToken),
            "{}",
            case.name
        );
        let expired = case.secret().expiring_at(case.signed_at());
        assert_eq!(
            case.verify_with(&case.wire(), case.signed_at(), &expired),
            Err(SigV4Error::ExpiredSessionToken),
            "{}",
            case.name
        );
    }
}
