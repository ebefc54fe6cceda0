//! The store's connection to Redis: one multiplexed connection, replaced by
//! a background task whenever it is missing or broken, and every call
//! bounded in time.
//!
//! A cache must never make a request slower than its backend call would be:
//! while Redis is away, calls fail at once (no waiting on a dead socket) and
//! the cache answers them as misses. Reconnection attempts back off from
//! 25 ms to 1 s, so a restarted Redis is used again within about a second.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client, ErrorKind, RedisError, RedisResult};
use tokio::runtime::Handle;

use super::RedisConfigError;
use crate::StoreError;

/// The store's name in [`StoreError`]s.
pub(super) const STORE: &str = "redis";

/// How long one connection attempt (TCP, AUTH, SELECT) may take.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The first pause between reconnection attempts; it doubles up to the
/// maximum. A refused connection fails at once, so attempts stay cheap.
const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(25);
const RECONNECT_MAX_DELAY: Duration = Duration::from_secs(1);

/// A connection silent for this long (at least) while calls on it time
/// out is presumed dead (a peer gone without a reset) and replaced.
const SILENCE_BEFORE_RECONNECT: Duration = Duration::from_secs(1);

/// What every clone of one store shares.
pub(super) struct Link {
    client: Client,
    /// The URL with its password replaced by `***`: for messages and `Debug`.
    pub(super) url: String,
    /// Strings never to show in a message (the password, as written and decoded).
    secrets: Vec<String>,
    /// Where reconnection runs: the runtime the store was made in.
    runtime: Handle,
    slot: Mutex<Slot>,
    /// Whether a reconnection task is running.
    reconnecting: AtomicBool,
    started: Instant,
    /// When Redis last answered anything, in ms since `started`.
    last_answer_ms: AtomicU64,
}

struct Slot {
    /// The connection in use; `None` while (re)connecting.
    connection: Option<MultiplexedConnection>,
    /// Counts connections installed, so that a failure seen on an old one
    /// never throws its successor away.
    generation: u64,
    /// Why there is no connection, for the errors of calls meanwhile.
    last_error: String,
}

impl Link {
    /// A link to `url`, not connected yet. Only a malformed URL or the
    /// absence of a Tokio runtime is an error.
    pub(super) fn new(url: &str) -> Result<Arc<Self>, RedisConfigError> {
        let runtime = Handle::try_current().map_err(|_| RedisConfigError::NoRuntime)?;
        let redacted = redact_url(url);
        let client = Client::open(url).map_err(|error| RedisConfigError::Url {
            url: redacted.clone(),
            reason: scrub(&secrets_of(url, None), error.to_string()),
        })?;
        Ok(Arc::new(Self {
            secrets: secrets_of(url, Some(&client)),
            client,
            url: redacted,
            runtime,
            slot: Mutex::new(Slot {
                connection: None,
                generation: 0,
                last_error: "not connected yet".to_owned(),
            }),
            reconnecting: AtomicBool::new(false),
            started: Instant::now(),
            last_answer_ms: AtomicU64::new(0),
        }))
    }

    /// Tries to connect once (bounded by [`CONNECT_TIMEOUT`]); on failure,
    /// keeps trying in the background.
    pub(super) async fn connect_once(self: &Arc<Self>) {
        match self.open().await {
            Ok(connection) => self.install(connection),
            Err(message) => {
                tracing::warn!(target: "portcullis::cache", redis = %self.url, error = %message, "Redis does not answer; cache lookups are misses until it does");
                self.slot().last_error = message;
                self.start_reconnecting();
            }
        }
    }

    /// Connects in the background, without waiting.
    pub(super) fn connect_later(self: &Arc<Self>) {
        self.start_reconnecting();
    }

    /// Whether a connection is held now (its next call may still fail).
    pub(super) fn is_connected(&self) -> bool {
        self.slot().connection.is_some()
    }

