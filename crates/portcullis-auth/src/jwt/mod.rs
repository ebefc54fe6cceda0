//! JWT authorizers: API Gateway's HTTP API `jwt` authorizers and REST
//! `cognito_user_pools` authorizers.
//!
//! A [`JwtAuthorizer`] verifies a token's signature with the issuer's keys
//! (fetched through [`Fetch`](crate::fetch::Fetch) from the OpenID discovery
//! document or a JWKS, or given up front), checks `iss`, `aud`/`client_id`,
//! `exp`, `nbf` and `iat`, and remembers verified tokens until they expire.
//! Per-route checks (scopes, Cognito's token kind) come after, on the
//! [`VerifiedToken`].
//!
//! API Gateway accepts RSA PKCS#1 signatures only (`RS256`, `RS384`,
//! `RS512`); PSS and ECDSA are Portcullis extensions, off unless listed with
//! [`JwtAuthorizerBuilder::algorithms`]. `alg: none` and HMAC never verify.
//!
//! ```
//! use portcullis_auth::jwt::{JwtAuthorizer, JwtError, KeySet};
//!
//! # tokio_test();
//! # fn tokio_test() {
//! let keys = KeySet::from_json(br#"{"keys": []}"#).unwrap();
//! let authorizer = JwtAuthorizer::builder("https://issuer.example.com")
//!     .audiences(["my-app"])
//!     .keys(keys)
//!     .build();
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
//! let refused = runtime.block_on(authorizer.verify("not.a.token", std::time::SystemTime::now()));
//! assert!(matches!(refused, Err(JwtError::Malformed(_))));
//! # }
//! ```

mod algorithm;
mod cache;
mod claims;
mod error;
mod keys;
mod source;
mod token;

pub use algorithm::Algorithm;
pub use cache::TOKEN_CACHE_CAPACITY;
pub use error::JwtError;
pub use keys::{KeySet, KeySetError, MAX_JWKS_BYTES};
pub use source::{FETCH_TIMEOUT, KEYS_MAX_AGE, KeyLocation, MIN_REFRESH_INTERVAL};
pub use token::MAX_TOKEN_BYTES;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::fetch::Fetch;
use cache::TokenCache;
use claims::ClaimRules;
use source::KeySource;

/// A token whose signature and claims have been checked.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    claims: Map<String, Value>,
    rendered: Vec<(String, String)>,
    scopes: Vec<String>,
    expires_at: u64,
}

impl VerifiedToken {
    /// The claims as the token carries them.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The claims as API Gateway renders them: every value a string, arrays
    /// as `[a b]`, objects as JSON text, null claims left out.
    pub fn rendered_claims(&self) -> &[(String, String)] {
        &self.rendered
    }

    /// The token's scopes (`scope` or `scp`).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// `exp`, in seconds since the epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }

    /// Cognito's `token_use`: `id` or `access`.
    pub fn token_use(&self) -> Option<&str> {
        self.claims.get("token_use").and_then(Value::as_str)
    }

    /// Whether the token carries at least one of `required` (a route's
    /// authorization scopes); an empty list requires nothing.
    ///
    /// # Errors
    /// [`JwtError::InsufficientScope`].
    pub fn require_scopes(&self, required: &[String]) -> Result<(), JwtError> {
        if required.is_empty() || required.iter().any(|r| self.scopes.contains(r)) {
            Ok(())
        } else {
            Err(JwtError::InsufficientScope {
                required: required.to_vec(),
            })
        }
    }

    /// A REST Cognito authorizer's check of the token's kind: without scopes
    /// on the method the token must be an ID token; with scopes, an access
    /// token carrying one of them.
    ///
    /// # Errors
    /// [`JwtError::WrongTokenUse`] or [`JwtError::InsufficientScope`].
    pub fn require_cognito(&self, scopes: &[String]) -> Result<(), JwtError> {
        let needed = if scopes.is_empty() { "id" } else { "access" };
        match self.token_use() {
            Some(found) if found == needed => self.require_scopes(scopes),
            found => Err(JwtError::WrongTokenUse {
                found: found.unwrap_or("unmarked").to_owned(),
                needed,
            }),
        }
    }
}

/// One JWT authorizer: an issuer, its audiences, its keys and a cache of
/// verified tokens. Share it behind an `Arc`; verification takes `&self`.
#[derive(Debug)]
pub struct JwtAuthorizer {
    rules: ClaimRules,
    algorithms: Vec<Algorithm>,
    keys: KeySource,
    /// `None` when verified tokens are not remembered.
    cache: Option<TokenCache>,
}

fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Builds a [`JwtAuthorizer`].
#[derive(Debug)]
pub struct JwtAuthorizerBuilder {
    rules: ClaimRules,
    algorithms: Vec<Algorithm>,
    keys: Option<KeySource>,
    cache: bool,
}

