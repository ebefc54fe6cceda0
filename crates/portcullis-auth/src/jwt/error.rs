//! Why a token was refused, in words a caller can act on.

use super::algorithm::Algorithm;

/// A refused token. Every variant is API Gateway's 401 except
/// [`InsufficientScope`](JwtError::InsufficientScope) on HTTP APIs (403);
/// [`description`](JwtError::description) is the `error_description` of the
/// `www-authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// The identity source holds no token.
    #[error("the request carries no token in {0}")]
    Missing(String),
    /// The token is over [`MAX_TOKEN_BYTES`](super::MAX_TOKEN_BYTES).
    #[error(
        "the token is {len} bytes, over the {} byte limit",
        super::MAX_TOKEN_BYTES
    )]
    TooLarge {
        /// Its length.
        len: usize,
    },
    /// Not a compact JWS.
    #[error("the token is malformed: {0}")]
    Malformed(&'static str),
    /// `alg` names no signature algorithm Portcullis knows (`none`, HMAC, ...).
    #[error("the signing method {0} is not supported")]
    UnsupportedAlgorithm(String),
    /// A known algorithm this authorizer does not accept.
    #[error("the signing method {} is not allowed by this authorizer", .0.name())]
    AlgorithmNotAllowed(Algorithm),
    /// No key of the issuer's JWKS has the token's `kid` (after a refresh).
    #[error("no key of the issuer matches the token's kid ({})", .0.as_deref().unwrap_or("none"))]
    UnknownKey(Option<String>),
    /// The key with that `kid` is not of the kind `alg` needs.
    #[error("the key ({}) cannot verify {}", .kid.as_deref().unwrap_or("without kid"), .alg.name())]
    KeyMismatch {
        /// The key's id.
        kid: Option<String>,
        /// The token's algorithm.
        alg: Algorithm,
    },
    /// The signature does not verify.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// `exp` is absent or not a number.
    #[error("the token has no valid exp claim")]
    NoExpiry,
    /// `exp` has passed.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is still ahead.
    #[error("the token is not valid yet (nbf)")]
    NotYetValid,
    /// `iat` is in the future.
    #[error("the token was issued in the future (iat)")]
    IssuedInFuture,
    /// `iss` is not the authorizer's issuer.
    #[error("the token does not have a valid issuer")]
    WrongIssuer,
    /// Neither `aud` nor `client_id` is one of the audiences.
    #[error("the token does not have a valid audience")]
    WrongAudience,
    /// A Cognito token of the wrong kind: an access token where an ID token
    /// is needed (no scopes on the method), or the reverse.
    #[error("the token is a Cognito {found} token; this method needs an {needed} token")]
    WrongTokenUse {
        /// `token_use` of the token.
        found: String,
        /// What the method needs.
        needed: &'static str,
    },
    /// The token does not match the identity validation expression.
    #[error("the token does not match the identity validation expression")]
    ValidationExpression,
    /// The token carries none of the route's scopes.
    #[error("the token has none of the scopes {required:?}")]
    InsufficientScope {
        /// The route's scopes.
        required: Vec<String>,
    },
    /// The issuer's keys could not be fetched, and none are cached.
    #[error("the issuer's keys are unavailable: {0}")]
    KeysUnavailable(String),
}

impl JwtError {
    /// The `error_description` API Gateway puts in `www-authenticate`.
    pub fn description(&self) -> String {
        self.to_string()
    }

    /// Whether the token was refused for its age: REST's Cognito authorizer
    /// then answers `The incoming token has expired`.
    pub fn is_expired(&self) -> bool {
        matches!(self, Self::Expired)
    }

    /// The `www-authenticate` challenge for this refusal.
    pub fn challenge(&self) -> String {
        match self {
            Self::Missing(_) => "Bearer".to_owned(),
            Self::InsufficientScope { required } => format!(
                "Bearer scope=\"{}\" error=\"insufficient_scope\" error_description=\"{}\"",
                required.join(" "),
                quoted(&self.description())
            ),
            _ => format!(
                "Bearer scope=\"\" error=\"invalid_token\" error_description=\"{}\"",
                quoted(&self.description())
            ),
        }
    }
}

/// A quoted-string body (RFC 9110 §5.6.4): backslash and quote escaped,
/// anything that could break the header dropped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii_graphic() || c == ' ' => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_read_as_api_gateway_writes_them() {
        assert_eq!(
            JwtError::WrongAudience.challenge(),
            r#"Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience""#
        );
        assert_eq!(
            JwtError::Missing("Authorization".into()).challenge(),
            "Bearer"
        );
        let kid = JwtError::UnknownKey(Some("a\"b\r\n".into())).challenge();
        assert!(kid.ends_with(r#"kid (a\"b)""#), "{kid}");
    }
}
