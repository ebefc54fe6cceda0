//! [`RedisStore`]: throttles and quotas shared by every gateway node that
//! talks to the same Redis.
//!
//! # One script per request
//!
//! A request's checks (a usage plan's throttle, a stage's, the account's, the
//! plan's quota, the daily usage counter…) go to Redis as **one** Lua script
//! call (`EVALSHA`, falling back to `EVAL`'s load on `NOSCRIPT`, which is what
//! [`redis::Script`] does). The script runs the checks in order, exactly as
//! [`Throttle::step`] and [`Quota::allowance`] say, counts each admitted one
//! and stops at the first refusal. Redis runs a script atomically, so the
//! whole list is atomic across all nodes: two gateways can never both take
//! the last token, and a refusal by the account throttle never leaves a
//! quota counted. One round trip per request, whatever the number of checks.
//!
//! Everything a check needs that does not depend on stored state (interval,
//! tolerance, this period's allowance, expiries) is computed here in Rust and
//! passed as arguments, so the script only reads, compares and writes.
//!
//! # Exact time in Lua
//!
//! Lua numbers are IEEE doubles: integers are exact only below 2^53, and a
//! nanosecond timestamp today is about 1.8·10^18 ≈ 2^60.6. Rounding a TAT by
//! even one nanosecond would make Redis and the in-memory store disagree at
//! interval boundaries. So every time value crosses into Lua as two limbs,
//! whole **seconds** (below 1.9·10^10) and **nanoseconds** within the second
//! (below 10^9), and the script adds, subtracts and compares limbs with a
//! carry: every intermediate value stays below 2^36, hence exact. A TAT is
//! stored as the plain decimal string of its u64 nanoseconds (readable with
//! `redis-cli GET`), which the script splits nine digits from the right and
//! writes back with `%.0f%09d` (never `tostring`, which rounds to 14 digits).
//! The script returns TATs as limbs too, and Rust computes what needs
//! division (`remaining`, `retry_after`) with [`Throttle`]'s own u64
//! arithmetic. Counts are small integers and stay exact; an allowance above
//! 2^53 (no counter reaches it) is passed as 2^53.
//!
//! # Keys and the hash tag
//!
//! - `{prefix}:t:{key}`: a throttle's TAT, with a `PEXPIRE` of when its bucket
//!   is full again (TAT ≤ now, rounded up to the millisecond). An idle key
//!   vanishes by itself, and a missing key steps exactly like a full bucket.
//! - `{prefix}:q:{key}:{DAY|WEEK|MONTH}:{index}`: a quota's count for one
//!   period ([`Period::index`]), expiring [`retention`](RedisStore::retention)
//!   (90 days by default) after the period's end, so that usage can be read
//!   back (`GetUsage`) after the period.
//!
//! The braces are a Redis Cluster hash tag: only `prefix` is hashed, so every
//! key of one prefix lives on the same slot. That is what lets one script
//! touch all of a request's keys (Cluster refuses a multi-key script across
//! slots with `CROSSSLOT`), and so what makes multi-level checks exact and
//! atomic. The price is that all limit state of one prefix sits on one shard:
//! it does not spread over a cluster. Deployments that outgrow one shard give
//! groups of gateways (or tenants) different prefixes, which hash to different
//! slots. This store talks to one endpoint (a standalone Redis, a primary
//! behind a DNS name or proxy); the tag keeps its keys cluster-ready.
//!
//! # Failures and recovery
//!
//! Every call is bounded by [`timeout`](RedisStore::timeout) (50 ms by
//! default) and answers [`StoreError::Timeout`] past it; any Redis error
//! becomes [`StoreError::Unavailable`], with passwords scrubbed from the
//! message. [`Limiter`](crate::Limiter) then applies its failure policy. No
//! call panics.
//!
//! The store keeps one multiplexed connection (many requests in flight on
//! one socket) and replaces it itself: [`RedisStore::connect`] tries once
//! (bounded, 1 s) and, when Redis is not there, comes up anyway,
//! disconnected. Whenever the connection is missing, or fails with an I/O
//! error, or has not answered anything for a while although calls timed
//! out, a background task reconnects with backoff (25 ms doubling to 1 s)
//! until Redis answers. Meanwhile calls fail at once (no waiting on a dead
//! socket), so the failure policy answers within microseconds. After a
//! restart Redis has lost its script cache; the first call reloads it.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::time::{Duration, Instant};

