//! Calls under way, by cache key, so that concurrent misses for one identity
//! call the function once: the first runs the call, the others wait for its
//! outcome (a cache stampede avoided, as Pingora's cache lock does).
//!
//! An entry lives until its call completes (later requests then find the
//! result cache, or call afresh after an error), or until all its waiters
//! went away (cancelled requests): the count of those is exact because every
//! clone and every drop of an entry's `Arc` happens under the map's lock. A
//! waiter left alone by a cancelled leader runs the call itself (tokio's
//! `OnceCell` hands initialisation on).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::OnceCell;

type Calls<T> = HashMap<Box<[u8]>, Arc<OnceCell<T>>>;
type Cells<T> = Mutex<Calls<T>>;

#[derive(Debug)]
pub(super) struct Inflight<T> {
    calls: Cells<T>,
}

impl<T> Default for Inflight<T> {
    fn default() -> Self {
        Inflight {
            calls: Mutex::new(HashMap::new()),
        }
    }
}

impl<T: Clone> Inflight<T> {
    /// The outcome of `call`, or of the call already under way for `key`.
    pub(super) async fn run<F, Fut>(&self, key: &[u8], call: F) -> T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let waiting = self.join(key);
        let Some(cell) = waiting.cell.as_ref() else {
            return call().await;
        };
        let outcome = cell.get_or_init(call).await.clone();
        // Done: later requests look in the result cache, or call afresh
        // (errors are not cached), rather than reuse this outcome.
        let mut calls = self.lock();
        if calls.get(key).is_some_and(|c| Arc::ptr_eq(c, cell)) {
            calls.remove(key);
        }
        outcome
    }

    fn join(&self, key: &[u8]) -> Waiting<'_, T> {
        let cell = self.lock().entry(key.into()).or_default().clone();
        Waiting {
            calls: &self.calls,
            key: key.into(),
            cell: Some(cell),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Calls<T>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many keys have a call under way.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }
}

/// One request waiting on a call; forgets the call when the last waiter goes.
struct Waiting<'a, T> {
    calls: &'a Cells<T>,
    key: Box<[u8]>,
    cell: Option<Arc<OnceCell<T>>>,
}

impl<T> Drop for Waiting<'_, T> {
    fn drop(&mut self) {
        let mut calls = self.calls.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(mine) = self.cell.take() else {
            return;
        };
        let current = calls.get(&self.key).is_some_and(|c| Arc::ptr_eq(c, &mine));
        // Dropped under the lock, so the count below is exact.
        drop(mine);
        if current
            && calls
                .get(&self.key)
                .is_some_and(|c| Arc::strong_count(c) == 1)
        {
            calls.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn concurrent_calls_share_one() {
        let inflight = Inflight::<u32>::default();
        let calls = AtomicUsize::new(0);
        let call = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_secs(1)).await;
            7
        };
        let (a, b, c) = tokio::join!(
            inflight.run(b"k", call),
            inflight.run(b"k", call),
            inflight.run(b"other", call)
        );
        assert_eq!((a, b, c), (7, 7, 7));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(inflight.len(), 0);
        // Completed calls are forgotten: the next one runs again.
        assert_eq!(inflight.run(b"k", call).await, 7);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn cancelled_calls_are_forgotten_or_taken_over() {
        let inflight = Inflight::<u32>::default();
        let slow = || async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            1
        };
        // The only waiter gives up: nothing is left behind.
        let gave_up = tokio::time::timeout(Duration::from_secs(1), inflight.run(b"k", slow)).await;
        assert!(gave_up.is_err());
        assert_eq!(inflight.len(), 0);
        // A leader gives up while another waits: the other runs its own call.
        let leader = tokio::time::timeout(Duration::from_secs(1), inflight.run(b"k", slow));
        let follower = async {
            tokio::task::yield_now().await;
            inflight.run(b"k", || async { 2 }).await
        };
        let (leader, follower) = tokio::join!(leader, follower);
        assert!(leader.is_err());
        assert_eq!(follower, 2);
        assert_eq!(inflight.len(), 0);
    }
}
