//! Signing credentials: resolved through `aws-config`'s providers (the same
//! chain every AWS SDK uses) on first use, and cached until shortly before they
//! expire.
//!
//! Resolution is lazy because building a gateway must not block on, or fail
//! for, an instance metadata service that is only reachable at run time. The
//! cache is ours rather than the SDK's identity cache because that one is
//! wired into the SDK's client runtime, which this crate does not use.
//!
//! One caveat, shared with every AWS SDK for Rust: `aws-config` reads the
//! shared profile files (a few hundred bytes) with blocking `std::fs` calls
//! inside its async providers. That happens on first use and then at most
//! once per refresh (15 minutes for keys without expiry), so it is left as is.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use aws_config::Region;
use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::Credentials;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use tokio::sync::{Mutex, OnceCell};

use super::error_chain;
use super::spec::{CredentialSource, StaticCredentials};

/// How long one resolution may take. The default chain's slowest links
/// (instance metadata, STS for web identity) retry with their own short
/// timeouts; this bounds the whole so an invocation cannot hang on them.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Credentials are refreshed this long before they expire, so a request is
/// never signed with keys that lapse while it is in flight.
const EXPIRY_BUFFER: Duration = Duration::from_secs(60);

/// Credentials that carry no expiry (static keys from the environment or a
/// profile) are read again after this long, so rotated files are noticed.
/// Fifteen minutes is what the AWS SDKs' identity cache uses.
const NO_EXPIRY_REFRESH: Duration = Duration::from_secs(15 * 60);

/// After a failed resolution, callers get the same error for this long
/// instead of each trying again: without it, a burst of requests on a host
/// with no credentials would queue up one slow metadata lookup apiece.
const FAILURE_BACKOFF: Duration = Duration::from_secs(5);

/// Signing credentials for one remote function.
pub(crate) struct CredentialCache {
    region: String,
    source: Source,
    state: Mutex<State>,
    failure_backoff: Duration,
}

enum State {
    Empty,
    Ready {
        credentials: Credentials,
        refresh_at: SystemTime,
    },
    Failed {
        message: String,
        retry_at: Instant,
        /// Keys from before the failure, still usable until they expire.
        previous: Option<Credentials>,
    },
}

enum Source {
    /// Fixed keys: nothing to resolve.
    Static(Credentials),
    /// A provider chain, built on first use.
    Provider {
        kind: ProviderKind,
        provider: OnceCell<SharedCredentialsProvider>,
    },
}

#[derive(Debug, Clone)]
enum ProviderKind {
    Default,
    Profile(String),
    #[cfg(test)]
    Given,
}

impl CredentialCache {
    /// A cache for `source`; nothing is read until [`get`](Self::get).
    pub(crate) fn new(source: &CredentialSource, region: &str) -> Self {
        let source = match source {
            CredentialSource::Static(keys) => Source::Static(static_credentials(keys)),
            CredentialSource::Default => Source::Provider {
                kind: ProviderKind::Default,
                provider: OnceCell::new(),
            },
            CredentialSource::Profile(name) => Source::Provider {
                kind: ProviderKind::Profile(name.clone()),
                provider: OnceCell::new(),
            },
        };
        Self {
            region: region.to_owned(),
            source,
            state: Mutex::new(State::Empty),
            failure_backoff: FAILURE_BACKOFF,
        }
    }

    /// A cache over an already built provider (for tests of the caching itself).
    #[cfg(test)]
    fn with_provider(provider: impl ProvideCredentials + 'static) -> Self {
        Self {
            region: "us-east-1".to_owned(),
            source: Source::Provider {
                kind: ProviderKind::Given,
                provider: OnceCell::new_with(Some(SharedCredentialsProvider::new(provider))),
            },
            state: Mutex::new(State::Empty),
            failure_backoff: FAILURE_BACKOFF,
        }
    }

    /// Current credentials, resolving them if none are cached or the cached
    /// ones are about to expire. Concurrent callers wait for one resolution.
    ///
    /// The error says which sources were tried and why they failed; it never
    /// contains key material.
    pub(crate) async fn get(&self) -> Result<Credentials, String> {
        let (kind, provider) = match &self.source {
            Source::Static(credentials) => return Ok(credentials.clone()),
            Source::Provider { kind, provider } => (kind, provider),
        };
        let mut state = self.state.lock().await;
        let now = SystemTime::now();
        let previous = match &*state {
            State::Ready {
                credentials,
                refresh_at,
            } if now < *refresh_at => return Ok(credentials.clone()),
            State::Ready { credentials, .. } => Some(credentials.clone()),
            State::Failed {
                message,
                retry_at,
                previous,
            } if Instant::now() < *retry_at => {
                return usable(previous.as_ref(), now).ok_or_else(|| message.clone());
            }
            State::Failed { previous, .. } => previous.clone(),
            State::Empty => None,
        };
        let provider = provider
            .get_or_init(|| build_provider(kind, &self.region))
            .await;
        let resolved =
            match tokio::time::timeout(RESOLVE_TIMEOUT, provider.provide_credentials()).await {
                Ok(Ok(credentials)) => Ok(credentials),
                Ok(Err(error)) => Err(error_chain(&error)),
                Err(_) => Err(format!(
                    "resolving credentials took longer than {RESOLVE_TIMEOUT:?}"
                )),
            };
        match resolved {
            Ok(credentials) => {
                let refresh_at = match credentials.expiry() {
                    Some(expiry) => expiry.checked_sub(EXPIRY_BUFFER).unwrap_or(expiry),
                    None => now + NO_EXPIRY_REFRESH,
                };
                tracing::debug!(
                    access_key_id = credentials.access_key_id(),
                    source = ?kind,
                    "resolved AWS credentials"
                );
                *state = State::Ready {
                    credentials: credentials.clone(),
                    refresh_at,
                };
                Ok(credentials)
            }
            Err(message) => {
                tracing::warn!(source = ?kind, %message, "resolving AWS credentials failed");
                let answer = usable(previous.as_ref(), now).ok_or_else(|| message.clone());
                *state = State::Failed {
                    message,
                    retry_at: Instant::now() + self.failure_backoff,
                    previous,
                };
                answer
            }
        }
    }
}

