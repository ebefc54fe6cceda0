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
use std::pin::Pin;
use std::time::{Duration, Instant, SystemTime};

use aws_config::default_provider::credentials::DefaultCredentialsChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use tokio::sync::{Mutex, OnceCell};

use super::error_chain;
use super::spec::{AssumeRole, CredentialSource, StaticCredentials};

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
    /// A source that can never resolve (a malformed role to assume): every
    /// [`get`](CredentialCache::get) answers this, and nothing is sent.
    Invalid(String),
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
    AssumeRole(AssumeRole),
    #[cfg(test)]
    Given,
}

impl ProviderKind {
    /// The provider behind a non-static `source`; `Err` with the keys of a
    /// static one.
    fn of(source: &CredentialSource) -> Result<Self, Credentials> {
        match source {
            CredentialSource::Static(keys) => Err(static_credentials(keys)),
            CredentialSource::Default => Ok(Self::Default),
            CredentialSource::Profile(name) => Ok(Self::Profile(name.clone())),
            CredentialSource::AssumeRole(role) => Ok(Self::AssumeRole(role.clone())),
        }
    }

    /// A failure's message as callers see it: an assumed role's failures
    /// name the role (STS's own messages do not).
    fn failure(&self, message: String) -> String {
        match self {
            Self::AssumeRole(role) => {
                format!("assuming role {} through STS: {message}", role.role_arn())
            }
            _ => message,
        }
    }

    /// `error`'s message as callers see it: its causes, and for an assumed
    /// role what STS answered when the SDK found no error code in it.
    fn provider_failure(&self, error: &CredentialsError) -> String {
        let mut message = error_chain(error);
        if let Self::AssumeRole(_) = self
            && let Some(answer) = unparsed_sts_answer(error)
        {
            message.push_str(": ");
            message.push_str(&answer);
        }
        self.failure(message)
    }
}

/// The longest part of an unparsed STS answer a message quotes.
const MAX_QUOTED_ANSWER: usize = 300;

/// What STS (or whatever answered in its place) said, when the SDK could
/// not read an error code from it: the status, and the `Code` and `Message`
/// elements if there are any (moto, for one, wraps its authorization errors
/// in an `<Errors>` element STS does not use), else the start of the body.
/// STS answers hold no key material.
fn unparsed_sts_answer(error: &CredentialsError) -> Option<String> {
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        if let Some(sdk) = current.downcast_ref::<SdkError<AssumeRoleError>>() {
            if sdk.code().is_some() {
                return None;
            }
            let raw = sdk.raw_response()?;
            let body = String::from_utf8_lossy(raw.body().bytes().unwrap_or_default());
            let element = |name: &str| {
                let start = body.find(&format!("<{name}>"))? + name.len() + 2;
                let end = body[start..].find(&format!("</{name}>"))?;
                Some(body[start..start + end].trim().to_owned())
            };
            let said = match (element("Code"), element("Message")) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (Some(code), None) => code,
                _ => body.split_whitespace().collect::<Vec<_>>().join(" "),
            };
            let said: String = said.chars().take(MAX_QUOTED_ANSWER).collect();
            return Some(format!(
                "STS answered HTTP {}: {said}",
                raw.status().as_u16()
            ));
        }
        cause = current.source();
    }
    None
}

impl CredentialCache {
    /// A cache for `source`; nothing is read until [`get`](Self::get).
    pub(crate) fn new(source: &CredentialSource, region: &str) -> Self {
        let problem = match source {
            CredentialSource::AssumeRole(role) => role.problem(),
            _ => None,
        };
        let source = match (problem, ProviderKind::of(source)) {
            (Some(problem), _) => Source::Invalid(problem),
            (None, Err(credentials)) => Source::Static(credentials),
            (None, Ok(kind)) => Source::Provider {
                kind,
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
            Source::Invalid(problem) => return Err(problem.clone()),
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
                Ok(Err(error)) => Err(kind.provider_failure(&error)),
                Err(_) => Err(kind.failure(format!(
                    "resolving credentials took longer than {RESOLVE_TIMEOUT:?}"
                ))),
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
            Source::Invalid(problem) => format!("Invalid({problem:?})"),
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
    provider_for(kind, &http, Region::new(region.to_owned())).await
}

/// The provider for `kind`, talking through `http`. Boxed because an assumed
/// role's base may be another assumed role.
fn provider_for<'a>(
    kind: &'a ProviderKind,
    http: &'a SharedHttpClient,
    region: Region,
) -> Pin<Box<dyn Future<Output = SharedCredentialsProvider> + Send + 'a>> {
    Box::pin(async move {
        let config = ProviderConfig::default()
            .with_http_client(http.clone())
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
            ProviderKind::AssumeRole(role) => {
                SharedCredentialsProvider::new(assume_role_provider(role, http, region).await)
            }
            #[cfg(test)]
            ProviderKind::Given => unreachable!("a given provider is set at construction"),
        }
    })
}

