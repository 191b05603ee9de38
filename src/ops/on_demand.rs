//! On-demand sync of one anchor (like Entra's provision on demand): plan the anchor alone,
//! record the action as a run of kind `on_demand`, claim the item at once and execute it in
//! the caller's task, then report what happened. Refused while paused or quarantined.

use std::sync::Arc;

use serde::Serialize;

use super::views::{AttemptView, ItemView};
use crate::clock::Clock;
use crate::store::{ItemState, RunCounts, RunOutcome, Store, StoreError};
use crate::sync::{CycleError, OnePlan, queue_item};
use crate::worker::{Processed, Worker};

/// Why an on-demand sync could not run.
#[derive(Debug, thiserror::Error)]
pub enum OnDemandError {
    /// Paused or quarantined.
    #[error("{0}")]
    Held(String),
    /// The source has no valid row with this anchor.
    #[error("anchor {0:?} is not in the source (absent or rejected)")]
    NotInSource(String),
    /// Reading or planning failed.
    #[error(transparent)]
    Cycle(#[from] CycleError),
    /// The state store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an on-demand sync did.
#[derive(Debug, Clone, Serialize)]
pub struct OnDemandReport {
    /// The anchor.
    pub anchor: String,
    /// `applied`, `failed` (will retry), `dead`, `unchanged`, `conflict` or `busy` (another
    /// worker holds the item; it will be applied there).
    pub result: &'static str,
    /// The planned action (`invite`, `update`, …), if any.
    pub action: Option<String>,
    /// The run recorded for it (kind `on_demand`), if an action was planned.
    pub run_id: Option<i64>,
    /// Why the anchor is held, for a conflict.
    pub detail: Option<String>,
    /// The item after the attempt.
    pub item: Option<ItemView>,
    /// The attempt this sync made (the last of the history), if any.
    pub attempt: Option<AttemptView>,
}

/// Plans `anchor` alone and applies the result at once.
pub async fn sync_anchor(
    worker: &Worker,
    engine: &crate::sync::Engine,
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
    anchor: &str,
) -> Result<OnDemandReport, OnDemandError> {
    let control = store.control_get().await?;
    if let Some(q) = &control.quarantine {
        return Err(OnDemandError::Held(format!("quarantined: {}", q.cause)));
    }
    if control.paused.is_some() {
        return Err(OnDemandError::Held("paused".into()));
    }
    let mut report = OnDemandReport {
        anchor: anchor.to_string(),
        result: "unchanged",
        action: None,
        run_id: None,
        detail: None,
        item: None,
        attempt: None,
    };
    let planned = match engine.plan_one(anchor).await? {
        OnePlan::NotInSource => return Err(OnDemandError::NotInSource(anchor.to_string())),
        OnePlan::Conflict(reason) => {
            report.result = "conflict";
            report.detail = Some(reason);
            return Ok(report);
        }
        OnePlan::Unchanged => return finish(store, report).await,
        OnePlan::Act(planned) => planned,
    };
    let item = queue_item(&planned).map_err(CycleError::from)?;
    report.action = Some(item.action.clone());
    let now = clock.now();
    let run_id = store.run_start(now, crate::store::ON_DEMAND_RUN).await?;
    report.run_id = Some(run_id);
    store.plan_record(run_id, now, vec![item]).await?;
    let counts = RunCounts {
        read: 1,
        ..RunCounts::default()
    };
    store
        .run_finish(run_id, clock.now(), RunOutcome::Succeeded, counts)
        .await?;
    // On demand means now: an item that died on the same desired state is tried again.
    if store
        .item_get(anchor)
        .await?
        .is_some_and(|i| i.state == ItemState::Dead)
    {
        store.item_retry_dead(anchor, clock.now()).await?;
    }
    let owner = format!("{}-on-demand", worker.config().owner);
    let lease = worker.config().lease;
    report.result = match store
        .item_claim_anchor(anchor, &owner, lease, clock.now())
        .await?
    {
        None => not_claimed(store, anchor).await?,
        Some(claimed) => match worker.process(&owner, claimed).await? {
            Processed::Done => "applied",
            Processed::Again => "failed",
            Processed::Dead => "dead",
            Processed::LeaseLost => "busy",
        },
    };
    finish(store, report).await
}

/// The result when the item could not be claimed: another worker holds it (`busy`), or the
/// queue already had this desired state applied (`unchanged`).
async fn not_claimed(store: &Arc<dyn Store>, anchor: &str) -> Result<&'static str, StoreError> {
    Ok(match store.item_get(anchor).await?.map(|i| i.state) {
        Some(ItemState::Done) => "unchanged",
        Some(ItemState::Dead) => "dead",
        _ => "busy",
    })
}

/// Fills in the item and its last attempt.
async fn finish(
    store: &Arc<dyn Store>,
    mut report: OnDemandReport,
) -> Result<OnDemandReport, OnDemandError> {
    report.item = store
        .item_get(&report.anchor)
        .await?
        .as_ref()
        .map(ItemView::from);
    if report.run_id.is_some() {
        report.attempt = store
            .attempt_list(&report.anchor)
            .await?
            .last()
            .map(AttemptView::from);
    }
    Ok(report)
}