/// `credentials` if they have not expired yet (a failed refresh inside the
/// expiry buffer keeps signing with them rather than failing requests).
fn usable(credentials: Option<&Credentials>, now: SystemTime) -> Option<Credentials> {
    credentials
        .filter(|credentials| credentials.expiry().is_none_or(|expiry| now < expiry))
        .cloned()
}

impl fmt::Debug for CredentialCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Static(credentials) => format!("Static({})", credentials.access_key_id()),
            Source::Provider { kind, .. } => format!("{kind:?}"),
        };
        f.debug_struct("CredentialCache")
            .field("source", &source)
            .finish_non_exhaustive()
    }
}

fn static_credentials(keys: &StaticCredentials) -> Credentials {
    Credentials::new(
        &keys.access_key_id,
        &keys.secret_access_key,
        keys.session_token.clone(),
        None,
        "portcullis-static",
    )
}

/// Builds the provider chain. The HTTP client (for instance metadata, the
/// container endpoint and STS) is the SDK's hyper 1 + rustls (`ring`) client
/// with native roots: the same stack as the Invoke client, not a second one.
async fn build_provider(kind: &ProviderKind, region: &str) -> SharedCredentialsProvider {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let region = Region::new(region.to_owned());
    let config = ProviderConfig::default()
        .with_http_client(http)
        .with_region(Some(region.clone()));
    match kind {
        ProviderKind::Default => SharedCredentialsProvider::new(
            DefaultCredentialsChain::builder()
                .configure(config)
                .region(region)
                .build()
                .await,
        ),
        ProviderKind::Profile(name) => SharedCredentialsProvider::new(
            ProfileFileCredentialsProvider::builder()
                .configure(&config)
                .profile_name(name)
                .build(),
        ),
        #[cfg(test)]
        ProviderKind::Given => unreachable!("a given provider is set at construction"),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_credential_types::provider::error::CredentialsError;
    use aws_credential_types::provider::future;

    use super::*;

    /// Counts resolutions; answers keys that expire `lifetime` from now.
    #[derive(Debug, Clone)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        lifetime: Option<Duration>,
        /// Calls from this one on fail.
        fail_from: usize,
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
        where
            Self: 'a,
        {
            let call = self.calls.fetch_add(1, Ordering::SeqCst);
            if call >= self.fail_from {
                return future::ProvideCredentials::ready(Err(CredentialsError::not_loaded(
                    "nothing here",
                )));
            }
            let expiry = self.lifetime.map(|lifetime| SystemTime::now() + lifetime);
            future::ProvideCredentials::ready(Ok(Credentials::new(
                format!("AKID{call}"),
                "secret",
                None,
                expiry,
                "counting",
            )))
        }
    }

    fn counting(lifetime: Option<Duration>, fail: bool) -> (CredentialCache, Arc<AtomicUsize>) {
        counting_failing_from(lifetime, if fail { 0 } else { usize::MAX })
    }

    fn counting_failing_from(
        lifetime: Option<Duration>,
        fail_from: usize,
    ) -> (CredentialCache, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let provider = Counting {
            calls: calls.clone(),
            lifetime,
            fail_from,
        };
        (CredentialCache::with_provider(provider), calls)
    }

    #[tokio::test]
    async fn cached_until_shortly_before_expiry() {
        let (cache, calls) = counting(Some(Duration::from_secs(3600)), false);
        assert_eq!(cache.get().await.unwrap().access_key_id(), "AKID0");
        assert_eq!(cache.get().await.unwrap().access_key_id(), "AKID0");
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        // Keys inside the expiry buffer are used once, then replaced.
        let (cache, calls) = counting(Some(Duration::from_secs(30)), false);
        assert_eq!(cache.get().await.unwrap().access_key_id(), "AKID0");
        assert_eq!(cache.get().await.unwrap().access_key_id(), "AKID1");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_unexpired_keys() {
        let (cache, calls) = counting_failing_from(Some(Duration::from_secs(30)), 1);
        assert_eq!(cache.get().await.unwrap().access_key_id(), "AKID0");
        assert_eq!(cache.get().await.unwrap().access_key_id(), "AKID0");
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn keys_without_expiry_are_cached() {
        let (cache, calls) = counting(None, false);
        cache.get().await.unwrap();
        cache.get().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn failures_are_remembered_briefly() {
        let (cache, calls) = counting(None, true);
        assert!(cache.get().await.unwrap_err().contains("nothing here"));
        assert!(cache.get().await.unwrap_err().contains("nothing here"));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let (mut cache, calls) = counting(None, true);
        cache.failure_backoff = Duration::ZERO;
        assert!(cache.get().await.is_err());
        assert!(cache.get().await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn static_keys_are_used_as_given_and_not_shown() {
        let keys =
            StaticCredentials::new("AKIDSTATIC", "static-secret", Some("static-token".into()));
        let cache = CredentialCache::new(&CredentialSource::Static(keys), "eu-west-1");
        let credentials = cache.get().await.unwrap();
        assert_eq!(credentials.secret_access_key(), "static-secret");
        assert_eq!(credentials.session_token(), Some("static-token"));
        let shown = format!("{cache:?} {credentials:?}");
        assert!(
            !shown.contains("static-secret") && !shown.contains("static-token"),
            "{shown}"
        );
    }
}
