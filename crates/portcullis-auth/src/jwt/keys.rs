//! JSON Web Keys (RFC 7517) turned into `ring` verification keys once, when
//! a key set is loaded, so verifying a token does no key parsing.

use std::collections::HashMap;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;

use super::algorithm::Algorithm;
use super::error::JwtError;

/// API Gateway's bound on a JWKS response (HTTP API quotas).
pub const MAX_JWKS_BYTES: usize = 150_000;

/// A verification key, parsed.
#[derive(Debug)]
enum PublicKey {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    P256(Vec<u8>),
    P384(Vec<u8>),
}

/// One key of a set: its id, what it may verify and the key itself.
#[derive(Debug)]
pub(crate) struct Key {
    kid: Option<String>,
    /// The JWK's `alg`, when it pins one.
    alg: Option<Algorithm>,
    key: PublicKey,
}

impl Key {
    /// Verifies `signature` over `message` with `algorithm`.
    pub(crate) fn verify(
        &self,
        algorithm: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), JwtError> {
        let mismatch = || JwtError::KeyMismatch {
            kid: self.kid.clone(),
            alg: algorithm,
        };
        if self.alg.is_some_and(|pinned| pinned != algorithm) {
            return Err(mismatch());
        }
        use Algorithm::*;
        let verified = match (&self.key, algorithm) {
            (PublicKey::Rsa { n, e }, RS256 | RS384 | RS512 | PS256 | PS384 | PS512) => {
                let params: &signature::RsaParameters = match algorithm {
                    RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
                    RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
                    RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
                    PS256 => &signature::RSA_PSS_2048_8192_SHA256,
                    PS384 => &signature::RSA_PSS_2048_8192_SHA384,
                    _ => &signature::RSA_PSS_2048_8192_SHA512,
                };
                RsaPublicKeyComponents { n, e }.verify(params, message, signature)
            }
            (PublicKey::P256(point), ES256) => {
                UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                    .verify(message, signature)
            }
            (PublicKey::P384(point), ES384) => {
                UnparsedPublicKey::new(&signature::ECDSA_P384_SHA384_FIXED, point)
                    .verify(message, signature)
            }
            _ => return Err(mismatch()),
        };
        verified.map_err(|_| JwtError::BadSignature)
    }
}

/// A key set: the keys by `kid`, plus those without one.
#[derive(Debug, Default)]
pub struct KeySet {
    by_kid: HashMap<String, Arc<Key>>,
    anonymous: Vec<Arc<Key>>,
    /// Keys of the document that could not be used, with why (logged by the loader).
    skipped: Vec<String>,
}

impl KeySet {
    /// Parses a JWKS document (`{"keys": [...]}`). Keys of other types or
    /// uses (`use: enc`, symmetric keys, unknown curves) are skipped, not
    /// errors: issuers publish them beside their signing keys.
    ///
    /// # Errors
    /// The document is over [`MAX_JWKS_BYTES`], not JSON, or has no `keys` array.
    pub fn from_json(document: &[u8]) -> Result<Self, KeySetError> {
        if document.len() > MAX_JWKS_BYTES {
            return Err(KeySetError::TooLarge(document.len()));
        }
        #[derive(Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document =
            serde_json::from_slice(document).map_err(|e| KeySetError::NotJwks(e.to_string()))?;
        let mut set = KeySet::default();
        for (index, jwk) in document.keys.into_iter().enumerate() {
            match parse_jwk(jwk) {
                Ok(key) => {
                    let key = Arc::new(key);
                    match &key.kid {
                        Some(kid) => {
                            set.by_kid.insert(kid.clone(), key);
                        }
                        None => set.anonymous.push(key),
                    }
                }
                Err(why) => set.skipped.push(format!("key {index}: {why}")),
            }
        }
        Ok(set)
    }

    /// The key for a token's `kid`. A token without `kid` may use a key
    /// without one, when the set has exactly one such key.
    pub(crate) fn find(&self, kid: Option<&str>) -> Option<&Arc<Key>> {
        match kid {
            Some(kid) => self.by_kid.get(kid),
            None if self.anonymous.len() == 1 => self.anonymous.first(),
            None => None,
        }
    }

    /// How many usable keys the set holds.
    pub fn len(&self) -> usize {
        self.by_kid.len() + self.anonymous.len()
    }

