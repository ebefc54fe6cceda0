//! JWT verification on arbitrary input: the bytes before the first NUL are
//! a JWKS document (the fixed test key when they are not one), the rest the
//! token. Nothing may panic, and nothing may verify: ring refuses RSA keys
//! under 2048 bits and the fuzzer cannot forge a signature for any key it
//! writes, so a token that verifies would be a signature check skipped.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use portcullis_auth::jwt::{Algorithm, JwtAuthorizer, KeySet, unverified_issuer};

const TEST_KEY: &str = include_str!("../../tests/keys/rsa2048.jwk.json");

fuzz_target!(|data: &[u8]| {
    let (jwks, token) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (&[][..], data),
    };
    let keys = KeySet::from_json(jwks).unwrap_or_else(|_| {
        KeySet::from_json(format!("{{\"keys\":[{TEST_KEY}]}}").as_bytes()).unwrap()
    });
    let token = String::from_utf8_lossy(token);
    let _ = unverified_issuer(&token);
    let authorizer = JwtAuthorizer::builder("https://issuer.example.com")
        .audiences(["app"])
        .algorithms([Algorithm::RS256, Algorithm::ES256, Algorithm::PS256, Algorithm::ES384])
        .keys(keys)
        .build();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let now = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
    if let Ok(verified) = runtime.block_on(authorizer.verify(&token, now)) {
        panic!("a fuzzed token verified: {:?}", verified.claims());
    }
});