/// `aws-config`'s `AssumeRoleProvider` for `role`, signing with the base's
/// credentials.
///
/// Left to itself (`build_from_provider` without `configure`), that provider
/// would load a whole default `SdkConfig`: the region chain (which may ask
/// instance metadata), and no HTTP client at all in this build, which has
/// `aws-config`'s default HTTPS client switched off. Given an `SdkConfig`, it
/// builds its STS client from that alone, and the STS client picks its
/// endpoint so: the config's `endpoint_url` if it was set in code; else,
/// through the config's service settings, `AWS_ENDPOINT_URL_STS`,
/// `AWS_ENDPOINT_URL`, the profile's `services` entry and `endpoint_url`
/// (even under `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, which only the loader
/// heeds); else the config's `endpoint_url`; else STS's regional endpoint
/// (never the global one). A config built by hand has no service settings,
/// so it would ignore `AWS_ENDPOINT_URL_STS`. Hence the config comes from
/// `aws-config`'s own loader, with the region, the HTTP client and the base
/// credentials fixed here, and the explicit endpoint (if any) set in code so
/// it wins over the environment. The provider drops the loader's identity
/// cache: caching is ours.
async fn assume_role_provider(
    role: &AssumeRole,
    http: &SharedHttpClient,
    region: Region,
) -> AssumeRoleProvider {
    let base = match ProviderKind::of(role.base()) {
        Ok(kind) => SharedCredentialsProvider::new(Base {
            provider: provider_for(&kind, http, region.clone()).await,
            label: base_label(role.base()),
        }),
        Err(keys) => SharedCredentialsProvider::new(keys),
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http.clone())
        .region(region)
        .credentials_provider(base);
    if let Some(profile) = base_profile(role.base()) {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = role.sts_endpoint() {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    AssumeRoleProvider::builder(role.role_arn())
        .configure(&config)
        .session_name(role.session_name())
        .build()
        .await
}

/// An assumed role's base credentials, their failures labelled: the STS
/// client reports a base that resolves nothing as a bare dispatch failure
/// ("the credential provider was not enabled"), which does not say whose.
#[derive(Debug)]
struct Base {
    provider: SharedCredentialsProvider,
    label: String,
}

impl ProvideCredentials for Base {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            self.provider.provide_credentials().await.map_err(|error| {
                CredentialsError::provider_error(format!(
                    "base credentials ({}): {}",
                    self.label,
                    error_chain(&error)
                ))
            })
        })
    }
}

fn base_label(source: &CredentialSource) -> String {
    match source {
        CredentialSource::Default => "the default chain".to_owned(),
        CredentialSource::Profile(name) => format!("profile {name:?}"),
        CredentialSource::Static(_) => "static keys".to_owned(),
        CredentialSource::AssumeRole(role) => format!("role {}", role.role_arn()),
    }
}

