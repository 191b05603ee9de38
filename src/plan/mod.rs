//! The pure planner and the mass-change brake: desired vs observed vs links → actions.
//! No I/O and no clock read: `now` is a parameter.
//!
//! - [`model`]: the inputs ([`PlanInput`], [`ObservedGuest`], [`LinkState`], [`PlanPolicy`]).
//! - [`actions`]: the output ([`Plan`], [`PlannedAction`], [`Action`], conflicts, counts).
//! - [`brake`]: the mass-change brake ([`BrakeDecision`]).
//! - [`hash`]: the stable `desired_hash` the queue coalesces on.
//! - [`scope`]: the `[[scope]]` rules; an identity out of scope counts as absent.
//! - [`lifecycle`]: housekeeping (renew, expire, delete, restore) and its policy.
//! - `matching` and `diff`: e-mail matching and the per-anchor rules.

pub mod actions;
pub mod brake;
mod diff;
pub mod hash;
mod keys;
pub mod lifecycle;
mod matching;
pub mod model;
pub mod scope;

use chrono::{DateTime, Utc};

pub use actions::{Action, ConflictReason, Plan, PlanConflict, PlanCounts, PlannedAction};
pub use brake::BrakeDecision;
pub use lifecycle::{ExpireAction, LifecyclePolicy, LinkLifecycle};
pub use model::{LinkState, ObservedGuest, PlanInput, PlanPolicy};
pub use scope::Scope;

use crate::identity::{Anchor, Identity};
use diff::{Outcome, Window};
use matching::Index;

/// Plans one cycle: what to do for every desired identity and every owned guest, in anchor
/// order, with disables and deletes over the brake's thresholds held for an operator. An
/// identity out of the policy's scope is treated as absent: its owned guest is disabled
/// (through the brake).
pub fn plan(input: &PlanInput, policy: &PlanPolicy, now: DateTime<Utc>) -> Plan {
    plan_indexed(input, None, policy, now)
}

/// [`plan`], with the join of links to observed guests by object id done by the caller:
/// `link_guests[i]` is the position in `input.observed` of the **last** guest whose object id
/// is `input.links[i].object_id`, or `u32::MAX` when there is none (what [`plan`] computes
/// itself). The cycle finds these positions anyway while it reads the links; joining a million
/// object ids twice is most of a large plan's time. The plan is the same as [`plan`]'s when
/// the positions are right. Positions that are not one per link are ignored (joined here).
pub fn plan_with_link_guests(
    input: &PlanInput,
    link_guests: Vec<u32>,
    policy: &PlanPolicy,
    now: DateTime<Utc>,
) -> Plan {
    let one_per_link = link_guests.len() == input.links.len();
    debug_assert!(one_per_link, "one guest position per link");
    plan_indexed(input, one_per_link.then_some(link_guests), policy, now)
}

fn plan_indexed(
    input: &PlanInput,
    link_guests: Option<Vec<u32>>,
    policy: &PlanPolicy,
    now: DateTime<Utc>,
) -> Plan {
    let index = Index::build(input, link_guests);
    let window = Window {
        now,
        replication: policy.replication_window,
        create_only: policy.create_only,
        lifecycle: &policy.lifecycle,
    };
    let mut acc = Accumulator::default();
    for (position, identity) in input.desired.iter().enumerate() {
        if !policy.scope.contains(identity) && !index.is_duplicate(position) {
            acc.counts.out_of_scope += 1;
            let outcome = index
                .linked(position)
                .map_or(diff::Outcome::Unchanged, |linked| {
                    diff::decide_out_of_scope(linked.link, linked.guest, window)
                });
            acc.record(&identity.anchor, None, outcome);
            continue;
        }
        let outcome = diff::decide_desired(identity, position, &index, window);
        acc.record(&identity.anchor, Some(identity), outcome);
    }
    for (position, link) in input.links.iter().enumerate() {
        let in_source =
            index.link_is_desired(position) || input.present_anchors.contains(&link.anchor);
        if !in_source {
            let outcome = diff::decide_out_of_scope(link, index.link_guest(position), window);
            acc.record(&link.anchor, None, outcome);
        }
    }
    let owned = input
        .links
        .iter()
        .filter(|l| l.lifecycle.deleted_at.is_none())
        .count();
    acc.finish(owned as u64, policy)
}

/// Collects outcomes into the plan's parts.
#[derive(Debug, Default)]
struct Accumulator {
    items: Vec<PlannedAction>,
    conflicts: Vec<PlanConflict>,
    counts: PlanCounts,
}

impl Accumulator {
    fn record(&mut self, anchor: &Anchor, desired: Option<&Identity>, outcome: Outcome) {
        match outcome {
            Outcome::Act(action) => self.push(anchor, desired, action),
            Outcome::Conflict(reason) => {
                self.counts.conflicts += 1;
                let anchor = anchor.clone();
                self.conflicts.push(PlanConflict { anchor, reason });
            }
            Outcome::Unchanged => self.counts.unchanged += 1,
            Outcome::PendingReplication => self.counts.pending_replication += 1,
        }
    }

    fn push(&mut self, anchor: &Anchor, desired: Option<&Identity>, action: Action) {
        let counter = match action {
            Action::Invite { .. } => &mut self.counts.invites,
            Action::Adopt { .. } => &mut self.counts.adopts,
            Action::Update { .. } => &mut self.counts.updates,
            Action::Enable { .. } => &mut self.counts.enables,
            Action::Disable { .. } | Action::Expire { delete: false, .. } => {
                &mut self.counts.disables
            }
            Action::Expire { delete: true, .. } => &mut self.counts.deletes,
            Action::Reinvite { .. } => &mut self.counts.reinvites,
            Action::Delete { .. } => &mut self.counts.deletes,
            Action::Renew { .. } => &mut self.counts.renewals,
            Action::Restore { .. } => &mut self.counts.restores,
            Action::ChangeEmail { .. } | Action::ResetRedemption { .. } => {
                &mut self.counts.email_changes
            }
        };
        *counter += 1;
        self.items.push(PlannedAction {
            desired_hash: hash::desired_hash(anchor, &action, desired),
            anchor: anchor.clone(),
            action,
            desired: desired.cloned(),
        });
    }

    fn finish(mut self, owned: u64, policy: &PlanPolicy) -> Plan {
        self.items.sort_by(|a, b| a.anchor.cmp(&b.anchor));
        self.conflicts.sort_by(|a, b| a.anchor.cmp(&b.anchor));
        let (items, held_disables, brake) = brake::apply(self.items, owned, policy);
        Plan {
            items,
            held_disables,
            conflicts: self.conflicts,
            counts: self.counts,
            brake,
        }
    }
}
