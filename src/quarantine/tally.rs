//! [`CallTally`]: the shared, in-process count of Graph call outcomes since the current cycle
//! began. The Graph client feeds it (one entry per logical call, after retries); the cycle
//! runner resets it at the start of each cycle and asks [`super::decide`] about it.

use std::sync::{Arc, Mutex};

use super::decide::{Cause, Tally};
use crate::graph::{CallObserver, GraphError};

/// A cheap-to-clone handle on one tally.
#[derive(Debug, Clone, Default)]
pub struct CallTally {
    inner: Arc<Mutex<Tally>>,
}

impl CallTally {
    /// An empty tally.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one finished Graph call.
    pub fn record(&self, result: Result<(), &GraphError>) {
        self.lock().record(result);
    }

    /// Marks the cycle's tenant read as failed with `cause`.
    pub fn read_failed(&self, cause: Cause) {
        self.lock().read_failed = Some(cause);
    }

    /// A copy of the tally so far.
    pub fn snapshot(&self) -> Tally {
        self.lock().clone()
    }

    /// Starts over (a new cycle).
    pub fn reset(&self) {
        *self.lock() = Tally::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tally> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CallObserver for CallTally {
    fn observe(&self, result: Result<(), &GraphError>) {
        self.record(result);
    }
}
