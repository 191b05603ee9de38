//! The queue item payload guestsync stores: the planned [`Action`] and the desired identity it
//! converges to. The cycle writes it; the worker reads it back.

use serde::{Deserialize, Serialize};

use crate::identity::{Attributes, Identity, Property};
use crate::plan::Action;

/// What a queue item asks the worker to do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemPayload {
    /// The action.
    pub action: Action,
    /// The desired identity (`None` when the anchor left the scope).
    pub desired: Option<Identity>,
}

impl ItemPayload {
    /// The attributes guestsync will have written once the action succeeds.
    pub fn desired_attributes(&self) -> Attributes {
        self.desired
            .as_ref()
            .map(|identity| identity.attributes.clone())
            .unwrap_or_default()
    }
}

/// A Graph PATCH body setting `attributes` (and `accountEnabled` when given).
pub fn patch_body(
    attributes: &Attributes,
    account_enabled: Option<bool>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut body = serde_json::Map::new();
    for (property, value) in attributes.iter() {
        body.insert(property.graph_name().to_string(), value.into());
    }
    if let Some(enabled) = account_enabled {
        body.insert("accountEnabled".into(), enabled.into());
    }
    body
}

/// `attributes` as the JSON the link keeps in `last_applied`.
pub fn applied_json(attributes: &Attributes) -> serde_json::Value {
    serde_json::to_value(attributes).unwrap_or_default()
}

/// The attributes a link's `last_applied` JSON holds (unknown properties are skipped).
pub fn attributes_from_json(value: &serde_json::Value) -> Attributes {
    let mut attributes = Attributes::new();
    if let Some(map) = value.as_object() {
        for (name, value) in map {
            if let (Some(property), Some(text)) = (Property::from_graph_name(name), value.as_str())
            {
                attributes.set(property, text);
            }
        }
    }
    attributes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_survive_the_link_json() {
        let mut attributes = Attributes::new();
        attributes.set(Property::DisplayName, "Ada Lovelace");
        attributes.set(Property::JobTitle, "Engineer");
        let json = applied_json(&attributes);
        assert_eq!(json["displayName"], "Ada Lovelace");
        assert_eq!(attributes_from_json(&json), attributes);
    }

    #[test]
    fn patch_body_names_graph_properties() {
        let mut attributes = Attributes::new();
        attributes.set(Property::CompanyName, "Fabrikam");
        let body = patch_body(&attributes, Some(false));
        assert_eq!(body["companyName"], "Fabrikam");
        assert_eq!(body["accountEnabled"], false);
    }
}
