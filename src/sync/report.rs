//! What a cycle found and did: the preview (`guestsync plan`) and the recorded report.

use super::phases::PhaseTimings;
use crate::groups::GroupWork;
use crate::plan::Plan;
use crate::source::SourceSnapshot;
use crate::store::{HeldConflict, RedemptionState, RejectedRow, RunCounts, RunId, RunOutcome};

/// A planned but unrecorded cycle.
#[derive(Debug)]
pub struct Preview {
    /// What the source held.
    pub snapshot: SourceSnapshot,
    /// What the cycle would do.
    pub plan: Plan,
    /// The membership work per managed group (empty when no group is managed).
    pub groups: Vec<GroupWork>,
    /// Owned guests by redemption state, as the tenant read saw them (the status page funnel).
    pub funnel: Redemption,
    /// What the tenant read showed of the owned guests' redemption (changes to record).
    pub redemption: super::RedemptionSummary,
    /// How long reading and planning took, by phase (record is zero: nothing was recorded).
    pub phases: PhaseTimings,
}

/// The guests guestsync owns, by redemption state, as one cycle's tenant read saw them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redemption {
    /// Live links: guests guestsync owns (invited or adopted).
    pub owned: u64,
    /// Live links guestsync made by inviting (adopted guests are not counted).
    pub invited: u64,
    /// Owned guests whose `externalUserState` is `PendingAcceptance`.
    pub pending: u64,
    /// Owned guests whose `externalUserState` is `Accepted`.
    pub accepted: u64,
}

/// A recorded cycle.
#[derive(Debug, Clone)]
pub struct CycleReport {
    /// The run.
    pub run_id: RunId,
    /// Succeeded or held.
    pub outcome: RunOutcome,
    /// The counts recorded on the run.
    pub counts: RunCounts,
    /// Disables and deletes held by the brake.
    pub held_disables: u64,
    /// Owned guests by redemption state, as this cycle's tenant read saw them.
    pub redemption: Redemption,
    /// How long each phase took.
    pub phases: PhaseTimings,
    /// Anchors whose only difference from the tenant is guestsync's own write, not yet
    /// replicated (nothing to do, looked at again next cycle).
    pub waiting_for_replication: u64,
    /// Identities the `[[scope]]` rules leave out.
    pub out_of_scope: u64,
}

impl CycleReport {
    pub(super) fn new(run_id: RunId, preview: &Preview) -> Self {
        let held_disables = preview.plan.held_disables.len() as u64;
        let outcome = if preview.plan.brake.is_held() {
            RunOutcome::Held
        } else {
            RunOutcome::Succeeded
        };
        Self {
            run_id,
            outcome,
            counts: run_counts(preview),
            held_disables,
            redemption: preview.funnel,
            phases: preview.phases,
            waiting_for_replication: preview.plan.counts.pending_replication,
            out_of_scope: preview.plan.counts.out_of_scope,
        }
    }

    /// Whether the brake held this run.
    pub fn is_held(&self) -> bool {
        self.outcome == RunOutcome::Held
    }
}

/// The run counts of a preview.
pub fn run_counts(preview: &Preview) -> RunCounts {
    let plan = &preview.plan.counts;
    RunCounts {
        read: preview.snapshot.rows_read,
        rejected: preview.snapshot.rejected.len() as u64,
        held_conflicts: (preview.snapshot.conflicts.len() + preview.plan.conflicts.len()) as u64,
        invites: plan.invites,
        adopts: plan.adopts,
        updates: plan.updates,
        enables: plan.enables,
        disables: plan.disables,
        deletes: plan.deletes,
        reinvites: plan.reinvites,
        renewals: plan.renewals,
        restores: plan.restores,
        email_changes: plan.email_changes,
        unchanged: plan.unchanged,
        failed: 0,
        dead: 0,
        pending_acceptance: preview.redemption.count(RedemptionState::Pending),
        accepted: preview.redemption.count(RedemptionState::Accepted),
    }
}

pub(super) fn rejections(preview: &Preview) -> Vec<RejectedRow> {
    preview
        .snapshot
        .rejected
        .iter()
        .map(|row| RejectedRow {
            row_number: row.row_number,
            anchor: row.anchor.clone(),
            reason: row.reason.clone(),
        })
        .collect()
}

pub(super) fn conflicts(preview: &Preview) -> Vec<HeldConflict> {
    let from_source = preview.snapshot.conflicts.iter().map(|c| HeldConflict {
        anchor: c.anchor.to_string(),
        email: c.email.to_string(),
        reason: c.reason.clone(),
    });
    let from_plan = preview.plan.conflicts.iter().map(|c| HeldConflict {
        anchor: c.anchor.to_string(),
        email: String::new(),
        reason: c.reason.to_string(),
    });
    from_source.chain(from_plan).collect()
}
