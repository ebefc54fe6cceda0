//! One request's checks and what a store answers about them.

use std::time::Duration;

use crate::rule::{Quota, Throttle};

/// What a check enforces.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rule {
    /// A token bucket.
    Throttle(Throttle),
    /// Requests per calendar period (also the per-day usage counters, with [`Quota::unlimited`]).
    Quota(Quota),
}

/// One limit applied to one key, e.g. a usage plan's throttle for one API key.
///
/// Keys are opaque strings chosen by the caller; a throttle and a quota must
/// not share a key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Check<'a> {
    /// Whose state: one bucket or counter per distinct key.
    pub key: &'a str,
    /// The limit.
    pub rule: Rule,
}

impl<'a> Check<'a> {
    /// A throttle on `key`.
    pub fn throttle(key: &'a str, throttle: Throttle) -> Self {
        Self {
            key,
            rule: Rule::Throttle(throttle),
        }
    }

    /// A quota on `key`.
    pub fn quota(key: &'a str, quota: Quota) -> Self {
        Self {
            key,
            rule: Rule::Quota(quota),
        }
    }
}

/// How close a key is to its limit, for `RateLimit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Headroom {
    /// The limit: a throttle's burst, a quota's allowance for this period.
    pub limit: u64,
    /// Requests still admissible now.
    pub remaining: u64,
    /// Until the key is back at its full limit (a throttle's bucket full, a quota's next period).
    pub reset: Duration,
}

/// A store's answer to a request's checks.
///
/// Checks run in order; each admitted one is counted; the first refusal
/// stops the rest (they are neither counted nor consulted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The index of the first check that refused; `None` when all admitted.
    pub refused: Option<usize>,
    /// For a refusal: how long until the same request would be admitted.
    pub retry_after: Duration,
    /// The smallest headroom among the checks consulted (the refusing one
    /// included, with `remaining` 0), ignoring unlimited counters.
    pub headroom: Option<Headroom>,
}

impl Outcome {
    /// Every check admitted.
    pub fn admitted(headroom: Option<Headroom>) -> Self {
        Self {
            refused: None,
            retry_after: Duration::ZERO,
            headroom,
        }
    }

    /// Whether every check admitted.
    pub fn is_admitted(&self) -> bool {
        self.refused.is_none()
    }
}
