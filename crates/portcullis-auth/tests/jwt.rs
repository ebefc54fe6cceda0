//! JWT authorizers against tokens signed here with `ring` (RSA from a
//! committed test key, ECDSA from a key made per run) and keys served by an
//! in-process `Fetch` that counts what it is asked.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use portcullis_auth::fetch::{BoxFuture, Fetch, FetchError};
use portcullis_auth::jwt::{Algorithm, JwtAuthorizer, JwtError, KeyLocation, KeySet};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

const ISSUER: &str = "https://issuer.example.com";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn rsa_key() -> RsaKeyPair {
    RsaKeyPair::from_pkcs8(include_bytes!("keys/rsa2048.pk8")).unwrap()
}

fn rsa_jwk(kid: &str) -> Value {
    let mut jwk: Value = serde_json::from_str(include_str!("keys/rsa2048.jwk.json")).unwrap();
    jwk["kid"] = json!(kid);
    jwk
}

fn ec_key() -> (EcdsaKeyPair, Value) {
    let rng = SystemRandom::new();
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .unwrap();
    let point = pair.public_key().as_ref();
    let jwk =
        json!({"kty":"EC","crv":"P-256","kid":"ec","x":b64(&point[1..33]),"y":b64(&point[33..])});
    (pair, jwk)
}

