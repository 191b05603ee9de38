//! The planner's inputs: the desired identities, what the tenant read returned, the stored
//! links, and the policy ([`PlanPolicy`]) that tunes replication tolerance and the brake.
//! The cycle code maps store and Graph data into these types; the planner only reads them.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::lifecycle::{LifecyclePolicy, LinkLifecycle};
use super::scope::Scope;
use crate::identity::{Anchor, Attributes, Email, Identity, PropertySet};

/// One guest as the tenant read returned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedGuest {
    /// The Entra object id.
    pub object_id: String,
    /// `mail`, as Graph returned it (not normalised).
    pub mail: Option<String>,
    /// `otherMails`.
    pub other_mails: Vec<String>,
    /// `userType` (`Guest` or `Member`).
    pub user_type: Option<String>,
    /// `creationType` (`Invitation` for invited accounts).
    pub creation_type: Option<String>,
    /// `accountEnabled`.
    pub account_enabled: Option<bool>,
    /// `externalUserState` (`PendingAcceptance`, `Accepted`).
    pub external_user_state: Option<String>,
    /// `externalUserStateChangeDateTime`: when `externalUserState` last changed.
    pub external_user_state_changed_at: Option<DateTime<Utc>>,
    /// The managed attributes as the tenant holds them.
    pub attributes: Attributes,
}

impl ObservedGuest {
    /// Whether this account was created by an invitation (and so may be adopted):
    /// `creationType = Invitation` or `userType = Guest`.
    pub fn is_invited(&self) -> bool {
        let is = |v: &Option<String>, want: &str| {
            v.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(want))
        };
        is(&self.creation_type, "Invitation") || is(&self.user_type, "Guest")
    }
}

/// The stored link of one anchor to the guest guestsync owns for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkState {
    /// The source anchor.
    pub anchor: Anchor,
    /// The owned guest's object id.
    pub object_id: String,
    /// The address guestsync invited or adopted.
    pub email: Email,
    /// Whether guestsync disabled the account (so it may enable it again).
    pub disabled_by_us: bool,
    /// The attribute values guestsync last wrote.
    pub last_applied: Attributes,
    /// When guestsync last wrote attributes.
    pub last_applied_at: Option<DateTime<Utc>>,
    /// When guestsync invited this guest.
    pub invited_at: Option<DateTime<Utc>>,
    /// Re-invitations, disable and delete times (housekeeping).
    pub lifecycle: LinkLifecycle,
}

/// Everything one planning pass looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    /// Valid, conflict-free identities from the source: the scope.
    pub desired: Vec<Identity>,
    /// Anchors present in the source but rejected or held this cycle. Their links are never
    /// disabled or updated: a typo in a row must not disable a partner.
    pub present_anchors: BTreeSet<Anchor>,
    /// The guests the tenant read returned.
    pub observed: Vec<ObservedGuest>,
    /// The stored links (the owned guests).
    pub links: Vec<LinkState>,
}

/// Knobs of the planner and the brake, and the mapping's planning rules.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanPolicy {
    /// How long a tenant value may lag behind our own write before it counts as drift, and how
    /// long a fresh invitee may be missing from the tenant read (default 2 minutes).
    pub replication_window: Duration,
    /// The most disables and deletes one cycle may queue without an operator (default 500).
    pub max_disables: u64,
    /// The largest share of owned guests, in percent, one cycle may disable or delete without an
    /// operator (default 5.0).
    pub max_disable_percent: f64,
    /// Properties set on invite and never compared afterwards (`on_create_only`).
    pub create_only: PropertySet,
    /// The `[[scope]]` rules; an identity out of scope is treated as absent from the source.
    pub scope: Scope,
    /// Housekeeping: renewal, expiry, deletion (all off by default).
    pub lifecycle: LifecyclePolicy,
}

impl Default for PlanPolicy {
    fn default() -> Self {
        Self {
            replication_window: Duration::minutes(2),
            max_disables: 500,
            max_disable_percent: 5.0,
            create_only: PropertySet::EMPTY,
            scope: Scope::default(),
            lifecycle: LifecyclePolicy::default(),
        }
    }
}