use ::redis::aio::MultiplexedConnection;
use ::redis::{AsyncConnectionConfig, Client, ErrorKind, RedisError, RedisResult, Script};
use tokio::runtime::Handle;

use crate::check::{Check, Headroom, Outcome, Rule};
use crate::clock::{Clock, SystemClock};
use crate::rule::{Period, Quota, Throttle};
use crate::store::{Pending, Store, StoreError};

/// How long a call may take before it answers [`StoreError::Timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(50);

/// The key prefix (and Redis Cluster hash tag) when none is set.
pub const DEFAULT_PREFIX: &str = "portcullis";

/// How long a quota's count is kept after its period ends.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(90 * 86_400);

/// How long one connection attempt (TCP, AUTH, SELECT) may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// The first pause between reconnection attempts; it doubles up to
/// [`RECONNECT_MAX_DELAY`]. Refused connections fail at once, so attempts
/// stay cheap, and a restarted Redis is found again within about a second.
const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(25);
const RECONNECT_MAX_DELAY: Duration = Duration::from_secs(1);

/// A connection that answered nothing for this long (at least), while calls
/// on it timed out, is presumed dead (a peer gone without a reset) and replaced.
const SILENCE_BEFORE_RECONNECT: Duration = Duration::from_secs(1);

const NANOS_PER_SECOND: u64 = 1_000_000_000;
const NANOS_PER_MILLI: u64 = 1_000_000;

/// The largest integer a Lua number holds exactly.
const LUA_EXACT: u64 = 1 << 53;

/// A [`RedisStore`] that cannot be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedisConfigError {
    /// The URL does not parse as a Redis URL.
    #[error(
        "`{url}` is not a usable Redis URL ({reason}); expected redis://[user:password@]host[:port][/db] or redis+unix:///path/to/socket"
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
    /// [`RedisStore::connect`] was called outside a Tokio runtime.
    #[error(
        "the Redis store needs a Tokio runtime: call RedisStore::connect from within one (e.g. under #[tokio::main])"
    )]
    NoRuntime,
}

/// A [`Store`] in Redis, shared by every gateway node using the same Redis
/// and prefix. See the [module documentation](self) for the design.
///
/// Cloning is cheap and shares the connection; the builder methods
/// ([`timeout`](Self::timeout), [`prefix`](Self::prefix),
/// [`retention`](Self::retention)) apply to the clone they are called on.
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use portcullis_ratelimit::{Limiter, OnFailure, RedisStore};
///
/// let store = RedisStore::connect("redis://127.0.0.1:6379/")
///     .await?
///     .timeout(Duration::from_millis(20))
///     .prefix("gateway-eu")?;
/// let limiter = Limiter::new(store).on_failure(OnFailure::Admit);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    shared: Arc<Shared>,
    /// `{prefix}:`, the start of every key.
    tag: Arc<str>,
    timeout: Duration,
    retention: Duration,
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.shared.url)
            .field("keys", &format_args!("{}…", self.tag))
            .field("timeout", &self.timeout)
            .field("retention", &self.retention)
            .field("connected", &self.is_connected())
            .finish()
    }
}

