//! Conversions between what the tenant read and the store return and what the pure planner
//! takes, and from the planner's output to queue items.

use crate::graph::GraphUser;
use crate::identity::{Anchor, Attributes, Email, Property};
use crate::plan::{LinkLifecycle, LinkState, ObservedGuest, PlannedAction};
use crate::store::{Link, PlannedItem};
use crate::worker::ItemPayload;
use crate::worker::payload::attributes_from_json;

/// The properties the tenant read selects: exactly what planning needs.
pub const TENANT_SELECT: [&str; 15] = [
    "id",
    "mail",
    "otherMails",
    "userType",
    "creationType",
    "accountEnabled",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "department",
    "companyName",
    "officeLocation",
];

/// A guest as the planner sees it.
pub fn observed(user: GraphUser) -> ObservedGuest {
    let mut attributes = Attributes::new();
    let values = [
        (Property::DisplayName, user.display_name),
        (Property::GivenName, user.given_name),
        (Property::Surname, user.surname),
        (Property::JobTitle, user.job_title),
        (Property::Department, user.department),
        (Property::CompanyName, user.company_name),
        (Property::OfficeLocation, user.office_location),
    ];
    for (property, value) in values {
        if let Some(value) = value {
            attributes.set(property, value);
        }
    }
    ObservedGuest {
        object_id: user.id,
        mail: user.mail,
        other_mails: user.other_mails.unwrap_or_default(),
        user_type: user.user_type,
        creation_type: user.creation_type,
        account_enabled: user.account_enabled,
        external_user_state: user.external_user_state,
        external_user_state_changed_at: user.external_user_state_change_date_time,
        attributes,
    }
}

/// A stored link as the planner sees it; `None` for a link whose anchor or address no longer
/// parses (it is then left alone). Links of guests guestsync deleted are kept: the planner
/// restores such a guest when its anchor comes back.
pub fn link_state(link: &Link) -> Option<LinkState> {
    Some(LinkState {
        anchor: Anchor::parse(&link.anchor).ok()?,
        object_id: link.object_id.clone(),
        email: Email::parse(&link.email).ok()?,
        disabled_by_us: link.disabled_by_us,
        last_applied: attributes_from_json(&link.last_applied),
        last_applied_at: Some(link.last_applied_at),
        invited_at: link.invited_at,
        lifecycle: LinkLifecycle {
            reinvites: link.reinvites,
            reinvited_at: link.reinvited_at,
            disabled_at: link.disabled_at,
            deleted_at: link.deleted_at,
            expired_at: link.expired_at,
        },
    })
}

/// A planned action as a queue item.
pub fn queue_item(planned: &PlannedAction) -> Result<PlannedItem, serde_json::Error> {
    let payload = ItemPayload {
        action: planned.action.clone(),
        desired: planned.desired.clone(),
    };
    Ok(PlannedItem {
        anchor: planned.anchor.to_string(),
        action: planned.action.kind_name().to_string(),
        desired_hash: planned.desired_hash.clone(),
        payload: serde_json::to_value(payload)?,
    })
}

/// Planned actions as queue items.
pub fn queue_items(planned: &[PlannedAction]) -> Result<Vec<PlannedItem>, serde_json::Error> {
    planned.iter().map(queue_item).collect()
}
