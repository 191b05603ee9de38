//! The per-anchor decisions of DESIGN.md "The cycle" step 3: desired vs observed vs link →
//! one [`Outcome`]. Attribute differences are computed property by property, tolerating our
//! own writes that have not replicated yet.

use chrono::{DateTime, Duration, Utc};

use super::actions::{Action, ConflictReason};
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

/// The time frame of one planning pass, and the properties it never compares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    /// The planning instant.
    pub now: DateTime<Utc>,
    /// The replication window.
    pub replication: Duration,
    /// Properties set on invite only (never part of an update).
    pub create_only: PropertySet,
}

impl Window {
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
    window: Window,
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
    window: Window,
) -> Outcome {
    if identity.email != link.email
        && match_key(identity.email.as_str()) != match_key(link.email.as_str())
    {
        return Outcome::Conflict(ConflictReason::EmailChanged);
    }
    let Some(guest) = guest else {
        return decide_gone(identity, link, index, window);
    };
    let recent_write = window
        .is_recent(link.last_applied_at)
        .then_some(&link.last_applied);
    let (changes, pending) = changes(&identity.attributes, guest, recent_write, window);
    let object_id = || guest.object_id.clone();
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
    window: Window,
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

fn decide_unlinked(identity: &Identity, index: &Index<'_>, window: Window) -> Outcome {
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
/// the observed guest with the link's object id.
pub(crate) fn decide_out_of_scope(guest: Option<&ObservedGuest>) -> Outcome {
    match guest {
        Some(guest) if guest.account_enabled != Some(false) => Outcome::Act(Action::Disable {
            object_id: guest.object_id.clone(),
        }),
        _ => Outcome::Unchanged,
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
