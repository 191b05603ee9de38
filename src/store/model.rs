//! Queue types: item states, planned items, claims, settle results, errors and attempts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::run::RunId;

/// The state of a queue item.
///
/// `Held` is part of the schema, but the planner's conflicts are recorded per run (see
/// [`HeldConflict`](super::HeldConflict)), so the store itself never puts an item in `Held`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    /// Waiting for a worker (from `run_after` on).
    Pending,
    /// Claimed by a worker under a lease.
    Running,
    /// Applied: the tenant matches the desired state of `applied_gen`.
    Done,
    /// Held as a conflict.
    Held,
    /// Failed for good; waits for new source data or an operator.
    Dead,
}

impl ItemState {
    /// Every state, in order.
    pub const ALL: [ItemState; 5] = [
        ItemState::Pending,
        ItemState::Running,
        ItemState::Done,
        ItemState::Held,
        ItemState::Dead,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Running => "running",
            ItemState::Done => "done",
            ItemState::Held => "held",
            ItemState::Dead => "dead",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        ItemState::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for ItemState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One planned change for one anchor, as the planner hands it to the store.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedItem {
    /// The identity's anchor.
    pub anchor: String,
    /// Human-readable kind: invite, adopt, update, enable, disable, delete, reinvite.
    pub action: String,
    /// Hash of the desired state; an equal hash means nothing changed.
    pub desired_hash: String,
    /// What the worker needs to apply it.
    pub payload: serde_json::Value,
}

/// What recording a plan did to the queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordSummary {
    /// New items (first desired state for the anchor).
    pub inserted: u64,
    /// Existing items whose desired state changed (`desired_gen` bumped).
    pub changed: u64,
    /// Items whose desired hash was already stored.
    pub unchanged: u64,
}

/// An item a worker claimed.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedItem {
    /// The anchor.
    pub anchor: String,
    /// The planned action.
    pub action: String,
    /// The planned payload.
    pub payload: serde_json::Value,
    /// The desired generation this claim works on; pass it to `item_complete`.
    pub desired_gen: i64,
    /// The fencing token; every settle must present it.
    pub lease_token: i64,
    /// Failed attempts so far (claims do not count).
    pub attempts: u32,
}

/// The outcome of a fenced operation (settle or heartbeat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettleResult {
    /// The lease was still ours; the change was made.
    Settled,
    /// The lease was lost (rescued, released or re-claimed); nothing was changed.
    LeaseLost,
}

/// A failure, as stored on the item and in the attempt history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemError {
    /// The error class (e.g. transient, permanent, throttled).
    pub class: String,
    /// The Graph `error.code` or an internal code.
    pub code: String,
    /// The message (never a secret or redeem URL).
    pub message: String,
    /// Graph's `request-id`, when there was one.
    pub request_id: Option<String>,
    /// The HTTP status, when there was one.
    pub status: Option<u16>,
}

/// A queue item as stored, for operators.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRecord {
    /// The anchor.
    pub anchor: String,
    /// The planned action.
    pub action: String,
    /// Hash of the desired state.
    pub desired_hash: String,
    /// The planned payload.
    pub payload: serde_json::Value,
    /// Bumped on every real change of the desired state.
    pub desired_gen: i64,
    /// The generation last applied.
    pub applied_gen: i64,
    /// The state.
    pub state: ItemState,
    /// Failed attempts since the last success or revival.
    pub attempts: u32,
    /// Not claimable before this time.
    pub run_after: DateTime<Utc>,
    /// The worker holding the lease.
    pub lease_owner: Option<String>,
    /// When the lease expires.
    pub lease_until: Option<DateTime<Utc>>,
    /// The current fencing token.
    pub lease_token: i64,
    /// The last failure.
    pub last_error: Option<ItemError>,
    /// The run that last changed the desired state.
    pub run_id: Option<RunId>,
    /// When the item was first queued.
    pub created_at: DateTime<Utc>,
    /// When the item last changed.
    pub updated_at: DateTime<Utc>,
}

/// Which items `item_list` returns (ordered by anchor).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemFilter {
    /// Only this state.
    pub state: Option<ItemState>,
    /// Only this action.
    pub action: Option<String>,
    /// Only anchors after this one (paging).
    pub after: Option<String>,
    /// At most this many.
    pub limit: u32,
}

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// Applied.
    Succeeded,
    /// Failed; will be retried.
    Retry,
    /// Throttled; postponed without using an attempt.
    Snoozed,
    /// Failed for good.
    Dead,
}

impl AttemptOutcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::Succeeded => "succeeded",
            AttemptOutcome::Retry => "retry",
            AttemptOutcome::Snoozed => "snoozed",
            AttemptOutcome::Dead => "dead",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Succeeded, Self::Retry, Self::Snoozed, Self::Dead]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// One entry of the append-only attempt history. Lost-lease settles are not recorded (they
/// change nothing); the worker logs and counts them.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    /// When it was settled.
    pub at: DateTime<Utc>,
    /// When the lease it was settled under began (`None` for attempts recorded before this
    /// was kept). `claimed_at..at` is the time the owner worked on the item.
    pub claimed_at: Option<DateTime<Utc>>,
    /// The worker that held the lease.
    pub owner: Option<String>,
    /// The fencing token of the claim.
    pub lease_token: i64,
    /// The action attempted.
    pub action: String,
    /// The item's desired generation when the attempt was settled.
    pub desired_gen: i64,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// For retry and snooze: when the item becomes claimable again.
    pub run_after: Option<DateTime<Utc>>,
    /// For snooze: why.
    pub reason: Option<String>,
    /// For retry and dead: the error.
    pub error: Option<ItemError>,
}

/// Part of an item applied (an invitation whose attribute update must wait): the link is
/// recorded now and the item continues later with a new action and payload.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemProgress {
    /// When the rest may run.
    pub run_after: DateTime<Utc>,
    /// How the link changes now.
    pub link: super::LinkUpdate,
    /// The action that is left.
    pub action: String,
    /// Its payload.
    pub payload: serde_json::Value,
    /// Why it paused, for the attempt history.
    pub reason: String,
}
