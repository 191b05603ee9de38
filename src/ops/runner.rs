//! [`CycleRunner`]: the one way a cycle runs, whoever asks (the daemon's schedule, the admin
//! API's trigger, a quarantine probe). It serialises cycles in this process, honours the pause
//! and the quarantine kept in the state store, records the outcome for readiness, and enters
//! or leaves quarantine from the tally of the cycle's Graph calls.
//!
//! Quarantine (after EPS, notes/anchors.md row 24): while quarantined, scheduled cycles are
//! skipped and workers claim nothing; once per `quarantine.retry_every` a probe runs a cycle.
//! A probe whose reads succeed lifts the quarantine (a half-open breaker: if the writes still
//! fail with the same cause, the tally quarantines again after `min_failures`) and revives the
//! items that died of the cause; a probe that fails again keeps it and schedules the next one.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::http::HealthState;
use crate::quarantine::{CallTally, QuarantinePolicy, cause_of, decide, enter, item_failed_with};
use crate::replicas::Leadership;
use crate::store::{ControlState, ItemFilter, ItemState, Store, StoreError};
use crate::sync::{CycleError, CycleReport, Engine};

/// Why a cycle did not run, or failed.
#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    /// An operator paused guestsync.
    #[error("guestsync is paused")]
    Paused,
    /// In quarantine and the next probe is not due.
    #[error("quarantined ({cause}); next probe at {next_probe_at}")]
    Quarantined {
        /// The cause.
        cause: String,
        /// When the next probe may run.
        next_probe_at: DateTime<Utc>,
    },
    /// The cycle ran and failed.
    #[error(transparent)]
    Cycle(#[from] CycleError),
    /// Another replica leads: only the leader runs cycles.
    #[error("another replica leads; cycles run there")]
    NotLeader,
    /// The state store failed while reading or writing the control row.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A cycle that ran.
#[derive(Debug)]
pub struct Ran {
    /// Its report.
    pub report: CycleReport,
    /// Whether it was a quarantine probe.
    pub probe: bool,
}

/// Runs cycles; shared by the daemon and the admin API.
#[derive(Debug)]
pub struct CycleRunner {
    engine: Arc<Engine>,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    health: HealthState,
    tally: CallTally,
    policy: QuarantinePolicy,
    lock: Mutex<()>,
    leadership: Option<Arc<Leadership>>,
}

impl CycleRunner {
    /// A runner over the engine; `tally` must be the one the engine's Graph client feeds.
    pub fn new(
        engine: Arc<Engine>,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        health: HealthState,
        tally: CallTally,
        policy: QuarantinePolicy,
    ) -> Self {
        Self {
            engine,
            store,
            clock,
            health,
            tally,
            policy,
            lock: Mutex::new(()),
            leadership: None,
        }
    }

    /// Runs cycles only while this replica leads ([`RunnerError::NotLeader`] otherwise).
    pub fn with_leadership(mut self, leadership: Arc<Leadership>) -> Self {
        self.leadership = Some(leadership);
        self
    }

    /// The engine (for on-demand sync).
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// A scheduled cycle: skipped while paused, and while quarantined unless a probe is due.
    pub async fn scheduled(&self) -> Result<Ran, RunnerError> {
        self.scheduled_until(&CancellationToken::new()).await
    }

    /// [`CycleRunner::scheduled`], abandoned (finished as cancelled) when `cancel` fires while
    /// the source or the tenant is being read.
    pub async fn scheduled_until(&self, cancel: &CancellationToken) -> Result<Ran, RunnerError> {
        self.run("scheduled", false, cancel).await
    }

    /// A cycle an operator asked for: refused while paused; while quarantined it is a probe,
    /// run now whatever the schedule (the operator has presumably fixed the cause).
    pub async fn trigger(&self) -> Result<Ran, RunnerError> {
        self.run("manual", true, &CancellationToken::new()).await
    }

    async fn run(
        &self,
        kind: &str,
        force_probe: bool,
        cancel: &CancellationToken,
    ) -> Result<Ran, RunnerError> {
        let _one_at_a_time = self.lock.lock().await;
        let control = self.store.control_get().await?;
        if control.paused.is_some() {
            return Err(RunnerError::Paused);
        }
        let quarantine = control.quarantine.clone();
        if let Some(q) = &quarantine
            && !force_probe
            && self.clock.now() < q.next_probe_at
        {
            return Err(RunnerError::Quarantined {
                cause: q.cause.clone(),
                next_probe_at: q.next_probe_at,
            });
        }
        let kind = if quarantine.is_some() { "probe" } else { kind };
        self.tally.reset();
        let cycle = self.engine.run_cycle_until(kind, cancel);
        let result = match &self.leadership {
            Some(leadership) => leadership
                .while_leading(cycle)
                .await
                .ok_or(RunnerError::NotLeader)?,
            None => cycle.await,
        };
        self.health.record_result(self.clock.now(), &result);
        if let Err(CycleError::Tenant(error)) = &result
            && let Some(cause) = cause_of(error)
        {
            self.tally.read_failed(cause);
        }
        self.judge(&control, result.is_ok()).await?;
        Ok(Ran {
            report: result?,
            probe: quarantine.is_some(),
        })
    }

    /// Looks at the tally of the calls since the cycle began: enters quarantine when most
    /// failed with one permanent cause; a probe with no such failure lifts it. The daemon also
    /// calls this between cycles, as workers finish items.
    pub async fn evaluate(&self) -> Result<(), StoreError> {
        let control = self.store.control_get().await?;
        if control.quarantine.is_some() {
            return Ok(());
        }
        self.judge(&control, false).await
    }

    /// Enters, keeps or (after a probe cycle that ran, `cycle_ok`) lifts the quarantine.
    async fn judge(&self, control: &ControlState, cycle_ok: bool) -> Result<(), StoreError> {
        let now = self.clock.now();
        let current = control.quarantine.as_ref();
        match (decide(&self.tally.snapshot(), &self.policy), current) {
            (Some(cause), _) => {
                let record = enter(current, &cause, now, &self.policy);
                tracing::error!(
                    cause = %record.cause,
                    message = %record.message,
                    next_probe_at = %record.next_probe_at,
                    "quarantine: most Graph calls failed with one permanent cause; work stops"
                );
                metrics_quarantined(true);
                self.store.quarantine_set(&record).await
            }
            (None, Some(q)) if cycle_ok => {
                self.store.quarantine_clear().await?;
                metrics_quarantined(false);
                let revived = self.revive_items_of(&q.cause).await?;
                tracing::warn!(cause = %q.cause, revived, "quarantine lifted: the probe succeeded");
                Ok(())
            }
            (None, Some(q)) => {
                let mut kept = q.clone();
                kept.next_probe_at = crate::quarantine::next_probe(now, &self.policy);
                kept.probes = kept.probes.saturating_add(1);
                self.store.quarantine_set(&kept).await
            }
            (None, None) => Ok(()),
        }
    }
}

impl CycleRunner {
    /// Revives the items that died of the quarantine's cause before work stopped (the first
    /// calls that showed the cause), so lifting the quarantine finishes what it interrupted.
    async fn revive_items_of(&self, cause: &str) -> Result<u64, StoreError> {
        let dead = self
            .store
            .item_list(ItemFilter {
                state: Some(ItemState::Dead),
                action: None,
                after: None,
                limit: u32::MAX,
            })
            .await?;
        let mut revived = 0;
        for item in dead {
            if item
                .last_error
                .as_ref()
                .is_some_and(|e| item_failed_with(e, cause))
            {
                self.store
                    .item_retry_dead(&item.anchor, self.clock.now())
                    .await?;
                revived += 1;
            }
        }
        if revived > 0 {
            self.engine.wake();
        }
        Ok(revived)
    }
}

/// `guestsync_quarantined` (0 or 1).
fn metrics_quarantined(on: bool) {
    metrics::gauge!("guestsync_quarantined").set(if on { 1.0 } else { 0.0 });
}
