//! Conversions between what the tenant read and the store return and what the pure planner
//! takes, and from the planner's output to queue items.

use crate::graph::GraphUser;
use crate::identity::{Anchor, Attributes, Email, Property, PropertySet};
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

/// The tenant read's `$select` for these mapped properties: the planning properties of
/// [`TENANT_SELECT`] that are not attributes, then each mapped property's select name once.
pub fn tenant_select(mapped: PropertySet) -> Vec<&'static str> {
    let mut select: Vec<&'static str> = TENANT_SELECT
        .into_iter()
        .filter(|name| Property::from_graph_name(name).is_none())
        .collect();
    for property in mapped.iter() {
        if !select.contains(&property.select_name()) {
            select.push(property.select_name());
        }
    }
    select
}

/// The value of `property` in a user as Graph returned it.
fn user_value(user: &GraphUser, property: Property) -> Option<&str> {
    use Property::*;
    if property.extension_slot().is_some() {
        let extensions = user.on_premises_extension_attributes.as_ref()?;
        return extensions.get(property.graph_name())?.as_deref();
    }
    let value = match property {
        DisplayName => &user.display_name,
        GivenName => &user.given_name,
        Surname => &user.surname,
        JobTitle => &user.job_title,
        Department => &user.department,
        CompanyName => &user.company_name,
        OfficeLocation => &user.office_location,
        EmployeeId => &user.employee_id,
        EmployeeType => &user.employee_type,
        City => &user.city,
        State => &user.state,
        Country => &user.country,
        StreetAddress => &user.street_address,
        PostalCode => &user.postal_code,
        UsageLocation => &user.usage_location,
        MobilePhone => &user.mobile_phone,
        _ => return None,
    };
    value.as_deref()
}

/// A guest as the planner sees it.
pub fn observed(user: GraphUser) -> ObservedGuest {
    let attributes: Attributes = Property::ALL
        .into_iter()
        .filter_map(|p| user_value(&user, p).map(|v| (p, v)))
        .collect();
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