    /// Runs `operation` on the connection within `timeout`, turning every
    /// failure into a [`StoreError`] and noting what it says about the connection.
    pub(super) async fn call<T, F, Fut>(
        self: &Arc<Self>,
        timeout: Duration,
        operation: F,
    ) -> Result<T, StoreError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let (connection, generation) = self.connection()?;
        match tokio::time::timeout(timeout, operation(connection)).await {
            Ok(Ok(value)) => {
                self.answered();
                Ok(value)
            }
            Ok(Err(error)) => Err(self.failed(generation, &error)),
            Err(_) => {
                self.timed_out(generation, timeout);
                Err(StoreError::Timeout {
                    store: STORE,
                    timeout,
                })
            }
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        // Never held across anything that panics; a poisoned lock still
        // holds consistent data.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The connection to use, or why there is none (a reconnection is then under way).
    fn connection(self: &Arc<Self>) -> Result<(MultiplexedConnection, u64), StoreError> {
        let slot = self.slot();
        if let Some(connection) = &slot.connection {
            return Ok((connection.clone(), slot.generation));
        }
        let reason = format!(
            "not connected to {} ({}); reconnecting",
            self.url, slot.last_error
        );
        drop(slot);
        self.start_reconnecting();
        Err(StoreError::Unavailable {
            store: STORE,
            reason,
        })
    }

    /// One bounded connection attempt.
    async fn open(&self) -> Result<MultiplexedConnection, String> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(CONNECT_TIMEOUT)
            .set_tcp_settings(::redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let attempt = self
            .client
            .get_multiplexed_async_connection_with_config(&config);
        match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(error)) => Err(scrub(&self.secrets, error.to_string())),
            Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
        }
    }

    fn install(&self, connection: MultiplexedConnection) {
        let mut slot = self.slot();
        slot.connection = Some(connection);
        slot.generation += 1;
        self.answered();
        // Under the lock: a failure of the new connection needs its
        // generation, so it comes after this and starts a new task.
        self.reconnecting.store(false, Ordering::Release);
    }

    fn start_reconnecting(self: &Arc<Self>) {
        if self.reconnecting.swap(true, Ordering::AcqRel) {
            return;
        }
        // Held weakly: dropping the last clone of the store ends the task.
        drop(self.runtime.spawn(reconnect(Arc::downgrade(self))));
    }

    /// Drops connection `generation` (if still in use) and reconnects.
    fn lost(self: &Arc<Self>, generation: u64, reason: &str) {
        let mut slot = self.slot();
        if slot.generation != generation || slot.connection.is_none() {
            return;
        }
        slot.connection = None;
        slot.last_error = reason.to_owned();
        drop(slot);
        tracing::warn!(target: "portcullis::cache", redis = %self.url, error = %reason, "lost the connection to Redis; reconnecting");
        self.start_reconnecting();
    }

    fn answered(&self) {
        self.last_answer_ms
            .store(self.elapsed_ms(), Ordering::Relaxed);
    }

    fn failed(self: &Arc<Self>, generation: u64, error: &RedisError) -> StoreError {
        let message = scrub(&self.secrets, error.to_string());
        // I/O errors and broken protocol state need a new connection; so
        // does READONLY (after a failover this socket is on a replica, and
        // the name now leads to the new primary).
        if error.is_io_error()
            || error.is_unrecoverable_error()
            || error.kind() == ErrorKind::ReadOnly
        {
            self.lost(generation, &message);
        } else {
            // Redis answered, with an error: the connection works.
            self.answered();
        }
        StoreError::Unavailable {
            store: STORE,
            reason: format!("{}: {message}", self.url),
        }
    }

    fn timed_out(self: &Arc<Self>, generation: u64, timeout: Duration) {
        let silence = SILENCE_BEFORE_RECONNECT.max(timeout.saturating_mul(10));
        let silent_for = self
            .elapsed_ms()
            .saturating_sub(self.last_answer_ms.load(Ordering::Relaxed));
        if u128::from(silent_for) >= silence.as_millis() {
            self.lost(
                generation,
                &format!("no answer for {silent_for} ms while calls waited"),
            );
        }
    }
}

/// Reconnects until Redis answers, or until the store is dropped.
async fn reconnect(link: Weak<Link>) {
    let mut delay = RECONNECT_MIN_DELAY;
    loop {
        let Some(store) = link.upgrade() else { return };
        match store.open().await {
            Ok(connection) => {
                store.install(connection);
                tracing::info!(target: "portcullis::cache", redis = %store.url, "connected to Redis");
                return;
            }
            Err(message) => {
                tracing::debug!(target: "portcullis::cache", redis = %store.url, error = %message, "Redis does not answer yet");
                store.slot().last_error = message;
            }
        }
        drop(store);
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2).min(RECONNECT_MAX_DELAY);
    }
}

/// The passwords of `url` (as written, and as the client decoded it),
/// longest first, to scrub from messages.
fn secrets_of(url: &str, client: Option<&Client>) -> Vec<String> {
    let mut secrets: Vec<String> = client
        .and_then(|client| client.get_connection_info().redis.password.clone())
        .into_iter()
        .chain(url_password(url).map(str::to_owned))
        .filter(|secret| !secret.is_empty())
        .collect();
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets.dedup();
    secrets
}

/// `message` with every secret replaced by `***`.
fn scrub(secrets: &[String], mut message: String) -> String {
    for secret in secrets {
        if message.contains(secret.as_str()) {
            message = message.replace(secret.as_str(), "***");
        }
    }
    message
}

/// The password of `scheme://user:password@host…`, or of a `pass=` or
/// `password=` query parameter (`redis+unix` URLs).
fn url_password(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && let Some((_, password)) = userinfo.split_once(':')
    {
        return Some(password);
    }
    let (_, query) = rest.split_once('?')?;
    query
        .split(['&', '#'])
        .filter_map(|pair| pair.split_once('='))
        .find(|(name, _)| matches!(*name, "pass" | "password"))
        .map(|(_, value)| value)
}

/// `url` with its password replaced by `***`.
pub(super) fn redact_url(url: &str) -> String {
    match url_password(url) {
        Some(password) if !password.is_empty() => url.replacen(password, "***", 1),
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "redis://alice:s3cr%40t@cache.internal:6380/2",
                "redis://alice:***@cache.internal:6380/2",
            ),
            ("redis://:hunter2@127.0.0.1/", "redis://:***@127.0.0.1/"),
            (
                "redis+unix:///run/redis.sock?db=1&pass=hunter2",
                "redis+unix:///run/redis.sock?db=1&pass=***",
            ),
            ("rediss://u@host/", "rediss://u@host/"),
            ("redis://127.0.0.1:6379/", "redis://127.0.0.1:6379/"),
        ] {
            assert_eq!(redact_url(url), shown);
        }
    }

    #[test]
    fn messages_are_scrubbed_of_both_spellings() {
        let url = "redis://alice:s3cr%40t@cache.internal:6380/2";
        let client = Client::open(url).unwrap();
        let secrets = secrets_of(url, Some(&client));
        assert_eq!(
            scrub(&secrets, "auth s3cr@t / s3cr%40t failed".to_owned()),
            "auth *** / *** failed"
        );
    }

    #[tokio::test]
    async fn bad_urls_are_explained_without_the_password() {
        let Err(error) = Link::new("http://alice:hunter2@host/") else {
            panic!("an http URL is not a Redis URL")
        };
        let message = error.to_string();
        assert!(message.contains("alice:***@host"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn a_runtime_is_needed() {
        assert_eq!(
            Link::new("redis://127.0.0.1/").err(),
            Some(RedisConfigError::NoRuntime)
        );
    }
}