impl RedisStore {
    /// A store on the Redis at `url` (`redis://[user:password@]host[:port][/db]`,
    /// `redis+unix:///path`), with a 50 ms timeout per call and the prefix
    /// `portcullis`.
    ///
    /// Tries to connect once (up to 1 s). When Redis does not answer, the
    /// store comes up anyway: calls fail (the [`Limiter`](crate::Limiter)'s
    /// policy answers them) while a background task reconnects, and limits
    /// are enforced as soon as Redis answers. Only a malformed URL, or a call
    /// outside a Tokio runtime, is an error.
    pub async fn connect(url: &str) -> Result<Self, RedisConfigError> {
        let redacted = redact_url(url);
        let runtime = Handle::try_current().map_err(|_| RedisConfigError::NoRuntime)?;
        let client = Client::open(url).map_err(|error| RedisConfigError::Url {
            url: redacted.clone(),
            reason: error.to_string(),
        })?;
        let secrets = secrets(url, &client);
        let shared = Arc::new(Shared {
            client,
            url: redacted,
            secrets,
            runtime,
            slot: Mutex::new(Slot {
                connection: None,
                generation: 0,
                last_error: "not connected yet".to_owned(),
            }),
            reconnecting: AtomicBool::new(false),
            started: Instant::now(),
            last_answer_ms: AtomicU64::new(0),
            checks: Script::new(include_str!("script.lua")),
            set_count: Script::new(SET_COUNT),
        });
        match shared.open().await {
            Ok(connection) => shared.install(connection),
            Err(message) => {
                tracing::warn!(target: "portcullis::ratelimit", redis = %shared.url, error = %message, "Redis does not answer; limits fall back to the failure policy until it does");
                shared.slot().last_error = message;
                shared.start_reconnecting();
            }
        }
        Ok(Self {
            shared,
            tag: Arc::from(format!("{{{DEFAULT_PREFIX}}}:")),
            timeout: DEFAULT_TIMEOUT,
            retention: DEFAULT_RETENTION,
        })
    }

    /// How long one call (a request's checks, a count read or write) may
    /// take, connection wait included, before it fails with
    /// [`StoreError::Timeout`]. 50 ms by default: a request should rather be
    /// answered by the failure policy than wait on a struggling Redis.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts every key with `{prefix}:` instead of `{portcullis}:`.
    ///
    /// Gateways share limits exactly when they share a Redis and a prefix.
    /// The prefix is the Redis Cluster hash tag, so each prefix's keys stay
    /// on one slot and different prefixes spread over slots.
    pub fn prefix(mut self, prefix: &str) -> Result<Self, RedisConfigError> {
        if prefix.is_empty() || prefix.contains(['{', '}']) {
            return Err(RedisConfigError::Prefix(prefix.to_owned()));
        }
        self.tag = Arc::from(format!("{{{prefix}}}:"));
        Ok(self)
    }

    /// How long a quota's count is kept after its period ends (90 days by
    /// default), for usage reads.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Whether the store holds a connection to Redis right now (it may still
    /// fail its next call).
    pub fn is_connected(&self) -> bool {
        self.shared.slot().connection.is_some()
    }

    /// The key holding a throttle's TAT.
    pub fn throttle_key(&self, key: &str) -> String {
        format!("{}t:{key}", self.tag)
    }

    /// The key holding a quota's count for period `index`.
    pub fn quota_key(&self, key: &str, period: Period, index: u64) -> String {
        format!("{}q:{key}:{}:{index}", self.tag, period.as_str())
    }

    /// Milliseconds from `now` until a quota key of period `index` may go:
    /// the period's end plus the retention.
    fn quota_ttl_ms(&self, period: Period, index: u64, now: u64) -> u64 {
        let end = period.start(index.saturating_add(1));
        let retention = u64::try_from(self.retention.as_millis()).unwrap_or(u64::MAX);
        end.saturating_sub(now)
            .div_ceil(NANOS_PER_MILLI)
            .saturating_add(retention)
            .max(1)
    }

    /// Runs `operation` on the connection within the timeout, turning every
    /// failure into a [`StoreError`] and noting what it says about the
    /// connection.
    async fn call<T, F, Fut>(&self, operation: F) -> Result<T, StoreError>
    where
        F: FnOnce(MultiplexedConnection) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        // Timers need a Tokio runtime; without one, fail rather than panic.
        if Handle::try_current().is_err() {
            return Err(StoreError::Unavailable(
                "the Redis store was polled outside a Tokio runtime".to_owned(),
            ));
        }
        let (connection, generation) = self.shared.connection()?;
        match tokio::time::timeout(self.timeout, operation(connection)).await {
            Ok(Ok(value)) => {
                self.shared.answered();
                Ok(value)
            }
            Ok(Err(error)) => Err(self.shared.failed(generation, &error)),
            Err(_) => {
                self.shared.timed_out(generation, self.timeout);
                Err(StoreError::Timeout(self.timeout))
            }
        }
    }
}

