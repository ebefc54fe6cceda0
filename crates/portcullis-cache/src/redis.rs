//! [`RedisStore`]: entries shared by every gateway node using the same
//! Redis and prefix, optionally encrypted at rest.

mod keys;
mod link;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;

use self::keys::Keys;
use self::link::{Link, STORE};
use crate::cipher::{Cipher, EncryptionKey};
use crate::store::{Store, StoreError};
use crate::{CacheKey, CachedResponse};

/// How long a Redis round trip may take before it answers [`StoreError::Timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(50);

/// The key prefix (and Redis Cluster hash tag) when none is set.
pub const DEFAULT_PREFIX: &str = "portcullis";

/// Keys a flush asks `SCAN` for, and removes, per round trip.
const FLUSH_BATCH: usize = 1_000;

/// A [`RedisStore`] that cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedisConfigError {
    /// The URL does not parse as a Redis URL.
    #[error(
        "`{url}` is not a usable Redis URL ({reason}); expected redis://[user:password@]host[:port][/db], rediss://… or redis+unix:///path/to/socket"
    )]
    Url {
        /// The URL, password replaced by `***`.
        url: String,
        /// What the Redis client said.
        reason: String,
    },
    /// The key prefix cannot be a hash tag.
    #[error(
        "the Redis key prefix must be non-empty and contain neither `{{` nor `}}` (it becomes the hash tag `{{prefix}}`); got `{0}`"
    )]
    Prefix(String),
    /// The store was made outside a Tokio runtime.
    #[error(
        "the Redis cache store needs a Tokio runtime: make it from within one (e.g. under #[tokio::main])"
    )]
    NoRuntime,
}

/// How to reach Redis and how to write there: the builder of a [`RedisStore`].
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use portcullis_cache::{EncryptionKey, RedisStore};
///
/// let key = EncryptionKey::parse(&std::env::var("CACHE_KEY")?)?;
/// let store = RedisStore::builder("redis://:password@cache.internal:6379/")
///     .prefix("gateway-eu")
///     .timeout(Duration::from_millis(20))
///     .encryption(key)
///     .connect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisConfig {
    url: String,
    prefix: String,
    timeout: Duration,
    encryption: Option<EncryptionKey>,
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &link::redact_url(&self.url))
            .field("prefix", &self.prefix)
            .field("timeout", &self.timeout)
            .field("encrypted", &self.encryption.is_some())
            .finish()
    }
}

impl RedisConfig {
    /// The Redis at `url` (`redis://[user:password@]host[:port][/db]`,
    /// `rediss://` when the redis crate is built with TLS,
    /// `redis+unix:///path`), prefix `portcullis`, 50 ms per round trip, no encryption.
    pub fn new(url: &str) -> Self {
        Self {
            url: url.to_owned(),
            prefix: DEFAULT_PREFIX.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            encryption: None,
        }
    }

    /// Starts every key with `{prefix}:` instead of `{portcullis}:`.
    /// Gateways share entries exactly when they share a Redis and a prefix
    /// (and an encryption key). Checked when the store is made: non-empty,
    /// without braces (it is the Redis Cluster hash tag).
    pub fn prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// How long one Redis round trip may take before it fails with
    /// [`StoreError::Timeout`] (50 ms by default): a lookup had better be a
    /// miss than wait on a struggling Redis longer than a backend call.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Encrypts entries at rest with `key` (AES-256-GCM). Every node
    /// sharing the prefix needs the same key; entries written without it
    /// (or with another) read as misses.
    pub fn encryption(mut self, key: EncryptionKey) -> Self {
        self.encryption = Some(key);
        self
    }

    /// The store, after one connection attempt (up to 1 s). When Redis does
    /// not answer, the store comes up anyway: its calls fail (lookups are
    /// misses) while it reconnects in the background. Only a malformed URL
    /// or prefix, or a call outside a Tokio runtime, is an error.
    pub async fn connect(self) -> Result<RedisStore, RedisConfigError> {
        let store = self.store()?;
        store.link.connect_once().await;
        Ok(store)
    }

    /// The store, at once: it connects in the background, and its calls
    /// fail (lookups are misses) until it has. Needs a Tokio runtime.
    pub fn build(self) -> Result<RedisStore, RedisConfigError> {
        let store = self.store()?;
        store.link.connect_later();
        Ok(store)
    }

