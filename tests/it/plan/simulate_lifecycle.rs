//! The simulated tenant's side of the housekeeping actions (renew, expire, delete, restore,
//! e-mail change), applied the way the worker would: see `simulate`.

use chrono::{DateTime, Utc};
use guestsync::identity::Attributes;
use guestsync::plan::{Action, PlanInput, PlannedAction};

use super::simulate::{link_mut, new_guest, set};

/// Applies one housekeeping action (`action` is `item.action`).
pub fn apply_one(
    world: &mut PlanInput,
    item: &PlannedAction,
    action: &Action,
    now: DateTime<Utc>,
    visible: bool,
) {
    let Some(l) = link_mut(world, &item.anchor) else {
        panic!("{} without a link", action.kind_name())
    };
    match action {
        Action::Renew { .. } => {
            l.lifecycle.reinvites += 1;
            l.lifecycle.reinvited_at = Some(now);
        }
        Action::Expire { object_id, delete } => {
            l.lifecycle.expired_at = Some(now);
            if *delete {
                l.lifecycle.deleted_at = Some(now);
                world.observed.retain(|g| g.object_id != *object_id);
            } else {
                l.disabled_by_us = true;
                l.lifecycle.disabled_at = Some(now);
                set(world, object_id, &Attributes::new(), Some(false));
            }
        }
        Action::Delete { object_id } => {
            l.lifecycle.deleted_at = Some(now);
            world.observed.retain(|g| g.object_id != *object_id);
        }
        Action::Restore { object_id, .. } => {
            let Some(d) = item.desired.as_ref() else {
                panic!("restore without desired state")
            };
            l.lifecycle.deleted_at = None;
            l.lifecycle.disabled_at = None;
            l.disabled_by_us = false;
            l.last_applied = d.attributes.clone();
            l.last_applied_at = Some(now);
            let mut guest = new_guest(object_id, d);
            guest.external_user_state = Some("Accepted".into());
            world.observed.push(guest);
        }
        Action::ChangeEmail {
            object_id,
            email,
            changes,
            enable,
            ..
        } => {
            l.email = email.clone();
            l.disabled_by_us &= !enable;
            if *enable {
                l.lifecycle.disabled_at = None;
                l.lifecycle.expired_at = None;
            }
            l.last_applied = item
                .desired
                .as_ref()
                .map(|d| d.attributes.clone())
                .unwrap_or_default();
            l.last_applied_at = Some(now);
            let shown = if visible { changes } else { &Attributes::new() };
            set(world, object_id, shown, enable.then_some(true));
            if let Some(g) = world
                .observed
                .iter_mut()
                .find(|g| g.object_id == *object_id)
            {
                g.mail = Some(email.as_str().into());
            }
        }
        other => panic!("{} is not a housekeeping action", other.kind_name()),
    }
}
