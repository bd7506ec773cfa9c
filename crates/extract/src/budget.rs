//! The memory and time one document may take.
//!
//! A [`Budget`] is made per document (the command line derives its share of memory from
//! `--max-memory` and the number of documents read at once). Work that allocates in
//! proportion to the input — decoded streams, parsed objects, the glyphs, rules and images
//! of a page, a page image being recognised — reserves its bytes first, so that a hostile
//! file fails with [`BudgetError`] before it allocates rather than after. Reservations are
//! either *transient* (released when the [`Reservation`] is dropped) or *kept* for the rest
//! of the document ([`Reservation::keep`]).
//!
//! The outcome never depends on timing: a document fails when one of its own reservations
//! does not fit its share, and parallel work of one document ([`Budget::reserve_waiting`])
//! waits for its siblings' memory instead of failing because of them.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// Why a document went over its budget.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BudgetError {
    /// A reservation did not fit the document's memory share.
    #[error(
        "memory budget exceeded: {what} needs {}, with {} of the file's {} share already in use",
        mib(*needed),
        mib(*in_use),
        mib(*limit)
    )]
    Memory {
        /// What the memory was for.
        what: String,
        needed: usize,
        in_use: usize,
        limit: usize,
    },
    /// The document took longer than its time limit.
    #[error("time budget exceeded: reading the file took longer than its {} limit", secs(*.0))]
    Time(Duration),
}

/// Bytes as MiB (KiB below one MiB) for messages.
pub fn mib(bytes: usize) -> String {
    if bytes < 1 << 20 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    }
}