fn unsigned(alg: &str, kid: &str, claims: &Value) -> String {
    let header = json!({"alg": alg, "kid": kid, "typ": "JWT"});
    format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

fn rs256(kid: &str, claims: &Value) -> String {
    let input = unsigned("RS256", kid, claims);
    let key = rsa_key();
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{input}.{}", b64(&sig))
}

fn es256(key: &EcdsaKeyPair, claims: &Value) -> String {
    let input = unsigned("ES256", "ec", claims);
    let sig = key.sign(&SystemRandom::new(), input.as_bytes()).unwrap();
    format!("{input}.{}", b64(sig.as_ref()))
}

fn claims() -> Value {
    json!({"iss": ISSUER, "aud": "app", "sub": "alice", "exp": now() + 600, "iat": now() - 5,
           "scope": "pets.read pets.write", "groups": ["admin", "dev"]})
}

fn keys(jwks: &[Value]) -> KeySet {
    KeySet::from_json(json!({ "keys": jwks }).to_string().as_bytes()).unwrap()
}

fn authorizer(jwks: &[Value]) -> JwtAuthorizer {
    JwtAuthorizer::builder(ISSUER)
        .audiences(["app"])
        .keys(keys(jwks))
        .build()
}

#[tokio::test]
async fn accepts_a_good_token_and_renders_its_claims() {
    let authorizer = authorizer(&[rsa_jwk("k1")]);
    let token = rs256("k1", &claims());
    let verified = authorizer.verify(&token, SystemTime::now()).await.unwrap();
    assert_eq!(verified.claims()["sub"], "alice");
    assert_eq!(verified.scopes(), ["pets.read", "pets.write"]);
    let rendered: HashMap<_, _> = verified.rendered_claims().iter().cloned().collect();
    assert_eq!(rendered["groups"], "[admin dev]");
    assert_eq!(rendered["exp"], (now() + 600).to_string());
    assert!(
        verified
            .require_scopes(&["pets.write".into(), "x".into()])
            .is_ok()
    );
    assert!(matches!(
        verified.require_scopes(&["admin".into()]),
        Err(JwtError::InsufficientScope { .. })
    ));
    // Seen again: the same verified token, from the cache.
    let again = authorizer.verify(&token, SystemTime::now()).await.unwrap();
    assert!(Arc::ptr_eq(&verified, &again));
}

#[tokio::test]
async fn refuses_forged_and_tampered_tokens() {
    let authorizer = authorizer(&[rsa_jwk("k1")]);
    let token = rs256("k1", &claims());
    let (head, rest) = token.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();

    let mut other = claims();
    other["sub"] = json!("mallory");
    let swapped = format!("{head}.{}.{sig}", b64(other.to_string().as_bytes()));
    assert_eq!(
        authorizer
            .verify(&swapped, SystemTime::now())
            .await
            .unwrap_err(),
        JwtError::BadSignature
    );

    let none = format!("{}.", unsigned("none", "k1", &other));
    let none = format!("{none}{}", b64(b"x"));
    assert!(matches!(
        authorizer.verify(&none, SystemTime::now()).await,
        Err(JwtError::UnsupportedAlgorithm(alg)) if alg == "none"
    ));
    // HMAC keyed with the public key's bytes: the classic confusion.
    let hs = format!("{}.{}", unsigned("HS256", "k1", &other), b64(b"mac"));
    assert!(matches!(
        authorizer.verify(&hs, SystemTime::now()).await,
        Err(JwtError::UnsupportedAlgorithm(_))
    ));
    let unknown_kid = rs256("k2", &claims());
    assert_eq!(
        authorizer
            .verify(&unknown_kid, SystemTime::now())
            .await
            .unwrap_err(),
        JwtError::UnknownKey(Some("k2".into()))
    );
}

#[tokio::test]
async fn checks_claims_after_the_signature() {
    let authorizer = authorizer(&[rsa_jwk("k1")]);
    let cases: [(&str, Value, JwtError); 4] = [
        ("aud", json!("other"), JwtError::WrongAudience),
        (
            "iss",
            json!("https://evil.example.com"),
            JwtError::WrongIssuer,
        ),
        ("exp", json!(now() - 1), JwtError::Expired),
        ("nbf", json!(now() + 60), JwtError::NotYetValid),
    ];
    for (claim, value, expected) in cases {
        let mut c = claims();
        c[claim] = value;
        let refused = authorizer.verify(&rs256("k1", &c), SystemTime::now()).await;
        assert_eq!(refused.unwrap_err(), expected, "{claim}");
    }
    // A cached token stops verifying at its exp.
    let mut c = claims();
    c["exp"] = json!(now() + 2);
    let token = rs256("k1", &c);
    authorizer.verify(&token, SystemTime::now()).await.unwrap();
    let later = SystemTime::now() + Duration::from_secs(3);
    assert_eq!(
        authorizer.verify(&token, later).await.unwrap_err(),
        JwtError::Expired
    );
}

#[tokio::test]
async fn ecdsa_only_when_enabled_and_never_with_a_mismatched_key() {
    let (ec, ec_jwk) = ec_key();
    let token = es256(&ec, &claims());
    let aws = authorizer(&[ec_jwk.clone(), rsa_jwk("k1")]);
    assert_eq!(
        aws.verify(&token, SystemTime::now()).await.unwrap_err(),
        JwtError::AlgorithmNotAllowed(Algorithm::ES256)
    );
    let extended = JwtAuthorizer::builder(ISSUER)
        .audiences(["app"])
        .algorithms([Algorithm::RS256, Algorithm::ES256])
        .keys(keys(&[ec_jwk, rsa_jwk("k1")]))
        .build();
    assert!(extended.verify(&token, SystemTime::now()).await.is_ok());
    // An RS256 token naming the EC key's kid.
    let confused = rs256("ec", &claims());
    assert!(matches!(
        extended.verify(&confused, SystemTime::now()).await,
        Err(JwtError::KeyMismatch { .. })
    ));
}

#[tokio::test]
async fn malformed_input_is_refused_without_panicking() {
    let authorizer = authorizer(&[rsa_jwk("k1")]);
    for token in [
        "",
        ".",
        "..",
        "a.b.c",
        "eyJ.eyJ.eyJ",
        "\u{0}.\u{0}.\u{0}",
        &"A".repeat(20_000),
    ] {
        assert!(
            authorizer.verify(token, SystemTime::now()).await.is_err(),
            "{token:?}"
        );
    }
}

/// Serves documents from a map, counting requests; optionally slow.
#[derive(Default)]
struct Documents {
    served: Mutex<HashMap<String, Vec<u8>>>,
    requests: AtomicUsize,
    delay: Option<Duration>,
}

impl Documents {
    fn put(&self, url: &str, body: Value) {
        self.served
            .lock()
            .unwrap()
            .insert(url.to_owned(), body.to_string().into_bytes());
    }
}

impl Fetch for Documents {
    fn get<'a>(&'a self, url: &'a str, limit: usize) -> BoxFuture<'a, Result<Bytes, FetchError>> {
        Box::pin(async move {
            self.requests.fetch_add(1, Ordering::SeqCst);
            if let Some(delay) = self.delay {
                tokio::time::sleep(delay).await;
            }
            let body = self.served.lock().unwrap().get(url).cloned();
            match body {
                Some(body) if body.len() <= limit => Ok(Bytes::from(body)),
                Some(_) => Err(FetchError("too large".into())),
                None => Err(FetchError("404".into())),
            }
        })
    }
}

const DISCOVERY: &str = "https://issuer.example.com/.well-known/openid-configuration";
const JWKS: &str = "https://issuer.example.com/keys";

#[tokio::test(start_paused = true)]
async fn keys_come_from_discovery_and_refresh_on_an_unknown_kid_at_a_bounded_rate() {
    let documents = Arc::new(Documents::default());
    documents.put(DISCOVERY, json!({"issuer": ISSUER, "jwks_uri": JWKS}));
    documents.put(JWKS, json!({"keys": [rsa_jwk("k1")]}));
    let authorizer = JwtAuthorizer::builder(ISSUER)
        .audiences(["app"])
        .fetch_keys(documents.clone(), KeyLocation::for_issuer(ISSUER))
        .build();
    authorizer
        .verify(&rs256("k1", &claims()), SystemTime::now())
        .await
        .unwrap();
    assert_eq!(
        documents.requests.load(Ordering::SeqCst),
        2,
        "discovery, then the JWKS"
    );

    // Rotation: k2 appears. The first token naming it triggers one refresh.
    documents.put(JWKS, json!({"keys": [rsa_jwk("k1"), rsa_jwk("k2")]}));
    tokio::time::advance(Duration::from_secs(11)).await;
    authorizer
        .verify(&rs256("k2", &claims()), SystemTime::now())
        .await
        .unwrap();
    let after_rotation = documents.requests.load(Ordering::SeqCst);
    assert_eq!(after_rotation, 4);

    // A flood of made-up kids costs at most one fetch per interval.
    for i in 0..50 {
        let refused = authorizer
            .verify(&rs256(&format!("x{i}"), &claims()), SystemTime::now())
            .await;
        assert!(matches!(refused, Err(JwtError::UnknownKey(_))));
    }
    assert!(documents.requests.load(Ordering::SeqCst) <= after_rotation + 2);
    // Known keys keep working meanwhile.
    let mut c = claims();
    c["sub"] = json!("bob");
    authorizer
        .verify(&rs256("k1", &c), SystemTime::now())
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_slow_issuer_is_given_up_on_after_api_gateways_bound() {
    let documents = Arc::new(Documents {
        delay: Some(Duration::from_secs(5)),
        ..Documents::default()
    });
    documents.put(JWKS, json!({"keys": [rsa_jwk("k1")]}));
    let authorizer = JwtAuthorizer::builder(ISSUER)
        .fetch_keys(documents.clone(), KeyLocation::Jwks(JWKS.into()))
        .build();
    let started = tokio::time::Instant::now();
    let refused = authorizer
        .verify(&rs256("k1", &claims()), SystemTime::now())
        .await;
    assert!(
        matches!(refused, Err(JwtError::KeysUnavailable(ref why)) if why.contains("1.5s")),
        "{refused:?}"
    );
    assert_eq!(started.elapsed(), Duration::from_millis(1_500));
}

#[tokio::test]
async fn plain_http_issuers_only_on_loopback() {
    let documents = Arc::new(Documents::default());
    let url = "http://issuer.example.com/keys";
    documents.put(url, json!({"keys": [rsa_jwk("k1")]}));
    let authorizer = JwtAuthorizer::builder(ISSUER)
        .fetch_keys(documents.clone(), KeyLocation::Jwks(url.into()))
        .build();
    let refused = authorizer
        .verify(&rs256("k1", &claims()), SystemTime::now())
        .await;
    assert!(
        matches!(refused, Err(JwtError::KeysUnavailable(ref why)) if why.contains("loopback")),
        "{refused:?}"
    );
    assert_eq!(documents.requests.load(Ordering::SeqCst), 0);
}

#[test]
fn cognito_methods_need_the_right_kind_of_token() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let authorizer = JwtAuthorizer::builder(ISSUER)
        .keys(keys(&[rsa_jwk("k1")]))
        .build();
    let mut id = claims();
    id["token_use"] = json!("id");
    let mut access = claims();
    access["token_use"] = json!("access");
    let id = runtime
        .block_on(authorizer.verify(&rs256("k1", &id), SystemTime::now()))
        .unwrap();
    let access = runtime
        .block_on(authorizer.verify(&rs256("k1", &access), SystemTime::now()))
        .unwrap();
    assert!(id.require_cognito(&[]).is_ok());
    assert!(matches!(
        access.require_cognito(&[]),
        Err(JwtError::WrongTokenUse { .. })
    ));
    assert!(access.require_cognito(&["pets.read".into()]).is_ok());
    assert!(matches!(
        id.require_cognito(&["pets.read".into()]),
        Err(JwtError::WrongTokenUse { .. })
    ));
    assert!(matches!(
        access.require_cognito(&["x".into()]),
        Err(JwtError::InsufficientScope { .. })
    ));
}
