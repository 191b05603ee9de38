//! [`HealthState`]: what the daemon tells the readiness probe about its cycles. Shared as a
//! cheap clone (an `Arc` inside); no globals. Time comes from the caller's `Clock`.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use crate::replicas::ReplicaStatus;
use crate::sync::{CycleError, CycleReport};

/// How a cycle ended, as far as readiness cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CycleOutcome {
    /// The plan was read, made and recorded.
    Succeeded,
    /// The plan was recorded but the brake held its disables.
    Held,
    /// The cycle stopped before recording a plan.
    Failed,
}

impl CycleOutcome {
    /// The outcome of a finished `Engine::run_cycle`.
    pub fn of(result: &Result<CycleReport, CycleError>) -> Self {
        match result {
            Ok(report) if report.is_held() => Self::Held,
            Ok(_) => Self::Succeeded,
            Err(_) => Self::Failed,
        }
    }
}

/// The last finished cycle: when and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CycleMark {
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// How it ended.
    pub outcome: CycleOutcome,
}

/// The daemon's cycle history for the readiness probe.
#[derive(Debug, Clone, Default)]
pub struct HealthState {
    last: Arc<Mutex<Option<CycleMark>>>,
    replica: Arc<Mutex<Option<watch::Receiver<ReplicaStatus>>>>,
}

impl HealthState {
    /// No cycle finished yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a cycle that finished at `now` with `outcome`.
    pub fn record(&self, now: DateTime<Utc>, outcome: CycleOutcome) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(CycleMark {
            finished_at: now,
            outcome,
        });
    }

    /// Records the result of `Engine::run_cycle`, finished at `now`.
    pub fn record_result(&self, now: DateTime<Utc>, result: &Result<CycleReport, CycleError>) {
        self.record(now, CycleOutcome::of(result));
    }

    /// The last finished cycle, if any.
    pub fn last_cycle(&self) -> Option<CycleMark> {
        *self.last.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Follows this replica's name and role (from its leader election).
    pub fn follow_replica(&self, status: watch::Receiver<ReplicaStatus>) {
        *self.replica.lock().unwrap_or_else(|p| p.into_inner()) = Some(status);
    }

    /// This replica's name and role, when a leader election runs.
    pub fn replica(&self) -> Option<ReplicaStatus> {
        let replica = self.replica.lock().unwrap_or_else(|p| p.into_inner());
        replica.as_ref().map(|status| status.borrow().clone())
    }
}
