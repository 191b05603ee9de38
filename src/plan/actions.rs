//! The planner's output: [`Action`] (the queue item's JSON payload), [`PlannedAction`],
//! held conflicts ([`PlanConflict`], [`ConflictReason`]), [`PlanCounts`] and the [`Plan`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::brake::BrakeDecision;
use crate::identity::{Anchor, Attributes, Email, Identity};

/// What to do to the tenant for one anchor. Stored as the queue item's payload and read back
/// by the worker, so the serialised form (tagged by `kind`) is a stable contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Invite a new guest, then set the full desired attributes.
    Invite {
        /// The address to invite.
        email: Email,
        /// Every desired attribute.
        attributes: Attributes,
    },
    /// Link an existing invited guest found by e-mail, then PATCH `changes` (may be empty).
    Adopt {
        /// The guest to link.
        object_id: String,
        /// Only the properties that differ from the tenant.
        changes: Attributes,
    },
    /// PATCH the changed properties of an owned guest.
    Update {
        /// The owned guest.
        object_id: String,
        /// Only the properties that differ.
        changes: Attributes,
    },
    /// Enable a guest guestsync disabled, then PATCH `changes` (may be empty).
    Enable {
        /// The owned guest.
        object_id: String,
        /// Only the properties that differ.
        changes: Attributes,
    },
    /// Disable an owned guest whose anchor left the scope.
    Disable {
        /// The owned guest.
        object_id: String,
    },
    /// The owned guest is gone from the tenant: invite again and relink.
    Reinvite {
        /// The object id the link pointed to.
        previous_object_id: String,
        /// The address to invite.
        email: Email,
        /// Every desired attribute.
        attributes: Attributes,
    },
    /// Re-invite a guest still pending acceptance: the same user, a new redeem URL.
    Renew {
        /// The owned guest.
        object_id: String,
        /// The address it was invited with.
        email: Email,
        /// Which re-invitation this is (1 for the first); keeps each one's hash distinct.
        round: u32,
    },
    /// Expire an owned guest still pending acceptance too long: disable it, or soft-delete it
    /// when `delete`. The link remembers the expiry: an expired guest is neither enabled,
    /// renewed nor restored by guestsync while its anchor stays in the source.
    Expire {
        /// The owned guest.
        object_id: String,
        /// Delete instead of disable.
        delete: bool,
    },
    /// Soft-delete an owned guest (restorable for 30 days).
    Delete {
        /// The owned guest.
        object_id: String,
    },
    /// Restore a guest guestsync deleted, then enable it and set every desired attribute.
    Restore {
        /// The deleted guest's object id.
        object_id: String,
        /// The address to invite instead when the guest is no longer in deleted items.
        email: Email,
        /// Every desired attribute.
        attributes: Attributes,
    },
    /// The source e-mail changed: set `mail` (and the changed properties), then reset the
    /// redemption so the guest redeems again with the new address.
    ChangeEmail {
        /// The owned guest.
        object_id: String,
        /// The new address.
        email: Email,
        /// Only the properties that differ.
        changes: Attributes,
        /// Whether to reset the redemption (the guest has an invitation state).
        reset_redemption: bool,
        /// Whether to enable the guest too (guestsync had disabled it; a new address is a new
        /// chance, even for an expired guest).
        enable: bool,
    },
    /// The second step of an [`Action::ChangeEmail`], never planned: reset the redemption of an
    /// owned guest whose `mail` guestsync has already set to `email`. The worker continues with
    /// it when the reset right after the PATCH does not succeed (the mail may not have
    /// replicated yet, notes/graph.md §7), so that waiting for it never writes `mail` again.
    ResetRedemption {
        /// The owned guest.
        object_id: String,
        /// The new address, already in the guest's `mail`.
        email: Email,
    },
}

impl Action {
    /// The action's kind as a stable lower-case name (the serde tag).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Action::Invite { .. } => "invite",
            Action::Adopt { .. } => "adopt",
            Action::Update { .. } => "update",
            Action::Enable { .. } => "enable",
            Action::Disable { .. } => "disable",
            Action::Reinvite { .. } => "reinvite",
            Action::Renew { .. } => "renew",
            Action::Delete { .. } => "delete",
            Action::Expire { .. } => "expire",
            Action::Restore { .. } => "restore",
            Action::ChangeEmail { .. } => "change_email",
            Action::ResetRedemption { .. } => "reset_redemption",
        }
    }

    /// The existing guest this action writes to, if any (invites create a new one).
    pub fn target_object_id(&self) -> Option<&str> {
        match self {
            Action::Invite { .. } | Action::Reinvite { .. } => None,
            Action::Adopt { object_id, .. }
            | Action::Update { object_id, .. }
            | Action::Enable { object_id, .. }
            | Action::Disable { object_id }
            | Action::Renew { object_id, .. }
            | Action::Delete { object_id }
            | Action::Expire { object_id, .. }
            | Action::Restore { object_id, .. }
            | Action::ChangeEmail { object_id, .. }
            | Action::ResetRedemption { object_id, .. } => Some(object_id),
        }
    }
}

