//! What the throttle let through and how often Graph paused it, counted since start: the
//! status page's throttling history samples these (the Prometheus counters are write-only).

use std::sync::atomic::{AtomicU64, Ordering};

use super::throttle::OpKind;

/// What this process's throttle let through and how often Graph paused it, since start.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ThrottleTally {
    /// Reads let through (one per HTTP attempt).
    pub reads: u64,
    /// Writes let through (one per attempt, `$batch` items counted one by one).
    pub writes: u64,
    /// Pauses asked for by Graph (one per 429 answer).
    pub pauses: u64,
}

/// The live counters behind [`ThrottleTally`].
#[derive(Debug, Default)]
pub(super) struct Tally {
    reads: AtomicU64,
    writes: AtomicU64,
    pauses: AtomicU64,
}

impl Tally {
    /// One request of `kind` let through.
    pub(super) fn let_through(&self, kind: OpKind) {
        let counter = match kind {
            OpKind::Read => &self.reads,
            OpKind::Write => &self.writes,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// One pause asked for by Graph.
    pub(super) fn paused(&self) {
        self.pauses.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts now.
    pub(super) fn snapshot(&self) -> ThrottleTally {
        ThrottleTally {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            pauses: self.pauses.load(Ordering::Relaxed),
        }
    }
}