impl JwtAuthorizer {
    /// Starts an authorizer for tokens whose `iss` is exactly `issuer`.
    pub fn builder(issuer: impl Into<String>) -> JwtAuthorizerBuilder {
        JwtAuthorizerBuilder {
            rules: ClaimRules {
                issuer: issuer.into(),
                audiences: Vec::new(),
                leeway: 0,
            },
            algorithms: Algorithm::AWS.to_vec(),
            keys: None,
            cache: true,
        }
    }

    /// The issuer tokens must name.
    pub fn issuer(&self) -> &str {
        &self.rules.issuer
    }

    /// The token, when it was verified before and has not expired at `now`:
    /// a hash and a lookup, no signature check. [`verify`](Self::verify)
    /// does this first; callers on a hot path may try it without a future.
    pub fn cached(&self, token: &str, now: SystemTime) -> Option<Arc<VerifiedToken>> {
        self.cache
            .as_ref()?
            .get(&cache::key(token), unix_seconds(now))
    }

    /// Verifies `token` (the bare JWT, without `Bearer `) at time `now`.
    ///
    /// # Errors
    /// Why the token is refused.
    pub async fn verify(
        &self,
        token: &str,
        now: SystemTime,
    ) -> Result<Arc<VerifiedToken>, JwtError> {
        let key = self.cache.as_ref().map(|cache| (cache, cache::key(token)));
        if let Some((cache, key)) = &key
            && let Some(verified) = cache.get(key, unix_seconds(now))
        {
            return Ok(verified);
        }
        let parsed = token::parse(token)?;
        if !self.algorithms.contains(&parsed.algorithm) {
            return Err(JwtError::AlgorithmNotAllowed(parsed.algorithm));
        }
        let signing_key = self.keys.key(parsed.kid.as_deref()).await?;
        signing_key.verify(parsed.algorithm, parsed.signing_input, &parsed.signature)?;
        let now = unix_seconds(now);
        let expires_at = claims::check(&parsed.claims, &self.rules, now)?;
        let verified = Arc::new(VerifiedToken {
            rendered: claims::render(&parsed.claims),
            scopes: claims::scopes(&parsed.claims),
            claims: parsed.claims,
            expires_at,
        });
        if let Some((cache, key)) = key {
            cache.insert(key, verified.clone(), now);
        }
        Ok(verified)
    }
}

impl JwtAuthorizerBuilder {
    /// Tokens must carry one of these in `aud` or `client_id`. Without any,
    /// the audience is not checked (REST Cognito authorizers).
    pub fn audiences<I, S>(mut self, audiences: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.rules.audiences = audiences.into_iter().map(Into::into).collect();
        self
    }

    /// The signature algorithms accepted (default: [`Algorithm::AWS`]).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Seconds of clock difference tolerated for `exp`, `nbf` and `iat`
    /// (default 0, as API Gateway).
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.rules.leeway = seconds;
        self
    }

    /// Fixed keys, never fetched.
    pub fn keys(mut self, keys: KeySet) -> Self {
        self.keys = Some(KeySource::Static(Arc::new(keys)));
        self
    }

    /// Keys fetched through `fetch` from `location`.
    pub fn fetch_keys(mut self, fetch: Arc<dyn Fetch>, location: KeyLocation) -> Self {
        self.keys = Some(KeySource::remote(fetch, location));
        self
    }

    /// Whether verified tokens are remembered until they expire (default
    /// yes; up to [`TOKEN_CACHE_CAPACITY`] of them).
    pub fn cache_tokens(mut self, cache: bool) -> Self {
        self.cache = cache;
        self
    }

    /// The authorizer. Without keys given, none verify.
    pub fn build(self) -> JwtAuthorizer {
        JwtAuthorizer {
            rules: self.rules,
            algorithms: self.algorithms,
            keys: self
                .keys
                .unwrap_or_else(|| KeySource::Static(Arc::new(KeySet::default()))),
            cache: self.cache.then(TokenCache::default),
        }
    }
}

/// The token in an `Authorization`-style value: the value itself, or what
/// follows `Bearer ` (HTTP API JWT authorizers accept both). Empty is `None`.
pub fn bearer_token(value: &str) -> Option<&str> {
    let value = value.trim();
    let token = match value.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => value[7..].trim_start(),
        _ => value,
    };
    (!token.is_empty()).then_some(token)
}

/// The `iss` a token claims, read without verifying anything: only for
/// choosing among several issuers' verifiers, which then check it.
pub fn unverified_issuer(token: &str) -> Option<String> {
    token::parse(token)
        .ok()?
        .claims
        .get("iss")?
        .as_str()
        .map(str::to_owned)
}
