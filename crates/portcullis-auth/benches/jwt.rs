//! JWT verification beside its anchor, the `jsonwebtoken` crate (on ring
//! too): RS256 and ES256 signatures checked from scratch, then the cached
//! check a token seen before costs (goal: under 1 µs).

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{Criterion, criterion_group, criterion_main};
use portcullis_auth::jwt::{Algorithm, JwtAuthorizer, KeySet};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair, RsaKeyPair};
use serde_json::{Value, json};

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Bench";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A Cognito-sized ID token's claims.
fn claims() -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({
        "sub": "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "iss": ISSUER, "aud": "3n4b5urk1ft4fl3mg5e62d9ado",
        "cognito:username": "alice", "cognito:groups": ["admins", "developers"], "email": "alice@example.com",
        "email_verified": true, "token_use": "id", "auth_time": now, "iat": now, "exp": now + 3600,
        "event_id": "3fa7c1b2-9d1e-4c6f-8a0b-2e5d7f9c1a3b", "origin_jti": "b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e"
    })
}

fn sign(alg: &str, kid: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
    let header = json!({"alg": alg, "kid": kid});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims().to_string().as_bytes())
    );
    let signature = sign(input.as_bytes());
    format!("{input}.{}", b64(&signature))
}

fn bench(c: &mut Criterion) {
    let rng = SystemRandom::new();
    let rsa = RsaKeyPair::from_pkcs8(include_bytes!("../tests/keys/rsa2048.pk8")).unwrap();
    let rs256 = sign("RS256", "rsa", |input| {
        let mut sig = vec![0; rsa.public().modulus_len()];
        rsa.sign(&signature::RSA_PKCS1_SHA256, &rng, input, &mut sig)
            .unwrap();
        sig
    });
    let pkcs8 =
        EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let ec = EcdsaKeyPair::from_pkcs8(
        &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        pkcs8.as_ref(),
        &rng,
    )
    .unwrap();
    let es256 = sign("ES256", "ec", |input| {
        ec.sign(&rng, input).unwrap().as_ref().to_vec()
    });

    let mut rsa_jwk: Value =
        serde_json::from_str(include_str!("../tests/keys/rsa2048.jwk.json")).unwrap();
    rsa_jwk["kid"] = json!("rsa");
    let point = ec.public_key().as_ref();
    let (x, y) = (b64(&point[1..33]), b64(&point[33..]));
    let ec_jwk = json!({"kty": "EC", "crv": "P-256", "kid": "ec", "x": x, "y": y});
    let jwks = json!({"keys": [rsa_jwk.clone(), ec_jwk]}).to_string();
    let build = |cache: bool| {
        JwtAuthorizer::builder(ISSUER)
            .audiences(["3n4b5urk1ft4fl3mg5e62d9ado"])
            .algorithms([Algorithm::RS256, Algorithm::ES256])
            .keys(KeySet::from_json(jwks.as_bytes()).unwrap())
            .cache_tokens(cache)
            .build()
    };
    let uncached = build(false);
    let cached = build(true);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let verify = |authorizer: &JwtAuthorizer, token: &str| {
        runtime
            .block_on(authorizer.verify(black_box(token), SystemTime::now()))
            .unwrap()
    };

    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&["3n4b5urk1ft4fl3mg5e62d9ado"]);
    validation.set_issuer(&[ISSUER]);
    let rsa_key = jsonwebtoken::DecodingKey::from_rsa_components(
        rsa_jwk["n"].as_str().unwrap(),
        rsa_jwk["e"].as_str().unwrap(),
    )
    .unwrap();
    let ec_key = jsonwebtoken::DecodingKey::from_ec_components(&x, &y).unwrap();
    let mut ec_validation = validation.clone();
    ec_validation.algorithms = vec![jsonwebtoken::Algorithm::ES256];

    let mut group = c.benchmark_group("jwt");
    group.bench_function("rs256/portcullis", |b| b.iter(|| verify(&uncached, &rs256)));
    group.bench_function("rs256/jsonwebtoken", |b| {
        b.iter(|| jsonwebtoken::decode::<Value>(black_box(&rs256), &rsa_key, &validation).unwrap())
    });
    group.bench_function("es256/portcullis", |b| b.iter(|| verify(&uncached, &es256)));
    group.bench_function("es256/jsonwebtoken", |b| {
        b.iter(|| {
            jsonwebtoken::decode::<Value>(black_box(&es256), &ec_key, &ec_validation).unwrap()
        })
    });
    verify(&cached, &rs256);
    group.bench_function("cached/portcullis", |b| {
        b.iter(|| cached.cached(black_box(&rs256), SystemTime::now()).unwrap())
    });
    group.bench_function("cached/sha256_of_token", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(rs256.as_bytes())))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