impl Store for RedisStore {
    fn ping(&self) -> Pending<'_, ()> {
        Pending::boxed(async move {
            self.call(|mut connection| async move {
                ::redis::cmd("PING")
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await
        })
    }

    fn check<'a>(&'a self, checks: &'a [Check<'a>], now: u64) -> Pending<'a, Outcome> {
        // A throttle that refuses everything (rate or burst 0) needs no state:
        // only the checks before it go to Redis.
        let blocked = checks
            .iter()
            .position(|check| matches!(check.rule, Rule::Throttle(t) if t.refuses_all()));
        let sent = &checks[..blocked.unwrap_or(checks.len())];
        if sent.is_empty() {
            return Pending::ready(Ok(outcome(checks, blocked, &[0], now)));
        }
        let mut invocation = self.shared.checks.prepare_invoke();
        let (now_s, now_ns) = limbs(now);
        invocation.arg(now_s).arg(now_ns);
        for check in sent {
            match check.rule {
                Rule::Throttle(throttle) => {
                    let (interval_s, interval_ns) = limbs(throttle.interval_nanos());
                    let (tolerance_s, tolerance_ns) = limbs(throttle.tolerance_nanos());
                    invocation
                        .key(self.throttle_key(check.key))
                        .arg("t")
                        .arg(interval_s)
                        .arg(interval_ns)
                        .arg(tolerance_s)
                        .arg(tolerance_ns);
                }
                Rule::Quota(quota) => {
                    let period = quota.period();
                    let index = period.index(now);
                    let allowance = if is_unlimited(&quota) {
                        -1
                    } else {
                        // Exact as a Lua number; no count gets that far.
                        i64::try_from(quota.allowance(index).min(LUA_EXACT)).unwrap_or(i64::MAX)
                    };
                    invocation
                        .key(self.quota_key(check.key, period, index))
                        .arg("q")
                        .arg(allowance)
                        .arg(self.quota_ttl_ms(period, index, now));
                }
            }
        }
        Pending::boxed(async move {
            let reply: Vec<i64> = self
                .call(
                    |mut connection| async move { invocation.invoke_async(&mut connection).await },
                )
                .await?;
            Ok(outcome(checks, blocked, &reply, now))
        })
    }

    fn counted<'a>(&'a self, key: &'a str, period: Period, index: u64) -> Pending<'a, u64> {
        let key = self.quota_key(key, period, index);
        Pending::boxed(async move {
            let count: Option<u64> = self
                .call(|mut connection| async move {
                    ::redis::cmd("GET")
                        .arg(&key)
                        .query_async(&mut connection)
                        .await
                })
                .await?;
            Ok(count.unwrap_or(0))
        })
    }

    fn set_counted<'a>(
        &'a self,
        key: &'a str,
        period: Period,
        index: u64,
        count: u64,
    ) -> Pending<'a, ()> {
        let key = self.quota_key(key, period, index);
        // A key created here gets the expiry a check would give it (so at
        // least `retention` from now, when its period is already over).
        let ttl = self.quota_ttl_ms(period, index, SystemClock.now_nanos());
        Pending::boxed(async move {
            self.call(|mut connection| async move {
                self.shared
                    .set_count
                    .key(&key)
                    .arg(count)
                    .arg(ttl)
                    .invoke_async::<()>(&mut connection)
                    .await
            })
            .await
        })
    }
}

/// Sets a count, keeping the key's expiry when it has one (the retention a
/// check gave it) and giving it ARGV[2] ms otherwise.
const SET_COUNT: &str = "\
if redis.call('PTTL', KEYS[1]) > 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 0";

/// A u64 as the script's two limbs: whole seconds and nanoseconds within.
fn limbs(nanos: u64) -> (u64, u64) {
    (nanos / NANOS_PER_SECOND, nanos % NANOS_PER_SECOND)
}

