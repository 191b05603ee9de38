//! The per-anchor decisions of DESIGN.md "The cycle" step 3: desired vs observed vs link →
//! one [`Outcome`]. Attribute differences are computed property by property, tolerating our
//! own writes that have not replicated yet.

use chrono::{DateTime, Duration, Utc};

use super::actions::{Action, ConflictReason};
use super::lifecycle::{self, LifecyclePolicy};
use super::matching::{Index, Linked, MatchOutcome, match_key};
use super::model::{LinkState, ObservedGuest};
use crate::identity::{Attributes, Identity, PropertySet};

/// The decision for one anchor.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Something to do.
    Act(Action),
    /// Held without an action.
    Conflict(ConflictReason),
    /// Nothing to do.
    Unchanged,
    /// Nothing to do yet: our own recent write is not visible in the tenant.
    PendingReplication,
}

/// The time frame of one planning pass, the properties it never compares, and the
/// housekeeping policy measured against it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window<'a> {
    /// The planning instant.
    pub now: DateTime<Utc>,
    /// The replication window.
    pub replication: Duration,
    /// Properties set on invite only (never part of an update).
    pub create_only: PropertySet,
    /// Renewal, expiry and deletion rules.
    pub lifecycle: &'a LifecyclePolicy,
}

impl Window<'_> {
    /// Whether `at` lies within the replication window before `now`.
    fn is_recent(&self, at: Option<DateTime<Utc>>) -> bool {
        at.is_some_and(|at| self.now - at < self.replication)
    }
}

/// Decides for an identity in scope.
/// `position` is the identity's index in [`super::PlanInput::desired`].
pub(crate) fn decide_desired(
    identity: &Identity,
    position: usize,
    index: &Index<'_>,
    window: Window<'_>,
) -> Outcome {
    if index.is_duplicate(position) {
        return Outcome::Conflict(ConflictReason::DuplicateAnchor);
    }
    match index.linked(position) {
        Some(linked) => decide_linked(identity, linked, index, window),
        None => decide_unlinked(identity, index, window),
    }
}

fn decide_linked(
    identity: &Identity,
    Linked { link, guest }: Linked<'_>,
    index: &Index<'_>,
    window: Window<'_>,
) -> Outcome {
    let Some(guest) = guest else {
        return match link.lifecycle.deleted_at {
            Some(deleted_at) => decide_deleted(identity, link, deleted_at, index, window),
            None => decide_gone(identity, link, index, window),
        };
    };
    let recent_write = window
        .is_recent(link.last_applied_at)
        .then_some(&link.last_applied);
    let (changes, pending) = changes(&identity.attributes, guest, recent_write, window);
    let object_id = || guest.object_id.clone();
    if identity.email != link.email
        && match_key(identity.email.as_str()) != match_key(link.email.as_str())
    {
        return Outcome::Act(Action::ChangeEmail {
            object_id: object_id(),
            email: identity.email.clone(),
            changes,
            reset_redemption: lifecycle::has_redemption(guest),
            enable: link.disabled_by_us,
        });
    }
    if let Some(decision) = lifecycle::decide_in_scope(link, guest, window.lifecycle, window.now) {
        return decision.map_or(Outcome::Unchanged, Outcome::Act);
    }
    if link.disabled_by_us {
        Outcome::Act(Action::Enable {
            object_id: object_id(),
            changes,
        })
    } else if !changes.is_empty() {
        Outcome::Act(Action::Update {
            object_id: object_id(),
            changes,
        })
    } else if pending {
        Outcome::PendingReplication
    } else {
        Outcome::Unchanged
    }
}

/// The owned guest is not in the tenant read: wait out the replication window after our own
/// invite or write; then adopt a guest that carries the address, or invite again.
fn decide_gone(
    identity: &Identity,
    link: &LinkState,
    index: &Index<'_>,
    window: Window<'_>,
) -> Outcome {
    if window.is_recent(link.invited_at) || window.is_recent(link.last_applied_at) {
        return Outcome::PendingReplication;
    }
    match decide_unlinked(identity, index, window) {
        Outcome::Act(Action::Invite { email, attributes }) => Outcome::Act(Action::Reinvite {
            previous_object_id: link.object_id.clone(),
            email,
            attributes,
        }),
        other => other,
    }
}

/// The owned guest was deleted by guestsync: restore it while Graph keeps it (30 days), else
/// treat the identity as new. An expired guest is left deleted.
fn decide_deleted(
    identity: &Identity,
    link: &LinkState,
    deleted_at: DateTime<Utc>,
    index: &Index<'_>,
    window: Window<'_>,
) -> Outcome {
    if link.lifecycle.expired_at.is_some() {
        return Outcome::Unchanged;
    }
    if lifecycle::restorable(deleted_at, window.now) {
        return Outcome::Act(Action::Restore {
            object_id: link.object_id.clone(),
            email: identity.email.clone(),
            attributes: identity.attributes.clone(),
        });
    }
    decide_unlinked(identity, index, window)
}

fn decide_unlinked(identity: &Identity, index: &Index<'_>, window: Window<'_>) -> Outcome {
    match index.match_unlinked(identity) {
        MatchOutcome::NoGuest => Outcome::Act(Action::Invite {
            email: identity.email.clone(),
            attributes: identity.attributes.clone(),
        }),
        MatchOutcome::Adoptable(guest) => {
            let (changes, _) = changes(&identity.attributes, guest, None, window);
            let object_id = guest.object_id.clone();
            Outcome::Act(Action::Adopt { object_id, changes })
        }
        MatchOutcome::Conflict(reason) => Outcome::Conflict(reason),
    }
}

/// Decides for a link whose anchor is neither desired nor present in the source; `guest` is
/// the observed guest with the link's object id. Disable; once disabled by guestsync for
/// `delete_after`, delete.
pub(crate) fn decide_out_of_scope(
    link: &LinkState,
    guest: Option<&ObservedGuest>,
    window: Window<'_>,
) -> Outcome {
    match guest {
        Some(guest) if guest.account_enabled != Some(false) => Outcome::Act(Action::Disable {
            object_id: guest.object_id.clone(),
        }),
        Some(guest) => {
            lifecycle::delete_if_disabled_long_ago(link, guest, window.lifecycle, window.now)
                .map_or(Outcome::Unchanged, Outcome::Act)
        }
        None => Outcome::Unchanged,
    }
}

/// The desired properties whose tenant value differs, and whether any difference was left
/// alone as our own write still replicating (`recent_write`: what we wrote within the
/// replication window, if we did). A property absent in the source is left alone; a `null`
/// one differs from any tenant value (it is cleared); create-only properties are skipped.
fn changes(
    desired: &Attributes,
    guest: &ObservedGuest,
    recent_write: Option<&Attributes>,
    window: Window,
) -> (Attributes, bool) {
    let mut changes = Attributes::new();
    let mut pending = false;
    if *desired == guest.attributes {
        return (changes, pending);
    }
    for (property, entry) in desired.entries() {
        if window.create_only.contains(property) || guest.attributes.get(property) == entry {
            continue;
        }
        if recent_write.is_some_and(|w| w.entry(property) == Some(entry)) {
            pending = true;
        } else {
            changes.put(property, entry);
        }
    }
    (changes, pending)
}