fn secs(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// The memory and time budget of one document; cheap to clone (clones share the account).
#[derive(Clone)]
pub struct Budget {
    inner: Arc<Inner>,
}

struct Inner {
    limit: usize,
    account: Mutex<Account>,
    released: Condvar,
    deadline: Option<(Instant, Duration)>,
    /// The first time the budget was exceeded (later checks report it again).
    exceeded: OnceLock<BudgetError>,
}

#[derive(Default)]
struct Account {
    /// Bytes kept for the rest of the document.
    kept: usize,
    /// Bytes of live transient reservations.
    transient: usize,
    /// The part of `transient` held by parallel work ([`Budget::reserve_waiting`]).
    parallel: usize,
    /// Highest `kept + transient` seen.
    peak: usize,
}

impl Budget {
    /// A budget of `max_bytes`, with `timeout` (when given) counted from now.
    pub fn new(max_bytes: usize, timeout: Option<Duration>) -> Budget {
        Budget {
            inner: Arc::new(Inner {
                limit: max_bytes,
                account: Mutex::default(),
                released: Condvar::new(),
                deadline: timeout.map(|t| (Instant::now() + t, t)),
                exceeded: OnceLock::new(),
            }),
        }
    }

    /// No memory limit and no deadline (reservations are still counted).
    pub fn unlimited() -> Budget {
        Budget::new(usize::MAX, None)
    }

    /// The document's memory share, in bytes.
    pub fn limit(&self) -> usize {
        self.inner.limit
    }

    /// Bytes reserved now.
    pub fn used(&self) -> usize {
        let a = self.account();
        a.kept + a.transient
    }

    /// The most bytes reserved at once so far.
    pub fn peak(&self) -> usize {
        self.account().peak
    }

    /// Bytes that may still be reserved now.
    pub fn available(&self) -> usize {
        self.inner.limit.saturating_sub(self.used())
    }

    fn account(&self) -> MutexGuard<'_, Account> {
        // A panic elsewhere while the lock was held leaves plain counters: still usable.
        self.inner
            .account
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reserves `bytes` for `what` (a short description for the error message), failing when
    /// they do not fit the share. The failure is remembered (see [`Budget::exceeded`]).
    pub fn reserve(&self, bytes: usize, what: &str) -> Result<Reservation, BudgetError> {
        let mut a = self.account();
        let in_use = a.kept + a.transient;
        if in_use.saturating_add(bytes) > self.inner.limit {
            drop(a);
            return Err(self.fail_memory(what, bytes, in_use));
        }
        a.transient += bytes;
        a.peak = a.peak.max(in_use + bytes);
        Ok(Reservation {
            budget: self.clone(),
            bytes,
            parallel: false,
        })
    }

    /// Like [`Budget::reserve`] for work running in parallel with other work of the same
    /// document: fails only when `bytes` do not fit beside what is reserved outside that
    /// parallel work, and otherwise waits until its siblings' reservations leave room.
    /// Whether it fails therefore does not depend on timing.
    pub fn reserve_waiting(&self, bytes: usize, what: &str) -> Result<Reservation, BudgetError> {
        let mut a = self.account();
        loop {
            let outside = a.kept + a.transient - a.parallel;
            if outside.saturating_add(bytes) > self.inner.limit {
                drop(a);
                return Err(self.fail_memory(what, bytes, outside));
            }
            let in_use = a.kept + a.transient;
            if in_use + bytes <= self.inner.limit {
                a.transient += bytes;
                a.parallel += bytes;
                a.peak = a.peak.max(in_use + bytes);
                return Ok(Reservation {
                    budget: self.clone(),
                    bytes,
                    parallel: true,
                });
            }
            a = self
                .inner
                .released
                .wait(a)
                .unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    fn fail_memory(&self, what: &str, needed: usize, in_use: usize) -> BudgetError {
        let error = BudgetError::Memory {
            what: what.to_string(),
            needed,
            in_use,
            limit: self.inner.limit,
        };
        self.inner.exceeded.get_or_init(|| error.clone());
        error
    }

    /// `Err` once the deadline has passed (remembered like a memory failure).
    pub fn check_time(&self) -> Result<(), BudgetError> {
        match self.inner.deadline {
            Some((at, limit)) if Instant::now() >= at => {
                let error = BudgetError::Time(limit);
                self.inner.exceeded.get_or_init(|| error.clone());
                Err(error)
            }
            _ => Ok(()),
        }
    }

    /// The first failure of this budget, if any: work that could only note a failure and go
    /// on (a page's content stream, say) leaves it here for the document to fail with.
    pub fn exceeded(&self) -> Option<BudgetError> {
        self.inner.exceeded.get().cloned()
    }

    /// `Err` with the first failure, if any, and when the deadline has passed.
    pub fn check(&self) -> Result<(), BudgetError> {
        match self.exceeded() {
            Some(e) => Err(e),
            None => self.check_time(),
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::unlimited()
    }
}

impl PartialEq for Budget {
    /// Budgets are equal when they are the same account.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Budget")
            .field("limit", &self.inner.limit)
            .field("used", &self.used())
            .field("timeout", &self.inner.deadline.map(|(_, t)| t))
            .finish()
    }
}

/// Bytes reserved from a [`Budget`]; released when dropped unless [`Reservation::keep`]
/// made them the document's for good.
#[must_use = "a reservation is released when dropped"]
pub struct Reservation {
    budget: Budget,
    bytes: usize,
    /// Made by [`Budget::reserve_waiting`].
    parallel: bool,
}

impl Reservation {
    /// A reservation of nothing yet, to [`Reservation::grow`].
    pub fn empty(budget: &Budget) -> Reservation {
        Reservation {
            budget: budget.clone(),
            bytes: 0,
            parallel: false,
        }
    }

    /// Bytes reserved.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Reserves `bytes` more for `what` (transient, like the rest of this reservation).
    pub fn grow(&mut self, bytes: usize, what: &str) -> Result<(), BudgetError> {
        let mut more = self.budget.reserve(bytes, what)?;
        // Its bytes become this reservation's: dropping it releases nothing.
        more.bytes = 0;
        self.bytes += bytes;
        if self.parallel {
            self.budget.account().parallel += bytes;
        }
        Ok(())
    }

    /// Gives back all but `bytes` (what turned out to be needed after a worst-case estimate).
    pub fn shrink_to(&mut self, bytes: usize) {
        if bytes < self.bytes {
            self.release(self.bytes - bytes);
        }
    }

    /// Returns `bytes` of this reservation to the budget.
    fn release(&mut self, bytes: usize) {
        let mut a = self.budget.account();
        a.transient -= bytes;
        if self.parallel {
            a.parallel -= bytes;
        }
        self.bytes -= bytes;
        drop(a);
        self.budget.inner.released.notify_all();
    }

    /// Keeps the bytes reserved until the document is done.
    pub fn keep(mut self) {
        let mut a = self.budget.account();
        a.transient -= self.bytes;
        if self.parallel {
            a.parallel -= self.bytes;
        }
        a.kept += self.bytes;
        drop(a);
        self.bytes = 0;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        if self.bytes > 0 {
            self.release(self.bytes);
        }
    }
}

impl fmt::Debug for Reservation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reservation({} bytes)", self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_fail_over_the_share_and_are_released_when_dropped() {
        let budget = Budget::new(100, None);
        let a = budget.reserve(60, "a").unwrap();
        let e = budget.reserve(50, "b").unwrap_err();
        assert!(e.to_string().contains("b needs"), "{e}");
        assert_eq!(budget.exceeded(), Some(e));
        drop(a);
        assert_eq!(budget.used(), 0);
        budget.reserve(90, "c").unwrap().keep();
        assert_eq!((budget.used(), budget.peak()), (90, 90));
        let mut r = budget.reserve(10, "d").unwrap();
        r.shrink_to(4);
        assert_eq!(budget.used(), 94);
        assert!(r.grow(7, "e").is_err());
    }

    #[test]
    fn parallel_reservations_wait_for_siblings_and_fail_only_beside_what_is_kept() {
        let budget = Budget::new(100, None);
        budget.reserve(40, "kept").unwrap().keep();
        assert!(budget.reserve_waiting(61, "too big").is_err());
        let first = budget.reserve_waiting(50, "first").unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| budget.reserve_waiting(50, "second").map(|r| r.bytes()));
            std::thread::sleep(Duration::from_millis(20));
            drop(first);
            assert_eq!(waiter.join().unwrap(), Ok(50));
        });
    }

    #[test]
    fn the_deadline_is_remembered() {
        let budget = Budget::new(usize::MAX, Some(Duration::ZERO));
        assert!(matches!(budget.check_time(), Err(BudgetError::Time(_))));
        assert!(budget.check().is_err());
        assert!(Budget::unlimited().check().is_ok());
    }
}