/// Unlimited counters record usage and never refuse; their headroom is not reported.
fn is_unlimited(quota: &Quota) -> bool {
    quota.limit() == u64::MAX
}

/// The [`Outcome`] of `checks` from the script's `reply` (see script.lua)
/// over the checks sent, and `blocked`, the first throttle refusing everything.
///
/// Whatever divides (remaining tokens, retry delays) is done here, on the
/// exact TATs the script returns, with [`Throttle`]'s own arithmetic.
fn outcome(checks: &[Check<'_>], blocked: Option<usize>, reply: &[i64], now: u64) -> Outcome {
    let mut values = reply.iter().skip(1).map(|&v| u64::try_from(v).unwrap_or(0));
    let refused = reply
        .first()
        .and_then(|&first| usize::try_from(first).ok())
        .and_then(|first| first.checked_sub(1));
    let mut result = Outcome::admitted(None);
    let consulted = refused.map_or(blocked.unwrap_or(checks.len()), |index| index + 1);
    for (index, check) in checks.iter().enumerate().take(consulted) {
        let refusing = refused == Some(index);
        match check.rule {
            Rule::Throttle(throttle) => {
                let seconds = values.next().unwrap_or(0);
                let nanos = values.next().unwrap_or(0);
                let tat = seconds
                    .saturating_mul(NANOS_PER_SECOND)
                    .saturating_add(nanos);
                let reset = Duration::from_nanos(tat.saturating_sub(now));
                if refusing {
                    result.refused = Some(index);
                    result.retry_after = throttle.step(tat, now).err().unwrap_or_default();
                }
                let remaining = if refusing {
                    0
                } else {
                    throttle.remaining(tat, now)
                };
                tighten(
                    &mut result.headroom,
                    throttle_headroom(&throttle, remaining, reset),
                );
            }
            Rule::Quota(quota) => {
                let count = values.next().unwrap_or(0);
                let period = quota.period();
                let reset = period.until_next(now);
                if refusing {
                    result.refused = Some(index);
                    result.retry_after = reset;
                }
                if refusing || !is_unlimited(&quota) {
                    let limit = quota.allowance(period.index(now));
                    let remaining = if refusing {
                        0
                    } else {
                        limit.saturating_sub(count)
                    };
                    tighten(
                        &mut result.headroom,
                        Headroom {
                            limit,
                            remaining,
                            reset,
                        },
                    );
                }
            }
        }
    }
    if let (None, Some(index)) = (refused, blocked) {
        // Every check before it admitted; the blocking throttle refuses, for ever.
        if let Some(Rule::Throttle(throttle)) = checks.get(index).map(|check| check.rule) {
            let never = Duration::from_nanos(u64::MAX);
            result.refused = Some(index);
            result.retry_after = never;
            tighten(&mut result.headroom, throttle_headroom(&throttle, 0, never));
        }
    }
    result
}

fn throttle_headroom(throttle: &Throttle, remaining: u64, reset: Duration) -> Headroom {
    Headroom {
        limit: throttle.burst(),
        remaining,
        reset,
    }
}

/// Keeps the smallest `remaining` (the first one on ties).
fn tighten(best: &mut Option<Headroom>, candidate: Headroom) {
    if best.is_none_or(|best| candidate.remaining < best.remaining) {
        *best = Some(candidate);
    }
}

/// What every clone of one store shares: the client, the connection and its health.
struct Shared {
    client: Client,
    /// The URL, password replaced by `***`: for messages.
    url: String,
    /// Strings never to show in a message (the password, as given and decoded).
    secrets: Vec<String>,
    /// Where the reconnection task runs: the runtime `connect` ran in.
    runtime: Handle,
    slot: Mutex<Slot>,
    /// Whether a reconnection task is running.
    reconnecting: AtomicBool,
    started: Instant,
    /// When Redis last answered anything, in ms since `started`.
    last_answer_ms: AtomicU64,
    checks: Script,
    set_count: Script,
}

struct Slot {
    /// The connection in use; `None` while (re)connecting.
    connection: Option<MultiplexedConnection>,
    /// Counts connections installed, so that a failure on an old one does
    /// not throw away its successor.
    generation: u64,
    /// Why there is no connection, for the messages of calls failing meanwhile.
    last_error: String,
}

impl Shared {
    fn slot(&self) -> MutexGuard<'_, Slot> {
        // The lock is never held across a call that can panic; a poisoned
        // lock still holds consistent data.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn elapsed_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// The connection to use, or why there is none (and a reconnection under way).
    fn connection(self: &Arc<Self>) -> Result<(MultiplexedConnection, u64), StoreError> {
        let slot = self.slot();
        if let Some(connection) = &slot.connection {
            return Ok((connection.clone(), slot.generation));
        }
        let message = format!(
            "not connected to Redis at {} ({}); reconnecting",
            self.url, slot.last_error
        );
        drop(slot);
        self.start_reconnecting();
        Err(StoreError::Unavailable(message))
    }

    /// One connection attempt, bounded.
    async fn open(&self) -> Result<MultiplexedConnection, String> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(CONNECT_TIMEOUT)
            .set_tcp_settings(::redis::io::tcp::TcpSettings::default().set_nodelay(true));
        let attempt = self
            .client
            .get_multiplexed_async_connection_with_config(&config);
        match tokio::time::timeout(CONNECT_TIMEOUT, attempt).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(error)) => Err(self.scrub(error.to_string())),
            Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
        }
    }

    fn install(&self, connection: MultiplexedConnection) {
        let mut slot = self.slot();
        slot.connection = Some(connection);
        slot.generation += 1;
        self.last_answer_ms
            .store(self.elapsed_ms(), Ordering::Relaxed);
        // Under the lock: a failure of this new connection, which needs its
        // generation, can only come after, and then starts a new task.
        self.reconnecting.store(false, Ordering::Release);
    }

    fn start_reconnecting(self: &Arc<Self>) {
        if self.reconnecting.swap(true, Ordering::AcqRel) {
            return;
        }
        // The task holds the store weakly: dropping the last clone ends it.
        let shared = Arc::downgrade(self);
        drop(self.runtime.spawn(reconnect(shared)));
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
        tracing::warn!(target: "portcullis::ratelimit", redis = %self.url, error = %reason, "lost the connection to Redis; reconnecting");
        self.start_reconnecting();
    }

    fn answered(&self) {
        self.last_answer_ms
            .store(self.elapsed_ms(), Ordering::Relaxed);
    }

    fn failed(self: &Arc<Self>, generation: u64, error: &RedisError) -> StoreError {
        let message = self.scrub(error.to_string());
        // I/O errors and broken protocol state need a new connection; so
        // does READONLY: after a failover the primary's name may now lead
        // to the new primary, and this socket is on a replica.
        if error.is_io_error()
            || error.is_unrecoverable_error()
            || error.kind() == ErrorKind::ReadOnly
        {
            self.lost(generation, &message);
        } else {
            // Redis answered, with an error: the connection is fine.
            self.answered();
        }
        StoreError::Unavailable(format!("Redis at {}: {message}", self.url))
    }

    fn timed_out(self: &Arc<Self>, generation: u64, timeout: Duration) {
        let silence = SILENCE_BEFORE_RECONNECT.max(timeout.saturating_mul(10));
        let silent_for = self
            .elapsed_ms()
            .saturating_sub(self.last_answer_ms.load(Ordering::Relaxed));
        if u128::from(silent_for) >= silence.as_millis() {
            self.lost(
                generation,
                &format!("no answer for {silent_for} ms although calls were waiting"),
            );
        }
    }

    /// `message` with every secret replaced by `***`.
    fn scrub(&self, mut message: String) -> String {
        for secret in &self.secrets {
            if message.contains(secret.as_str()) {
                message = message.replace(secret.as_str(), "***");
            }
        }
        message
    }
}