    /// Whether the set holds no usable key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys that were skipped, with the reason for each.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }
}

/// A JWKS document that cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeySetError {
    /// Over API Gateway's bound.
    #[error("the JWKS is {0} bytes, over the {MAX_JWKS_BYTES} byte limit")]
    TooLarge(usize),
    /// Not a JWKS document.
    #[error("not a JWKS document (a JSON object with a `keys` array): {0}")]
    NotJwks(String),
}

fn parse_jwk(jwk: serde_json::Value) -> Result<Key, String> {
    let field = |name: &str| jwk.get(name).and_then(serde_json::Value::as_str);
    if field("use").is_some_and(|u| u != "sig") {
        return Err("not a signing key (use is not sig)".to_owned());
    }
    let bytes = |name: &str| -> Result<Vec<u8>, String> {
        let text = field(name).ok_or_else(|| format!("no `{name}`"))?;
        URL_SAFE_NO_PAD
            .decode(text.trim_end_matches('='))
            .map_err(|_| format!("`{name}` is not base64url"))
    };
    let alg = match field("alg") {
        None => None,
        Some(name) => {
            Some(Algorithm::from_name(name).ok_or_else(|| format!("alg {name} is not supported"))?)
        }
    };
    let key = match field("kty") {
        Some("RSA") => {
            let n = bytes("n")?;
            let e = bytes("e")?;
            PublicKey::Rsa {
                n: strip_leading_zeros(n),
                e: strip_leading_zeros(e),
            }
        }
        Some("EC") => {
            let (x, y) = (bytes("x")?, bytes("y")?);
            let (size, p384) = match field("crv") {
                Some("P-256") => (32, false),
                Some("P-384") => (48, true),
                other => return Err(format!("curve {other:?} is not supported")),
            };
            if x.len() != size || y.len() != size {
                return Err("x or y has the wrong length for the curve".to_owned());
            }
            let mut point = Vec::with_capacity(1 + 2 * size);
            point.push(0x04);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            if p384 {
                PublicKey::P384(point)
            } else {
                PublicKey::P256(point)
            }
        }
        other => return Err(format!("key type {other:?} is not supported")),
    };
    Ok(Key {
        kid: field("kid").map(str::to_owned),
        alg,
        key,
    })
}

fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros.min(bytes.len().saturating_sub(1)));
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_signing_keys_and_says_why_others_were_skipped() {
        let set = KeySet::from_json(
            br#"{"keys":[
                {"kty":"RSA","kid":"r1","n":"AQAB","e":"AQAB","alg":"RS256","use":"sig"},
                {"kty":"RSA","kid":"enc","n":"AQAB","e":"AQAB","use":"enc"},
                {"kty":"oct","kid":"h","k":"c2VjcmV0"},
                {"kty":"EC","kid":"e1","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
                {"kty":"EC","kid":"e2","crv":"P-521","x":"AA","y":"AA"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(set.len(), 2);
        assert!(set.find(Some("r1")).is_some());
        assert!(set.find(Some("e1")).is_some());
        assert!(set.find(Some("h")).is_none());
        assert!(set.find(None).is_none());
        assert_eq!(set.skipped().len(), 3, "{:?}", set.skipped());
    }

    #[test]
    fn refuses_what_is_not_a_key_set() {
        assert!(matches!(
            KeySet::from_json(b"[]"),
            Err(KeySetError::NotJwks(_))
        ));
        let big = vec![b' '; MAX_JWKS_BYTES + 1];
        assert!(
            matches!(KeySet::from_json(&big), Err(KeySetError::TooLarge(n)) if n == MAX_JWKS_BYTES + 1)
        );
    }

    #[test]
    fn a_key_pinned_to_one_algorithm_refuses_another() {
        let set = KeySet::from_json(
            br#"{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB","alg":"RS256"}]}"#,
        )
        .unwrap();
        let key = set.find(Some("r")).unwrap();
        assert!(matches!(
            key.verify(Algorithm::RS512, b"m", b"s"),
            Err(JwtError::KeyMismatch { .. })
        ));
        assert!(matches!(
            key.verify(Algorithm::ES256, b"m", b"s"),
            Err(JwtError::KeyMismatch { .. })
        ));
        assert_eq!(
            key.verify(Algorithm::RS256, b"m", b"s"),
            Err(JwtError::BadSignature)
        );
    }
}
