//! Where an authorizer's keys come from, and when they are fetched again.
//!
//! Keys are fetched on first use, kept, and fetched again when a token names
//! an unknown `kid` (an issuer rotated its keys) or the set is older than
//! [`KEYS_MAX_AGE`], but never more often than once per
//! [`MIN_REFRESH_INTERVAL`]: a flood of tokens with made-up `kid`s costs the
//! issuer one request. Concurrent requests wait for one fetch. A failed
//! refresh keeps the keys already held.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::JwtError;
use super::keys::{Key, KeySet, MAX_JWKS_BYTES};
use crate::fetch::{Fetch, FetchError, check_key_url};

/// API Gateway's bound on each of the discovery and JWKS fetches.
pub const FETCH_TIMEOUT: Duration = Duration::from_millis(1_500);
/// The least time between two fetches of one issuer's keys.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);
/// Keys older than this are fetched again on next use.
pub const KEYS_MAX_AGE: Duration = Duration::from_secs(3_600);

/// Where the keys are published.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KeyLocation {
    /// An OpenID Connect discovery document naming the `jwks_uri`
    /// (`{issuer}/.well-known/openid-configuration`).
    Discovery(String),
    /// The JWKS itself.
    Jwks(String),
}

impl KeyLocation {
    /// Discovery from the issuer, as API Gateway's JWT authorizers find keys.
    pub fn for_issuer(issuer: &str) -> Self {
        Self::Discovery(format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        ))
    }
}

pub(crate) enum KeySource {
    Static(Arc<KeySet>),
    Remote(Box<Remote>),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Static(set) => f.debug_tuple("Static").field(&set.len()).finish(),
            Self::Remote(remote) => f.debug_tuple("Remote").field(&remote.location).finish(),
        }
    }
}

pub(crate) struct Remote {
    fetch: Arc<dyn Fetch>,
    location: KeyLocation,
    current: RwLock<Option<(Arc<KeySet>, Instant)>>,
    /// Held while fetching; remembers when the last attempt started.
    refresh: Mutex<Option<Instant>>,
}

impl KeySource {
    pub(crate) fn remote(fetch: Arc<dyn Fetch>, location: KeyLocation) -> Self {
        Self::Remote(Box::new(Remote {
            fetch,
            location,
            current: RwLock::new(None),
            refresh: Mutex::new(None),
        }))
    }

    /// The key for `kid`, fetching the set when it is unknown and a fetch is due.
    pub(crate) async fn key(&self, kid: Option<&str>) -> Result<Arc<Key>, JwtError> {
        match self {
            Self::Static(set) => set
                .find(kid)
                .cloned()
                .ok_or_else(|| JwtError::UnknownKey(kid.map(str::to_owned))),
            Self::Remote(remote) => remote.key(kid).await,
        }
    }
}

impl Remote {
    fn held(&self) -> Option<(Arc<KeySet>, Instant)> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    async fn key(&self, kid: Option<&str>) -> Result<Arc<Key>, JwtError> {
        let unknown = || JwtError::UnknownKey(kid.map(str::to_owned));
        if let Some((set, fetched)) = self.held()
            && fetched.elapsed() < KEYS_MAX_AGE
            && let Some(key) = set.find(kid)
        {
            return Ok(key.clone());
        }
        let mut last_attempt = self.refresh.lock().await;
        let refreshed_lately = last_attempt.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL);
        // Another request may have fetched while this one waited.
        let held = self.held();
        if let Some((set, fetched)) = &held
            && let Some(key) = set.find(kid)
            && (fetched.elapsed() < KEYS_MAX_AGE || refreshed_lately)
        {
            return Ok(key.clone());
        }
        if refreshed_lately {
            return Err(match held {
                Some(_) => unknown(),
                None => {
                    JwtError::KeysUnavailable("the last fetch failed; retrying shortly".to_owned())
                }
            });
        }
        *last_attempt = Some(Instant::now());
        match self.fetch_set().await {
            Ok(set) => {
                for skipped in set.skipped() {
                    tracing::debug!(location = ?self.location, "JWKS: skipped {skipped}");
                }
                let set = Arc::new(set);
                *self
                    .current
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some((set.clone(), Instant::now()));
                set.find(kid).cloned().ok_or_else(unknown)
            }
            Err(error) => {
                tracing::warn!(location = ?self.location, %error, "could not fetch the issuer's keys");
                match held.and_then(|(set, _)| set.find(kid).cloned()) {
                    Some(key) => Ok(key),
                    None => Err(JwtError::KeysUnavailable(error.0)),
                }
            }
        }
    }

    async fn fetch_set(&self) -> Result<KeySet, FetchError> {
        let jwks_url = match &self.location {
            KeyLocation::Jwks(url) => url.clone(),
            KeyLocation::Discovery(url) => {
                let document = self.get(url, MAX_JWKS_BYTES).await?;
                let document: serde_json::Value = serde_json::from_slice(&document)
                    .map_err(|e| FetchError(format!("{url}: not a discovery document: {e}")))?;
                let jwks = document
                    .get("jwks_uri")
                    .and_then(serde_json::Value::as_str)
                    .ok_or_else(|| {
                        FetchError(format!("{url}: the discovery document has no jwks_uri"))
                    })?;
                jwks.to_owned()
            }
        };
        let document = self.get(&jwks_url, MAX_JWKS_BYTES).await?;
        KeySet::from_json(&document).map_err(|e| FetchError(format!("{jwks_url}: {e}")))
    }

    async fn get(&self, url: &str, limit: usize) -> Result<bytes::Bytes, FetchError> {
        check_key_url(url)?;
        match tokio::time::timeout(FETCH_TIMEOUT, self.fetch.get(url, limit)).await {
            Ok(result) => result.map_err(|e| FetchError(format!("{url}: {e}"))),
            Err(_) => Err(FetchError(format!(
                "{url}: no answer within {FETCH_TIMEOUT:?}"
            ))),
        }
    }
}