    fn store(self) -> Result<RedisStore, RedisConfigError> {
        if self.prefix.is_empty() || self.prefix.contains(['{', '}']) {
            return Err(RedisConfigError::Prefix(self.prefix));
        }
        Ok(RedisStore {
            link: Link::new(&self.url)?,
            keys: Keys::new(&self.prefix),
            timeout: self.timeout,
            cipher: self
                .encryption
                .as_ref()
                .map(|key| Arc::new(Cipher::new(key))),
        })
    }
}

/// A [`Store`] in Redis, shared by every gateway node using the same Redis
/// and prefix.
///
/// # Entries
///
/// An entry is [`CachedResponse::encode`]'s binary form (sealed with
/// AES-256-GCM when an [`EncryptionKey`] is set, see `cipher.rs`),
/// written with `SET key value PX ttl`: Redis expires it itself, so nothing
/// here sweeps. Keys are laid out as `{prefix}:c:<partition>:<binary rest>`
/// (see `keys.rs`). Bytes that do not decode (another release's layout,
/// another encryption key, an entry moved to another key, tampering) answer
/// [`StoreError::Corrupt`], which the [`Cache`](crate::Cache) treats as a miss.
///
/// # Keys
///
/// `{prefix}:c:<partition>:<binary rest of the key>`, the partition kept
/// readable for `redis-cli --scan` (`%`, `:`, spaces and control characters
/// percent-escaped). `{prefix}` is a Redis Cluster hash tag: all of one
/// prefix's entries hash to one slot, so one `SCAN` on one node finds a
/// partition's keys, at the price of not spreading one prefix over a
/// cluster's shards (give groups of gateways different prefixes when one
/// shard is not enough). The store talks to one endpoint.
///
/// # Flush
///
/// [`flush`](Store::flush) walks the partition's keys with `SCAN MATCH`
/// (the partition escaped so glob characters in it match only themselves)
/// and removes each batch with `UNLINK` (freed by Redis in the background).
/// It never blocks Redis the way `KEYS` or a script over all keys would.
/// Entries written while a flush runs may survive it, as with API Gateway.
///
/// # Failures
///
/// Every Redis round trip is bounded by the store's
/// [`timeout`](RedisConfig::timeout) (50 ms by default) and answers
/// [`StoreError::Timeout`] past it; any Redis error answers
/// [`StoreError::Unavailable`], passwords scrubbed. A flush makes one round
/// trip per batch of 1,000 keys, each bounded. The connection is one
/// multiplexed socket, replaced in the background when lost: meanwhile
/// calls fail at once, and the store recovers by itself when Redis is back.
///
/// Cheap to clone; clones share the connection.
#[derive(Clone)]
pub struct RedisStore {
    link: Arc<Link>,
    keys: Keys,
    timeout: Duration,
    cipher: Option<Arc<Cipher>>,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.link.url)
            .field("keys", &format_args!("{}…", self.keys.head()))
            .field("timeout", &self.timeout)
            .field("encrypted", &self.cipher.is_some())
            .field("connected", &self.is_connected())
            .finish()
    }
}

impl RedisStore {
    /// A store on the Redis at `url` with the defaults, after one
    /// connection attempt: [`RedisConfig::new`]`(url).`[`connect`](RedisConfig::connect)`()`.
    pub async fn connect(url: &str) -> Result<Self, RedisConfigError> {
        RedisConfig::new(url).connect().await
    }

    /// The builder: prefix, timeout, encryption.
    pub fn builder(url: &str) -> RedisConfig {
        RedisConfig::new(url)
    }

    /// The budget of one Redis round trip.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether entries are encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.cipher.is_some()
    }

    /// Whether the store holds a connection now (its next call may still fail).
    pub fn is_connected(&self) -> bool {
        self.link.is_connected()
    }

    /// The Redis key holding `key`'s entry (for inspection with `redis-cli`).
    pub fn redis_key(&self, key: &CacheKey) -> Vec<u8> {
        self.keys.entry(key)
    }

    /// What stored bytes hold, or why they cannot be read.
    fn read(&self, redis_key: &[u8], stored: Vec<u8>) -> Result<CachedResponse, StoreError> {
        let plain = match &self.cipher {
            Some(cipher) => cipher.open(redis_key, stored).map_err(corrupt)?,
            None => stored,
        };
        CachedResponse::decode(Bytes::from(plain)).map_err(corrupt)
    }
}

fn corrupt(error: impl fmt::Display) -> StoreError {
    StoreError::Corrupt {
        store: STORE,
        reason: error.to_string(),
    }
}

/// A TTL in whole milliseconds for `PX`, rounded up (never 0, which Redis refuses).
fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_nanos().div_ceil(1_000_000))
        .unwrap_or(u64::MAX)
        .max(1)
}

