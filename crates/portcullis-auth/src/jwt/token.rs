//! The compact JWS form (`header.payload.signature`), taken apart without
//! trusting any of it: sizes bounded, every part base64url without padding,
//! header and payload JSON objects.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::algorithm::Algorithm;
use super::error::JwtError;

/// Tokens longer than this are refused before any decoding. API Gateway's
/// own header limits keep real tokens far below it; Cognito ID tokens with
/// many groups reach a few kilobytes.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

#[derive(Deserialize)]
struct RawHeader {
    alg: Option<String>,
    kid: Option<String>,
    crit: Option<Value>,
}

/// A token taken apart; nothing in it is verified yet.
#[derive(Debug)]
pub(crate) struct Parsed<'t> {
    /// `header.payload`: the bytes the signature covers.
    pub(crate) signing_input: &'t [u8],
    pub(crate) signature: Vec<u8>,
    pub(crate) algorithm: Algorithm,
    pub(crate) kid: Option<String>,
    pub(crate) claims: Map<String, Value>,
}

/// Splits and decodes a compact JWS.
pub(crate) fn parse(token: &str) -> Result<Parsed<'_>, JwtError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(JwtError::TooLarge { len: token.len() });
    }
    let mut parts = token.splitn(4, '.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed("a JWT has three dot-separated parts"));
    };
    let header_json = decode(header, "header")?;
    let header: RawHeader = serde_json::from_slice(&header_json)
        .map_err(|_| JwtError::Malformed("the header is not a JSON object"))?;
    if header.crit.is_some() {
        // RFC 7515 §4.1.11: extensions we do not understand must not be ignored.
        return Err(JwtError::Malformed(
            "the header has critical extensions (crit)",
        ));
    }
    let alg = header
        .alg
        .ok_or(JwtError::Malformed("the header has no alg"))?;
    let algorithm = Algorithm::from_name(&alg).ok_or(JwtError::UnsupportedAlgorithm(alg))?;
    let claims = decode(payload, "payload")?;
    let claims: Map<String, Value> = serde_json::from_slice(&claims)
        .map_err(|_| JwtError::Malformed("the payload is not a JSON object"))?;
    let signature = decode(signature, "signature")?;
    if signature.is_empty() {
        return Err(JwtError::Malformed("the signature is empty"));
    }
    let signing_input = &token.as_bytes()[..header_len_plus_payload(token)];
    Ok(Parsed {
        signing_input,
        signature,
        algorithm,
        kid: header.kid,
        claims,
    })
}

fn header_len_plus_payload(token: &str) -> usize {
    token.rfind('.').unwrap_or(token.len())
}

fn decode(part: &str, what: &'static str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD.decode(part).map_err(|_| match what {
        "header" => JwtError::Malformed("the header is not base64url"),
        "payload" => JwtError::Malformed("the payload is not base64url"),
        _ => JwtError::Malformed("the signature is not base64url"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(text: &str) -> String {
        URL_SAFE_NO_PAD.encode(text)
    }

    #[test]
    fn takes_a_token_apart() {
        let token = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256","kid":"k1"}"#),
            b64(r#"{"sub":"alice"}"#),
            b64("sig")
        );
        let parsed = parse(&token).unwrap();
        assert_eq!(parsed.algorithm, Algorithm::RS256);
        assert_eq!(parsed.kid.as_deref(), Some("k1"));
        assert_eq!(parsed.claims["sub"], "alice");
        assert_eq!(parsed.signature, b"sig");
        assert!(token.starts_with(std::str::from_utf8(parsed.signing_input).unwrap()));
        assert_eq!(
            parsed.signing_input.iter().filter(|b| **b == b'.').count(),
            1
        );
    }

    #[test]
    fn refuses_what_is_not_a_signed_token() {
        let body = b64(r#"{"sub":"alice"}"#);
        let cases = [
            ("", "three"),
            ("a.b", "three"),
            ("a.b.c.d", "three"),
            (
                &format!("{}.{body}.{}", b64(r#"{"alg":"none"}"#), b64("x")),
                "none",
            ),
            (&format!("{}.{body}.", b64(r#"{"alg":"RS256"}"#)), "empty"),
            (
                &format!("{}.{body}.{}", b64(r#"{"alg":"HS256"}"#), b64("x")),
                "HS256",
            ),
            (
                &format!("{}.{body}.{}", b64(r#"{"kid":"a"}"#), b64("x")),
                "no alg",
            ),
            (
                &format!("{}.{body}.{}", b64(r#"[1]"#), b64("x")),
                "JSON object",
            ),
            (
                &format!("{}.{}.{}", b64(r#"{"alg":"RS256"}"#), b64("[]"), b64("x")),
                "JSON object",
            ),
            (
                &format!("{}=.{body}.{}", b64(r#"{"alg":"RS256"}"#), b64("x")),
                "base64url",
            ),
            (
                &format!(
                    "{}.{body}.{}",
                    b64(r#"{"alg":"RS256","crit":["b64"]}"#),
                    b64("x")
                ),
                "crit",
            ),
        ];
        for (token, expected) in cases {
            let error = parse(token).unwrap_err().to_string();
            assert!(error.contains(expected), "{token:?}: {error}");
        }
    }

    #[test]
    fn refuses_oversized_tokens_before_decoding() {
        let token = "a".repeat(MAX_TOKEN_BYTES + 1);
        assert!(matches!(parse(&token), Err(JwtError::TooLarge { .. })));
    }
}