/// Reconnects until Redis answers (or the store is dropped).
async fn reconnect(shared: Weak<Shared>) {
    let mut delay = RECONNECT_MIN_DELAY;
    loop {
        let Some(store) = shared.upgrade() else {
            return;
        };
        match store.open().await {
            Ok(connection) => {
                store.install(connection);
                tracing::info!(target: "portcullis::ratelimit", redis = %store.url, "connected to Redis");
                return;
            }
            Err(message) => {
                tracing::debug!(target: "portcullis::ratelimit", redis = %store.url, error = %message, "Redis does not answer yet");
                store.slot().last_error = message;
            }
        }
        drop(store);
        tokio::time::sleep(delay).await;
        delay = delay.saturating_mul(2).min(RECONNECT_MAX_DELAY);
    }
}

/// The password of `url`, as written and as decoded, to scrub from messages.
fn secrets(url: &str, client: &Client) -> Vec<String> {
    let mut secrets = Vec::new();
    if let Some(password) = &client.get_connection_info().redis.password {
        secrets.push(password.clone());
    }
    if let Some(password) = url_password(url) {
        secrets.push(password.to_owned());
    }
    secrets.retain(|secret| !secret.is_empty());
    secrets.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    secrets.dedup();
    secrets
}

/// The password in `scheme://user:password@host` or in a `pass=` / `password=` query.
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