/// The profile whose settings (endpoints, retries) the STS client reads:
/// the base's, when the base is a profile (through chained roles too).
fn base_profile(source: &CredentialSource) -> Option<&str> {
    match source {
        CredentialSource::Profile(name) => Some(name),
        CredentialSource::AssumeRole(role) => base_profile(role.base()),
        CredentialSource::Default | CredentialSource::Static(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

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

    const ROLE: &str = "arn:aws:iam::123456789012:role/api-sqs";

    fn base_keys() -> CredentialSource {
        CredentialSource::Static(StaticCredentials::new(
            "AKIDBASE",
            "base-secret",
            Some("base-token".into()),
        ))
    }

    #[tokio::test]
    async fn a_malformed_role_fails_every_call_without_sending() {
        let role = AssumeRole::new("not-an-arn", base_keys());
        let cache = CredentialCache::new(&CredentialSource::AssumeRole(role), "eu-west-1");
        assert!(matches!(cache.source, Source::Invalid(_)));
        for _ in 0..2 {
            let error = cache.get().await.unwrap_err();
            assert!(error.contains("\"not-an-arn\""), "{error}");
        }
    }

    #[tokio::test]
    async fn an_unreachable_sts_names_the_role_not_the_keys() {
        // Nothing listens on port 1; the explicit endpoint wins over any
        // AWS_ENDPOINT_URL* in this process's environment.
        let role = AssumeRole::new(ROLE, base_keys()).with_sts_endpoint("http://127.0.0.1:1");
        let cache = CredentialCache::new(&CredentialSource::AssumeRole(role), "eu-west-1");
        let error = cache.get().await.unwrap_err();
        println!("unreachable STS: {error}");
        assert!(
            error.starts_with(&format!("assuming role {ROLE} through STS: ")),
            "{error}"
        );
        assert!(
            !error.contains("base-secret") && !error.contains("base-token"),
            "{error}"
        );
        let shown = format!("{cache:?}");
        assert!(
            shown.contains(ROLE) && !shown.contains("base-secret"),
            "{shown}"
        );
    }

    /// A one-request STS on loopback that refuses as STS does (its XML
    /// error format); gives the endpoint and what it was sent.
    async fn refusing_sts() -> (String, tokio::task::JoinHandle<String>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buffer = [0; 4096];
            // Headers, then as much body as they announce.
            loop {
                let read = stream.read(&mut buffer).await.unwrap();
                request.extend_from_slice(&buffer[..read]);
                let text = String::from_utf8_lossy(&request);
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text[..end]
                        .lines()
                        .find_map(|line| {
                            let (name, value) = line.split_once(':')?;
                            name.eq_ignore_ascii_case("content-length")
                                .then(|| value.trim().parse::<usize>().unwrap())
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length || read == 0 {
                        break;
                    }
                }
            }
            let body = "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
                <Error><Type>Sender</Type><Code>AccessDenied</Code>\
                <Message>User: arn:aws:iam::123456789012:user/base is not authorized to \
                perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/api-sqs</Message>\
                </Error><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>";
            let answer = format!(
                "HTTP/1.1 403 Forbidden\r\ncontent-type: text/xml\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).await.unwrap();
            String::from_utf8_lossy(&request).into_owned()
        });
        (endpoint, task)
    }

    #[tokio::test]
    async fn sts_refusals_carry_sts_code_and_message() {
        let (endpoint, sts) = refusing_sts().await;
        let role = AssumeRole::new(ROLE, base_keys())
            .with_session_name("gateway")
            .with_sts_endpoint(endpoint);
        let cache = CredentialCache::new(&CredentialSource::AssumeRole(role), "eu-west-1");
        let error = cache.get().await.unwrap_err();
        println!("STS refusal: {error}");
        assert!(
            error.starts_with(&format!("assuming role {ROLE} through STS: ")),
            "{error}"
        );
        assert!(error.contains("AccessDenied"), "{error}");
        assert!(
            error.contains("is not authorized to perform: sts:AssumeRole"),
            "{error}"
        );
        // The SDK read the code, so the answer is not quoted a second time.
        assert!(!error.contains("STS answered"), "{error}");
        assert!(!error.contains("base-secret"), "{error}");

        let request = sts.await.unwrap();
        assert!(request.starts_with("POST / HTTP/1.1"), "{request}");
        for field in [
            "Action=AssumeRole",
            "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapi-sqs",
            "RoleSessionName=gateway",
        ] {
            assert!(request.contains(field), "{field} missing: {request}");
        }
        assert!(
            request.contains("Credential=AKIDBASE/")
                && request.contains("/eu-west-1/sts/aws4_request"),
            "not signed with the base keys for STS in eu-west-1: {request}"
        );
        assert!(
            request.contains("x-amz-security-token: base-token"),
            "{request}"
        );
    }

    #[test]
    fn the_sts_client_reads_the_base_profile_settings() {
        let profile = CredentialSource::Profile("base".into());
        assert_eq!(base_profile(&profile), Some("base"));
        let chained = CredentialSource::AssumeRole(AssumeRole::new(ROLE, profile));
        assert_eq!(base_profile(&chained), Some("base"));
        assert_eq!(base_profile(&CredentialSource::Default), None);
        assert_eq!(base_profile(&base_keys()), None);
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
