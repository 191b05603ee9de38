//! The housekeeping rules of the planner (issue 4 item 4): renew invitations still pending
//! acceptance, expire (disable or delete) guests pending too long, delete guests guestsync
//! disabled long ago, and restore a guest guestsync deleted when its anchor comes back.
//!
//! Pure: every age is `now` (a parameter) minus a time from the tenant read or the link.
//! - "Pending since" is the earlier of the tenant's `externalUserStateChangeDateTime` and the
//!   link's first `invited_at`: the earlier one, because whether Graph moves the change time on
//!   a re-invitation of a pending guest is not documented (notes/graph.md §1).
//! - "Last invited" is the link's `reinvited_at`, else `invited_at`, else the change time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::actions::Action;
use super::model::{LinkState, ObservedGuest};

/// How long Graph keeps a deleted user restorable (notes/graph.md §2, DELETE /users).
pub const RESTORE_WINDOW: Duration = Duration::days(30);

/// What happens to a guest still pending acceptance after `expire_pending_after`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpireAction {
    /// Disable the account (it may then be deleted after `delete_after`).
    #[default]
    Disable,
    /// Soft-delete the account.
    Delete,
}

/// The `[lifecycle]` policy. `None` durations turn a rule off; all rules are off by default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LifecyclePolicy {
    /// Re-invite a guest still pending this long after its last invitation.
    pub reinvite_pending_after: Option<Duration>,
    /// The most re-invitations of one guest (per address).
    pub max_reinvites: u32,
    /// Expire a guest still pending this long after its first invitation.
    pub expire_pending_after: Option<Duration>,
    /// What expiring does.
    pub expire_action: ExpireAction,
    /// Delete a guest guestsync disabled this long ago (never when `None`).
    pub delete_after: Option<Duration>,
}

/// What the link remembers for housekeeping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkLifecycle {
    /// How often guestsync re-invited the pending guest (reset with a new guest or address).
    pub reinvites: u32,
    /// When guestsync last re-invited it.
    pub reinvited_at: Option<DateTime<Utc>>,
    /// When guestsync disabled it (`None` while enabled).
    pub disabled_at: Option<DateTime<Utc>>,
    /// When guestsync deleted it (the link keeps the deleted object id).
    pub deleted_at: Option<DateTime<Utc>>,
    /// When guestsync expired it (pending too long); cleared when guestsync enables it again.
    pub expired_at: Option<DateTime<Utc>>,
}

/// Whether the guest still has to redeem its invitation (compared case- and
/// space-insensitively, as notes/graph.md advises).
pub fn is_pending(guest: &ObservedGuest) -> bool {
    guest.external_user_state.as_deref().is_some_and(|state| {
        // Compared char by char, without a squeezed copy: the planner asks for every guest.
        let squeezed = state.chars().filter(|c| !c.is_whitespace());
        squeezed
            .map(|c| c.to_ascii_lowercase())
            .eq("pendingacceptance".chars())
    })
}

/// Whether the guest has an invitation state at all (pending or accepted); only those can
/// have their redemption reset.
pub fn has_redemption(guest: &ObservedGuest) -> bool {
    guest.external_user_state.is_some()
}

fn pending_since(link: &LinkState, guest: &ObservedGuest) -> Option<DateTime<Utc>> {
    match (guest.external_user_state_changed_at, link.invited_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn last_invited(link: &LinkState, guest: &ObservedGuest) -> Option<DateTime<Utc>> {
    link.lifecycle
        .reinvited_at
        .or(link.invited_at)
        .or(guest.external_user_state_changed_at)
}

fn older_than(at: Option<DateTime<Utc>>, age: Option<Duration>, now: DateTime<Utc>) -> bool {
    matches!((at, age), (Some(at), Some(age)) if now - at >= age)
}

/// The housekeeping rules for a linked guest in scope: an expired guest stays as it is (or is
/// deleted `delete_after` its disable); a pending one expires, or is due for a renewal.
/// `None` when no rule applies and the usual rules decide; `Some(None)`: nothing to do.
pub(crate) fn decide_in_scope(
    link: &LinkState,
    guest: &ObservedGuest,
    policy: &LifecyclePolicy,
    now: DateTime<Utc>,
) -> Option<Option<Action>> {
    if link.lifecycle.expired_at.is_some() {
        return Some(delete_if_disabled_long_ago(link, guest, policy, now));
    }
    if !is_pending(guest) {
        return None;
    }
    let object_id = || guest.object_id.clone();
    if older_than(pending_since(link, guest), policy.expire_pending_after, now) {
        return Some(Some(Action::Expire {
            object_id: object_id(),
            delete: policy.expire_action == ExpireAction::Delete,
        }));
    }
    let renew = !link.disabled_by_us
        && link.lifecycle.reinvites < policy.max_reinvites
        && older_than(
            last_invited(link, guest),
            policy.reinvite_pending_after,
            now,
        );
    renew.then(|| {
        Some(Action::Renew {
            object_id: object_id(),
            email: link.email.clone(),
            round: link.lifecycle.reinvites + 1,
        })
    })
}

/// A delete of a guest guestsync disabled at least `delete_after` ago; `None` otherwise.
pub(crate) fn delete_if_disabled_long_ago(
    link: &LinkState,
    guest: &ObservedGuest,
    policy: &LifecyclePolicy,
    now: DateTime<Utc>,
) -> Option<Action> {
    let disabled_at = link.lifecycle.disabled_at.or(link.last_applied_at);
    let due = link.disabled_by_us
        && guest.account_enabled == Some(false)
        && older_than(disabled_at, policy.delete_after, now);
    due.then(|| Action::Delete {
        object_id: guest.object_id.clone(),
    })
}

/// Whether a guest guestsync deleted at `deleted_at` can still be restored at `now`.
pub(crate) fn restorable(deleted_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - deleted_at < RESTORE_WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(state: Option<&str>) -> ObservedGuest {
        ObservedGuest {
            object_id: "id".into(),
            mail: None,
            other_mails: Vec::new(),
            user_type: None,
            creation_type: None,
            account_enabled: None,
            external_user_state: state.map(str::to_string),
            external_user_state_changed_at: None,
            attributes: Default::default(),
        }
    }

    #[test]
    fn pending_ignores_case_and_white_space_only() {
        for state in [
            "PendingAcceptance",
            "pending acceptance",
            " PENDING\tACCEPTANCE ",
        ] {
            assert!(is_pending(&guest(Some(state))), "{state}");
        }
        for state in [
            "Accepted",
            "PendingAcceptanceX",
            "Pendingacceptancé",
            "Pending",
        ] {
            assert!(!is_pending(&guest(Some(state))), "{state}");
        }
        assert!(!is_pending(&guest(None)));
    }
}