/// `url` with its password replaced by `***`, for messages and `Debug`.
fn redact_url(url: &str) -> String {
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
        assert_eq!(
            redact_url("redis://alice:s3cr%40t@redis.internal:6380/2"),
            "redis://alice:***@redis.internal:6380/2"
        );
        assert_eq!(
            redact_url("redis://:hunter2@127.0.0.1/"),
            "redis://:***@127.0.0.1/"
        );
        assert_eq!(
            redact_url("redis+unix:///run/redis.sock?db=1&pass=hunter2"),
            "redis+unix:///run/redis.sock?db=1&pass=***"
        );
        assert_eq!(
            redact_url("redis://127.0.0.1:6379/"),
            "redis://127.0.0.1:6379/"
        );
        assert_eq!(url_password("redis://user@host/"), None);
    }

    #[test]
    fn limbs_are_exact_in_a_double() {
        for nanos in [
            0,
            1,
            999_999_999,
            1_000_000_000,
            1_790_000_000_123_456_789,
            u64::MAX,
        ] {
            let (seconds, within) = limbs(nanos);
            assert!(seconds < LUA_EXACT && within < NANOS_PER_SECOND);
            assert_eq!(seconds * NANOS_PER_SECOND + within, nanos);
        }
    }

    #[test]
    fn outcomes_follow_the_reply() {
        let now = 20_000 * 86_400 * NANOS_PER_SECOND + 7;
        let throttle = Throttle::new(100.0, 50).unwrap();
        let quota = Quota::new(1_000, Period::Day);
        let usage = Quota::unlimited(Period::Day);
        let checks = [
            Check::throttle("plan", throttle),
            Check::quota("quota", quota),
            Check::quota("usage", usage),
        ];
        // All admitted: the throttle's TAT is 10 ms ahead (49 left), 900 of 1000 used.
        let tat = now + 10_000_000;
        let (s, ns) = limbs(tat);
        let reply = [0, s as i64, ns as i64, 900, 12_345];
        let outcome = outcome(&checks, None, &reply, now);
        assert_eq!(outcome.refused, None);
        assert_eq!(
            outcome.headroom,
            Some(Headroom {
                limit: 50,
                remaining: 49,
                reset: Duration::from_millis(10)
            })
        );
        // The quota refuses: the usage counter is not consulted.
        let reply = [2, s as i64, ns as i64, 1_000];
        let outcome = super::outcome(&checks, None, &reply, now);
        assert_eq!(outcome.refused, Some(1));
        assert_eq!(outcome.retry_after, Period::Day.until_next(now));
        assert_eq!(outcome.headroom.unwrap().remaining, 0);
        // A blocked throttle after the others.
        let blocked = [
            Check::throttle("plan", throttle),
            Check::throttle("off", Throttle::new(0.0, 5).unwrap()),
        ];
        let outcome = super::outcome(&blocked, Some(1), &[0, s as i64, ns as i64], now);
        assert_eq!(outcome.refused, Some(1));
        assert_eq!(outcome.retry_after, Duration::from_nanos(u64::MAX));
    }
}
