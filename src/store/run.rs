//! Run types: a cycle's record, its outcome and counts, its rejections and conflicts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The id of a run (one cycle).
pub type RunId = i64;

/// The failure reason given to a cycle's run that was still open when the next cycle started:
/// the process running it was killed (or lost its leadership) before it could finish the run.
pub const ABANDONED_RUN: &str =
    "abandoned: the process running this cycle stopped before it finished the run";

/// The kind of an on-demand sync's run: not a cycle, so it neither closes nor is closed as
/// abandoned when a cycle starts.
pub const ON_DEMAND_RUN: &str = "on_demand";

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunOutcome {
    /// The plan was read, made and recorded.
    Succeeded,
    /// The run failed; the reason is for people.
    Failed(String),
    /// The brake held the run's disables and deletes for an operator.
    Held,
}

/// What a run counted, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunCounts {
    /// Source rows read.
    pub read: u64,
    /// Source rows rejected by validation.
    pub rejected: u64,
    /// Identities held as conflicts.
    pub held_conflicts: u64,
    /// Invites planned.
    pub invites: u64,
    /// Adoptions planned.
    pub adopts: u64,
    /// Updates planned.
    pub updates: u64,
    /// Enables planned.
    pub enables: u64,
    /// Disables planned.
    pub disables: u64,
    /// Deletes planned.
    pub deletes: u64,
    /// Re-invitations planned.
    pub reinvites: u64,
    /// Renewals of invitations still pending planned.
    pub renewals: u64,
    /// Restores from deleted items planned.
    pub restores: u64,
    /// E-mail changes (with a reset of redemption) planned.
    pub email_changes: u64,
    /// Identities already in line.
    pub unchanged: u64,
    /// Items that failed.
    pub failed: u64,
    /// Items that went dead.
    pub dead: u64,
    /// Owned guests the tenant read showed pending acceptance.
    pub pending_acceptance: u64,
    /// Owned guests the tenant read showed accepted.
    pub accepted: u64,
}

/// Where a held run stands with the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HeldStatus {
    /// Waiting for an operator to approve or reject.
    Waiting,
    /// Approved: the held actions were queued.
    Approved,
    /// Rejected: the held actions were discarded.
    Rejected,
}

impl HeldStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            HeldStatus::Waiting => "waiting",
            HeldStatus::Approved => "approved",
            HeldStatus::Rejected => "rejected",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "waiting" => Some(HeldStatus::Waiting),
            "approved" => Some(HeldStatus::Approved),
            "rejected" => Some(HeldStatus::Rejected),
            _ => None,
        }
    }
}

/// One run as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    /// The run id.
    pub id: RunId,
    /// What started it (e.g. `scheduled`, `manual`, `once`).
    pub kind: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished; `None` while it runs.
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended; `None` while it runs.
    pub outcome: Option<RunOutcome>,
    /// Its counts (zero until finished).
    pub counts: RunCounts,
    /// The brake's status, if the run was held.
    pub held: Option<HeldStatus>,
    /// How many disables/deletes were held (recorded by `held_record`).
    pub held_actions: u64,
    /// When an operator approved or rejected the held run.
    pub held_decided_at: Option<DateTime<Utc>>,
    /// The newer run that closed this held run while it waited (its status is then rejected):
    /// a recorded cycle planned from a fresh read, so only the newest held run is approvable.
    pub superseded_by: Option<RunId>,
}

/// A source row rejected by validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    /// The 1-based row number in the source result.
    pub row_number: u64,
    /// The anchor, when it could be read.
    pub anchor: Option<String>,
    /// Why it was rejected.
    pub reason: String,
}

/// An identity the planner held as a conflict (e.g. two identities with one e-mail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldConflict {
    /// The anchor held.
    pub anchor: String,
    /// The e-mail address in conflict.
    pub email: String,
    /// Why it was held.
    pub reason: String,
}
