//! What operators see: runs with their counts, items with their last error, attempts. Built
//! from store records; they carry no payload, redeem URL or token.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::store::{
    AttemptRecord, HeldConflict, ItemError, ItemRecord, RejectedRow, RunCounts, RunOutcome,
    RunRecord,
};

/// One run.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// The run id.
    pub id: i64,
    /// What started it (`scheduled`, `manual`, `once`, `on_demand`, …).
    pub kind: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished (`null` while running).
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `succeeded`, `failed` or `held`.
    pub outcome: &'static str,
    /// Why it failed.
    pub error: Option<String>,
    /// Its counts; `dead` is the number of its items that are dead now.
    pub counts: RunCounts,
    /// The brake's status when held: `waiting`, `approved`, `rejected`, or `superseded` (closed
    /// by a newer run's plan while it waited).
    pub held: Option<&'static str>,
    /// Disables held by the brake.
    pub held_actions: u64,
    /// The newer run that superseded this held run.
    pub superseded_by: Option<i64>,
}

impl RunView {
    /// The view of `run`, with `dead` of its items dead now.
    pub fn new(run: &RunRecord, dead: u64) -> Self {
        let (outcome, error) = match &run.outcome {
            None => ("running", None),
            Some(RunOutcome::Succeeded) => ("succeeded", None),
            Some(RunOutcome::Held) => ("held", None),
            Some(RunOutcome::Failed(reason)) => ("failed", Some(reason.clone())),
        };
        let mut counts = run.counts.clone();
        counts.dead = counts.dead.max(dead);
        Self {
            id: run.id,
            kind: run.kind.clone(),
            started_at: run.started_at,
            finished_at: run.finished_at,
            outcome,
            error,
            counts,
            held: match run.superseded_by {
                Some(_) => Some("superseded"),
                None => run.held.map(|h| h.as_str()),
            },
            held_actions: run.held_actions,
            superseded_by: run.superseded_by,
        }
    }
}

/// A rejected source row.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedView {
    /// 1-based row number.
    pub row: u64,
    /// The anchor, when readable.
    pub anchor: Option<String>,
    /// Why.
    pub reason: String,
}

/// A conflict held by the run.
#[derive(Debug, Clone, Serialize)]
pub struct ConflictView {
    /// The anchor held.
    pub anchor: String,
    /// The address in conflict (empty when the planner held it).
    pub email: String,
    /// Why.
    pub reason: String,
}

/// One run with its rejected rows, conflicts and the errors of its dead items.
#[derive(Debug, Clone, Serialize)]
pub struct RunDetail {
    /// The run.
    #[serde(flatten)]
    pub run: RunView,
    /// Rows the source validation rejected.
    pub rejected: Vec<RejectedView>,
    /// Identities held as conflicts.
    pub conflicts: Vec<ConflictView>,
    /// Items this run planned that are dead now, with their error.
    pub errors: Vec<ItemView>,
}

impl RunDetail {
    /// Assembles the detail of `run`.
    pub fn new(
        run: &RunRecord,
        rejected: Vec<RejectedRow>,
        conflicts: Vec<HeldConflict>,
        errors: Vec<ItemView>,
    ) -> Self {
        Self {
            run: RunView::new(run, errors.len() as u64),
            rejected: rejected
                .into_iter()
                .map(|r| RejectedView {
                    row: r.row_number,
                    anchor: r.anchor,
                    reason: r.reason,
                })
                .collect(),
            conflicts: conflicts
                .into_iter()
                .map(|c| ConflictView {
                    anchor: c.anchor,
                    email: c.email,
                    reason: c.reason,
                })
                .collect(),
            errors,
        }
    }
}

/// One queue item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// The anchor.
    pub anchor: String,
    /// The planned action.
    pub action: String,
    /// `pending`, `running`, `done`, `held` or `dead`.
    pub state: &'static str,
    /// Failed attempts since the last success or revival.
    pub attempts: u32,
    /// Not claimable before this time.
    pub run_after: DateTime<Utc>,
    /// The last failure.
    pub last_error: Option<ItemError>,
    /// The run that last changed the desired state.
    pub run_id: Option<i64>,
    /// Desired and applied generations.
    pub desired_gen: i64,
    /// The generation last applied.
    pub applied_gen: i64,
    /// When first queued.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&ItemRecord> for ItemView {
    fn from(item: &ItemRecord) -> Self {
        Self {
            anchor: item.anchor.clone(),
            action: item.action.clone(),
            state: item.state.as_str(),
            attempts: item.attempts,
            run_after: item.run_after,
            last_error: item.last_error.clone(),
            run_id: item.run_id,
            desired_gen: item.desired_gen,
            applied_gen: item.applied_gen,
            created_at: item.created_at,
            updated_at: item.updated_at,
        }
    }
}

/// One entry of an item's attempt history.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    /// When it was settled.
    pub at: DateTime<Utc>,
    /// The action attempted.
    pub action: String,
    /// `succeeded`, `retry`, `snoozed` or `dead`.
    pub outcome: &'static str,
    /// When the item became claimable again (retry, snooze).
    pub run_after: Option<DateTime<Utc>>,
    /// Why it was snoozed.
    pub reason: Option<String>,
    /// The error (retry, dead).
    pub error: Option<ItemError>,
}

impl From<&AttemptRecord> for AttemptView {
    fn from(a: &AttemptRecord) -> Self {
        Self {
            at: a.at,
            action: a.action.clone(),
            outcome: a.outcome.as_str(),
            run_after: a.run_after,
            reason: a.reason.clone(),
            error: a.error.clone(),
        }
    }
}

/// One item with its attempt history.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDetail {
    /// The item.
    #[serde(flatten)]
    pub item: ItemView,
    /// Its attempts, oldest first.
    pub history: Vec<AttemptView>,
}
