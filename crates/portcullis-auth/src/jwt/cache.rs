//! Tokens already verified, kept by the SHA-256 of their text (the tokens
//! themselves are not kept) until their `exp`, so a token seen again costs a
//! hash and a lookup instead of a signature check.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use ring::digest::{SHA256, digest};

use super::VerifiedToken;

/// How many verified tokens one authorizer keeps.
pub const TOKEN_CACHE_CAPACITY: usize = 10_000;

type Digest = [u8; 32];

#[derive(Debug, Default)]
pub(crate) struct TokenCache {
    entries: RwLock<HashMap<Digest, Arc<VerifiedToken>>>,
}

pub(crate) fn key(token: &str) -> Digest {
    let mut out = [0; 32];
    out.copy_from_slice(digest(&SHA256, token.as_bytes()).as_ref());
    out
}

impl TokenCache {
    /// The verified token, while it has not expired (`now` in epoch seconds).
    pub(crate) fn get(&self, key: &Digest, now: u64) -> Option<Arc<VerifiedToken>> {
        let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
        entries
            .get(key)
            .filter(|token| token.expires_at > now)
            .cloned()
    }

    pub(crate) fn insert(&self, key: Digest, token: Arc<VerifiedToken>, now: u64) {
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= TOKEN_CACHE_CAPACITY {
            entries.retain(|_, token| token.expires_at > now);
            if entries.len() >= TOKEN_CACHE_CAPACITY {
                // Still full of live tokens: start over rather than grow.
                entries.clear();
            }
        }
        entries.insert(key, token);
    }
}
