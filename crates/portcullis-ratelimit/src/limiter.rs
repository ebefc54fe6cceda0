//! [`Limiter`]: a request's checks run against a store, with a policy for
//! when the store cannot answer.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::check::{Check, Outcome};
use crate::clock::{Clock, SystemClock};
use crate::store::{Store, StoreError};

/// What to do with a request when the store cannot answer (Redis down or slow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnFailure {
    /// Admit it, unlimited (as Kong and Envoy's rate-limit service do).
    #[default]
    Admit,
    /// Refuse it, as if its first check had refused.
    Refuse,
    /// Check it against the fallback store (usually a node-local memory store).
    Fallback,
}

impl std::str::FromStr for OnFailure {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "admit" | "open" => Ok(Self::Admit),
            "refuse" | "closed" => Ok(Self::Refuse),
            "fallback" | "local" => Ok(Self::Fallback),
            _ => Err(format!(
                "`{text}` is not a failure policy; expected admit, refuse or local"
            )),
        }
    }
}

/// How long a refused-by-policy request is told to wait.
const POLICY_RETRY_AFTER: Duration = Duration::from_secs(1);

/// Runs checks against a [`Store`] at the [`Clock`]'s time; never fails.
pub struct Limiter {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    on_failure: OnFailure,
    fallback: Option<Arc<dyn Store>>,
    failures: AtomicU64,
    degraded: AtomicBool,
}

impl fmt::Debug for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limiter")
            .field("store", &self.store)
            .field("on_failure", &self.on_failure)
            .field("failures", &self.failures)
            .finish_non_exhaustive()
    }
}

impl Limiter {
    /// A limiter over `store`, on the system clock, admitting when the store fails.
    pub fn new(store: impl Store) -> Self {
        Self::from_arc(Arc::new(store))
    }

    /// A limiter over a shared store.
    pub fn from_arc(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            clock: Arc::new(SystemClock),
            on_failure: OnFailure::Admit,
            fallback: None,
            failures: AtomicU64::new(0),
            degraded: AtomicBool::new(false),
        }
    }

    /// Reads time from `clock` instead of the system's.
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// What to do when the store fails. [`OnFailure::Fallback`] needs a
    /// [`fallback`](Self::with_fallback) store and admits without one.
    pub fn on_failure(mut self, policy: OnFailure) -> Self {
        self.on_failure = policy;
        self
    }

    /// The store [`OnFailure::Fallback`] checks against.
    pub fn with_fallback(mut self, store: Arc<dyn Store>) -> Self {
        self.fallback = Some(store);
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// How many checks the store failed to answer (and the policy answered).
    pub fn failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// Whether the last call to the store failed.
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    /// Whether the store answers now ([`Store::ping`]), for readiness
    /// probes. The failure policy and degraded state are not touched.
    ///
    /// # Errors
    /// Why the store did not answer.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.store.ping().await
    }

    /// Runs `checks` in order (see [`Store::check`]) at the clock's time.
    pub async fn check(&self, checks: &[Check<'_>]) -> Outcome {
        if checks.is_empty() {
            return Outcome::admitted(None);
        }
        self.check_at(checks, self.clock.now_nanos()).await
    }

    /// Runs `checks` at `now` (nanoseconds since the Unix epoch) instead of
    /// reading the clock: for callers that already read it for the request
    /// (a clock read is ~40 ns where the VM has no vDSO clock).
    pub async fn check_at(&self, checks: &[Check<'_>], now: u64) -> Outcome {
        if checks.is_empty() {
            return Outcome::admitted(None);
        }
        match self.store.check(checks, now).await {
            Ok(outcome) => {
                if self.degraded.load(Ordering::Relaxed)
                    && self.degraded.swap(false, Ordering::Relaxed)
                {
                    tracing::info!(target: "portcullis::ratelimit", "the rate-limit store answers again; limits are enforced");
                }
                outcome
            }
            Err(error) => {
                self.failures.fetch_add(1, Ordering::Relaxed);
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(target: "portcullis::ratelimit", %error, policy = ?self.on_failure, "the rate-limit store failed; applying the failure policy until it answers");
                }
                self.degraded_answer(checks, now).await
            }
        }
    }

    async fn degraded_answer(&self, checks: &[Check<'_>], now: u64) -> Outcome {
        match (self.on_failure, &self.fallback) {
            (OnFailure::Refuse, _) => Outcome {
                refused: Some(0),
                retry_after: POLICY_RETRY_AFTER,
                headroom: None,
            },
            (OnFailure::Fallback, Some(fallback)) => fallback
                .check(checks, now)
                .await
                .unwrap_or(Outcome::admitted(None)),
            _ => Outcome::admitted(None),
        }
    }
}