impl Store for RedisStore {
    async fn get(&self, key: &CacheKey) -> Result<Option<Arc<CachedResponse>>, StoreError> {
        let redis_key = self.keys.entry(key);
        let stored: Option<Vec<u8>> = self
            .link
            .call(self.timeout, |mut connection| {
                let get = ::redis::cmd("GET").arg(&redis_key).to_owned();
                async move { get.query_async(&mut connection).await }
            })
            .await?;
        match stored {
            None => Ok(None),
            Some(stored) => self
                .read(&redis_key, stored)
                .map(|entry| Some(Arc::new(entry))),
        }
    }

    async fn put(
        &self,
        key: CacheKey,
        entry: Arc<CachedResponse>,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let redis_key = self.keys.entry(&key);
        let mut command = if ttl.is_zero() {
            // Kept for no time: what was there is replaced by nothing.
            ::redis::cmd("UNLINK")
        } else {
            ::redis::cmd("SET")
        };
        command.arg(&redis_key);
        if !ttl.is_zero() {
            let encoded = entry.encode();
            match &self.cipher {
                Some(cipher) => {
                    let sealed = cipher.seal(&redis_key, &encoded).map_err(|error| {
                        StoreError::Unavailable {
                            store: STORE,
                            reason: error.to_string(),
                        }
                    })?;
                    command.arg(sealed);
                }
                None => {
                    command.arg(&encoded[..]);
                }
            }
            command.arg("PX").arg(ttl_millis(ttl));
        }
        self.link
            .call(self.timeout, |mut connection| async move {
                command.exec_async(&mut connection).await
            })
            .await
    }

    async fn flush(&self, partition: &str) -> Result<(), StoreError> {
        let pattern = self.keys.partition_pattern(partition);
        let mut cursor: u64 = 0;
        loop {
            let mut scan = ::redis::cmd("SCAN");
            scan.arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(FLUSH_BATCH);
            let (next, found): (u64, Vec<Vec<u8>>) = self
                .link
                .call(self.timeout, |mut connection| async move {
                    scan.query_async(&mut connection).await
                })
                .await?;
            if !found.is_empty() {
                let mut unlink = ::redis::cmd("UNLINK");
                unlink.arg(found);
                self.link
                    .call(self.timeout, |mut connection| async move {
                        unlink.exec_async(&mut connection).await
                    })
                    .await?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_round_up_to_a_millisecond() {
        assert_eq!(ttl_millis(Duration::from_nanos(1)), 1);
        assert_eq!(ttl_millis(Duration::from_micros(1_500)), 2);
        assert_eq!(ttl_millis(Duration::from_secs(300)), 300_000);
        assert_eq!(ttl_millis(Duration::MAX), u64::MAX);
    }

    #[tokio::test]
    async fn prefixes_must_be_hash_tags() {
        for prefix in ["", "a{b", "c}"] {
            assert_eq!(
                RedisStore::builder("redis://127.0.0.1/")
                    .prefix(prefix)
                    .build()
                    .err(),
                Some(RedisConfigError::Prefix(prefix.to_owned()))
            );
        }
    }

    #[tokio::test]
    async fn debug_shows_neither_password_nor_key() {
        let config = RedisStore::builder("redis://alice:hunter2@127.0.0.1:1/")
            .encryption(EncryptionKey::from_bytes([0x41; 32]));
        let shown = format!("{config:?}");
        assert!(
            shown.contains("alice:***@") && !shown.contains("hunter2"),
            "{shown}"
        );
        let store = config.build().unwrap();
        let shown = format!("{store:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            !shown.contains("AAAA") && !shown.contains("65, 65"),
            "{shown}"
        );
        assert!(shown.contains("encrypted: true"), "{shown}");
    }

    #[tokio::test]
    async fn an_unreachable_redis_answers_at_once() {
        // Port 1 on loopback: refused at once.
        let store = RedisStore::connect("redis://127.0.0.1:1/").await.unwrap();
        assert!(!store.is_connected());
        let key = CacheKey::builder("s").build();
        let started = std::time::Instant::now();
        let error = store.get(&key).await.unwrap_err();
        assert!(matches!(error, StoreError::Unavailable { .. }), "{error}");
        assert!(store.flush("s").await.is_err());
        let entry = Arc::new(CachedResponse::new(http::StatusCode::OK, Bytes::new()));
        assert!(store.put(key, entry, Duration::from_secs(1)).await.is_err());
        assert!(started.elapsed() < Duration::from_millis(50));
    }
}