/// One action for one anchor, with the desired state it converges to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAction {
    /// The anchor the action is for.
    pub anchor: Anchor,
    /// What to do.
    pub action: Action,
    /// The desired identity (`None` for a disable: the anchor left the scope).
    pub desired: Option<Identity>,
    /// Stable hash of action and desired state; the queue coalesces on it.
    pub desired_hash: String,
}

/// Why an anchor is held without an action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum ConflictReason {
    /// Several guests carry the identity's e-mail.
    AmbiguousMatch {
        /// How many guests matched.
        candidates: usize,
    },
    /// The only matching guest is owned for another anchor.
    LinkedToOtherAnchor {
        /// The matching guest.
        object_id: String,
        /// The anchor that owns it.
        other_anchor: Anchor,
    },
    /// The only matching account is not an invited guest (a member account).
    NotAnInvitedGuest {
        /// The matching account.
        object_id: String,
    },
    /// The matching guest's addresses also match another unlinked identity.
    SharedGuest {
        /// The matching guest.
        object_id: String,
    },
    /// The desired e-mail differs from the linked one; needs resetRedemption. No longer
    /// planned (the planner changes the address); kept so stored runs still read.
    EmailChanged,
    /// The anchor appears more than once in the desired identities.
    DuplicateAnchor,
}

impl fmt::Display for ConflictReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AmbiguousMatch { candidates } => {
                write!(f, "{candidates} guests match this e-mail")
            }
            Self::LinkedToOtherAnchor {
                object_id,
                other_anchor,
            } => write!(
                f,
                "the matching guest {object_id} is linked to anchor {other_anchor}"
            ),
            Self::NotAnInvitedGuest { object_id } => {
                write!(
                    f,
                    "the matching account {object_id} is not an invited guest"
                )
            }
            Self::SharedGuest { object_id } => write!(
                f,
                "the matching guest {object_id} also matches another identity"
            ),
            Self::EmailChanged => f.write_str("e-mail changed; needs resetRedemption"),
            Self::DuplicateAnchor => f.write_str("anchor appears more than once"),
        }
    }
}

/// An anchor held without an action, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanConflict {
    /// The held anchor.
    pub anchor: Anchor,
    /// Why it is held.
    pub reason: ConflictReason,
}

/// How many anchors got each outcome. `disables` and `deletes` count every planned one,
/// including those the brake held (see [`Plan::held_disables`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    /// Invites planned.
    pub invites: u64,
    /// Adoptions planned.
    pub adopts: u64,
    /// Updates planned.
    pub updates: u64,
    /// Enables planned.
    pub enables: u64,
    /// Disables planned (queued or held), expiries that disable included.
    pub disables: u64,
    /// Re-invites planned.
    pub reinvites: u64,
    /// Deletes planned (queued or held), expiries that delete included.
    pub deletes: u64,
    /// Renewals of pending invitations planned.
    pub renewals: u64,
    /// Restores from deleted items planned.
    pub restores: u64,
    /// E-mail changes planned.
    pub email_changes: u64,
    /// Anchors that need nothing.
    pub unchanged: u64,
    /// Anchors whose only difference is our own write not yet replicated.
    pub pending_replication: u64,
    /// Anchors held as conflicts.
    pub conflicts: u64,
    /// Identities the `[[scope]]` rules leave out (treated as absent from the source).
    #[serde(default)]
    pub out_of_scope: u64,
}

/// The result of one planning pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The actions to queue, ordered by anchor.
    pub items: Vec<PlannedAction>,
    /// Disables and deletes the brake held back for an operator, ordered by anchor.
    pub held_disables: Vec<PlannedAction>,
    /// Anchors held without an action, ordered by anchor.
    pub conflicts: Vec<PlanConflict>,
    /// Outcome counts.
    pub counts: PlanCounts,
    /// Whether the brake held the disables and deletes.
    pub brake: BrakeDecision,
}
