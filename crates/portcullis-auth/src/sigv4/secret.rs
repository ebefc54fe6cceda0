//! The secrets a verifier checks signatures with, and the trait it finds
//! them through.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// Finds the secret of an access key id.
///
/// Implemented for closures `Fn(&str) -> Option<SigningSecret>` and for
/// `HashMap<String, SigningSecret>`. A lookup runs once per verified request,
/// after the request's shape, scope and time have been checked; it should not
/// block (an identity store behind a network belongs in a cache refreshed
/// elsewhere).
pub trait SecretLookup {
    /// The secret of `access_key_id`, or `None` when the key is unknown
    /// (answered as AWS does: "The security token included in the request
    /// is invalid.").
    fn lookup(&self, access_key_id: &str) -> Option<SigningSecret>;
}

impl<F> SecretLookup for F
where
    F: Fn(&str) -> Option<SigningSecret>,
{
    fn lookup(&self, access_key_id: &str) -> Option<SigningSecret> {
        self(access_key_id)
    }
}

impl<S: std::hash::BuildHasher> SecretLookup for HashMap<String, SigningSecret, S> {
    fn lookup(&self, access_key_id: &str) -> Option<SigningSecret> {
        self.get(access_key_id).cloned()
    }
}

/// The secret access key of one access key id, with the session token its
/// requests must carry when it is a temporary credential.
///
/// Cloning is cheap (the secret is shared). `Debug` never shows the secret
/// or the token.
#[derive(Clone)]
pub struct SigningSecret(Arc<Inner>);

#[derive(Clone)]
struct Inner {
    secret_access_key: String,
    session_token: Option<String>,
    expires_at: Option<SystemTime>,
}

impl SigningSecret {
    /// A long-term secret: requests signed with it carry no session token.
    pub fn new(secret_access_key: impl Into<String>) -> Self {
        Self(Arc::new(Inner {
            secret_access_key: secret_access_key.into(),
            session_token: None,
            expires_at: None,
        }))
    }

    /// A temporary credential: requests must carry exactly this token in
    /// `X-Amz-Security-Token` (header or presigned parameter).
    #[must_use]
    pub fn with_session_token(mut self, session_token: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.0).session_token = Some(session_token.into());
        self
    }

    /// The time from which requests signed with this secret are refused as
    /// expired (`EXPIRED_TOKEN`).
    #[must_use]
    pub fn expiring_at(mut self, expires_at: SystemTime) -> Self {
        Arc::make_mut(&mut self.0).expires_at = Some(expires_at);
        self
    }

    /// The session token requests must carry, if this is a temporary credential.
    pub fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_deref()
    }

    /// When this secret expires, if it does.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.0.expires_at
    }

    pub(crate) fn secret_access_key(&self) -> &str {
        &self.0.secret_access_key
    }
}

impl fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningSecret")
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.0.session_token.as_ref().map(|_| "** redacted **"),
            )
            .field("expires_at", &self.0.expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret_or_the_token() {
        let secret = SigningSecret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            .with_session_token("IQoJb3JpZ2luX2VjEXAMPLETOKEN");
        let text = format!("{secret:?} {secret:#?}");
        assert!(!text.contains("wJalr") && !text.contains("IQoJ"), "{text}");
        assert!(text.contains("redacted"), "{text}");
        assert_eq!(secret.session_token(), Some("IQoJb3JpZ2luX2VjEXAMPLETOKEN"));
    }

    #[test]
    fn builders_do_not_touch_shared_clones() {
        let long_term = SigningSecret::new("secret");
        let temporary = long_term.clone().with_session_token("token");
        assert_eq!(long_term.session_token(), None);
        assert_eq!(temporary.session_token(), Some("token"));
        assert_eq!(temporary.secret_access_key(), "secret");
    }

    #[test]
    fn lookups_from_maps_and_closures() {
        let mut map = HashMap::new();
        map.insert("AKID".to_owned(), SigningSecret::new("secret"));
        assert!(map.lookup("AKID").is_some());
        assert!(map.lookup("OTHER").is_none());
        let closure = |id: &str| (id == "AKID").then(|| SigningSecret::new("secret"));
        assert!(closure.lookup("AKID").is_some());
        let dynamic: &dyn SecretLookup = &closure;
        assert!(dynamic.lookup("akid").is_none());
    }
}
