//! A simulated tenant for the property tests: applies planned actions the way the worker
//! would: links are updated; Graph's attribute writes and creations are visible at once, or,
//! with [`Lag::Replicating`], not yet (enables and disables are always visible).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use guestsync::identity::{Anchor, Attributes, Identity};
use guestsync::plan::{Action, LinkState, ObservedGuest, PlanInput, PlannedAction};

/// Whether the tenant read already shows our writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lag {
    /// Every write is visible.
    None,
    /// Creations and attribute writes are not visible yet.
    Replicating,
}

/// Applies `items` to the world at `now`.
pub fn apply<'a>(
    world: &mut PlanInput,
    items: impl Iterator<Item = &'a PlannedAction>,
    now: DateTime<Utc>,
) {
    apply_with(world, items, now, Lag::None);
}

/// Applies `items` to the world at `now`, with the tenant lagging as `lag` says.
pub fn apply_with<'a>(
    world: &mut PlanInput,
    items: impl Iterator<Item = &'a PlannedAction>,
    now: DateTime<Utc>,
    lag: Lag,
) {
    for item in items {
        apply_one(world, item, now, lag == Lag::None);
    }
}

fn apply_one(world: &mut PlanInput, item: &PlannedAction, now: DateTime<Utc>, visible: bool) {
    let desired = item.desired.as_ref();
    match &item.action {
        Action::Invite { .. } | Action::Reinvite { .. } => {
            let Some(d) = desired else {
                panic!("invite without desired state")
            };
            let object_id = format!("new-{}", d.anchor);
            if visible {
                world.observed.push(new_guest(&object_id, d));
            }
            relink(world, d, &object_id, now);
            if let Some(l) = link_mut(world, &d.anchor) {
                l.invited_at = Some(now);
            }
        }
        Action::Adopt { object_id, changes } => {
            if visible {
                set(world, object_id, changes, None);
            }
            let Some(d) = desired else {
                panic!("adopt without desired state")
            };
            relink(world, d, object_id, now);
        }
        Action::Update { object_id, changes } | Action::Enable { object_id, changes } => {
            let enable = matches!(item.action, Action::Enable { .. });
            let shown = if visible { changes } else { &Attributes::new() };
            set(world, object_id, shown, enable.then_some(true));
            let Some(l) = link_mut(world, &item.anchor) else {
                panic!("no link")
            };
            l.last_applied = desired.map(|d| d.attributes.clone()).unwrap_or_default();
            l.last_applied_at = Some(now);
            l.disabled_by_us &= !enable;
        }
        Action::Disable { object_id } => {
            set(world, object_id, &Attributes::new(), Some(false));
            let Some(l) = link_mut(world, &item.anchor) else {
                panic!("no link")
            };
            l.disabled_by_us = true;
            l.lifecycle.disabled_at = Some(now);
        }
        other => super::simulate_lifecycle::apply_one(world, item, other, now, visible),
    }
}

pub(super) fn new_guest(object_id: &str, d: &Identity) -> ObservedGuest {
    ObservedGuest {
        object_id: object_id.into(),
        mail: Some(d.email.as_str().into()),
        other_mails: vec![],
        user_type: Some("Guest".into()),
        creation_type: Some("Invitation".into()),
        account_enabled: Some(true),
        external_user_state: Some("PendingAcceptance".into()),
        external_user_state_changed_at: None,
        attributes: d.attributes.clone(),
    }
}

pub(super) fn set(
    world: &mut PlanInput,
    object_id: &str,
    changes: &Attributes,
    enabled: Option<bool>,
) {
    let Some(g) = world.observed.iter_mut().find(|g| g.object_id == object_id) else {
        panic!("write to a guest that does not exist: {object_id}")
    };
    for (p, v) in changes.iter() {
        g.attributes.set(p, v);
    }
    if enabled.is_some() {
        g.account_enabled = enabled;
    }
}

pub(super) fn link_mut<'a>(world: &'a mut PlanInput, anchor: &Anchor) -> Option<&'a mut LinkState> {
    world.links.iter_mut().find(|l| l.anchor == *anchor)
}

fn relink(world: &mut PlanInput, d: &Identity, object_id: &str, now: DateTime<Utc>) {
    world.links.retain(|l| l.anchor != d.anchor);
    world.links.push(LinkState {
        anchor: d.anchor.clone(),
        object_id: object_id.into(),
        email: d.email.clone(),
        disabled_by_us: false,
        last_applied: d.attributes.clone(),
        last_applied_at: Some(now),
        invited_at: None,
        lifecycle: Default::default(),
    });
}

/// Object ids the planner may touch: linked guests and guests whose `mail` or `otherMails`
/// match a desired identity's address.
pub fn owned_or_matched(world: &PlanInput) -> BTreeSet<String> {
    let wanted: BTreeSet<String> = world.desired.iter().map(|d| d.email.match_key()).collect();
    let matched = world.observed.iter().filter(|g| {
        g.mail
            .iter()
            .chain(&g.other_mails)
            .any(|m| wanted.contains(&m.trim().to_lowercase()))
    });
    let linked = world.links.iter().map(|l| l.object_id.clone());
    linked.chain(matched.map(|g| g.object_id.clone())).collect()
}
