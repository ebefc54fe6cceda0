//! Where throttle and quota state lives: the [`Store`] trait.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::check::{Check, Outcome};
use crate::rule::Period;

/// A store that could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The store did not answer within its time budget.
    #[error("the rate-limit store did not answer within {0:?}")]
    Timeout(Duration),
    /// The store could not be reached or refused the command.
    #[error("the rate-limit store failed: {0}")]
    Unavailable(String),
    /// The in-memory store holds as many keys as it may and none is idle.
    #[error("the in-memory rate-limit store is full ({0} keys); raise its capacity")]
    Full(usize),
}

/// The future a [`Store`] returns: ready at once for in-memory stores (no
/// allocation), boxed for stores that do I/O.
#[must_use = "futures do nothing unless polled"]
pub struct Pending<'a, T>(Inner<'a, T>);

enum Inner<'a, T> {
    Ready(Option<Result<T, StoreError>>),
    Boxed(Pin<Box<dyn Future<Output = Result<T, StoreError>> + Send + 'a>>),
}

impl<'a, T> Pending<'a, T> {
    /// An answer already known.
    pub fn ready(result: Result<T, StoreError>) -> Self {
        Self(Inner::Ready(Some(result)))
    }

    /// An answer still to come.
    pub fn boxed(future: impl Future<Output = Result<T, StoreError>> + Send + 'a) -> Self {
        Self(Inner::Boxed(Box::pin(future)))
    }

    /// The answer, if it is already known (no polling needed).
    pub fn now_or_never(self) -> Result<Result<T, StoreError>, Self> {
        match self.0 {
            Inner::Ready(Some(result)) => Ok(result),
            other => Err(Self(other)),
        }
    }
}

impl<T> Unpin for Pending<'_, T> {}

impl<T> Future for Pending<'_, T> {
    type Output = Result<T, StoreError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().0 {
            Inner::Ready(result) => Poll::Ready(
                result
                    .take()
                    .expect("a ready Pending polled after it completed"),
            ),
            Inner::Boxed(future) => future.as_mut().poll(cx),
        }
    }
}

impl<T> fmt::Debug for Pending<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Inner::Ready(_) => "Pending::Ready",
            Inner::Boxed(_) => "Pending::Boxed",
        })
    }
}

/// Throttle and quota state: in memory on one node, or shared.
///
/// Every store admits exactly the same requests for the same checks and
/// times: throttles step with [`Throttle::step`](crate::Throttle::step);
/// quotas count per period ([`Period::index`]) up to
/// [`Quota::allowance`](crate::Quota::allowance).
pub trait Store: Send + Sync + fmt::Debug + 'static {
    /// Runs `checks` in order at `now` (nanoseconds since the Unix epoch):
    /// each admitted check is counted, the first refusal stops the rest.
    /// Each check is atomic (no two requests take the same token); a store
    /// may also make the whole list atomic (the Redis store runs it in one script).
    fn check<'a>(&'a self, checks: &'a [Check<'a>], now: u64) -> Pending<'a, Outcome>;

    /// How many requests the quota (or counter) on `key` counted in period `index`.
    fn counted<'a>(&'a self, key: &'a str, period: Period, index: u64) -> Pending<'a, u64>;

    /// Sets that count (AWS's UpdateUsage: a new "remaining" is a new count).
    fn set_counted<'a>(
        &'a self,
        key: &'a str,
        period: Period,
        index: u64,
        count: u64,
    ) -> Pending<'a, ()>;

    /// Whether the store answers now (Redis: a `PING` within the call
    /// timeout); for readiness probes. A store in memory always answers.
    fn ping(&self) -> Pending<'_, ()> {
        Pending::ready(Ok(()))
    }
}
