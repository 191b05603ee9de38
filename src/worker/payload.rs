//! The queue item payload guestsync stores: the planned [`Action`] and the desired identity it
//! converges to. The cycle writes it; the worker reads it back.

use serde::{Deserialize, Serialize};

use crate::identity::{Attributes, EXTENSIONS, Identity, Property};
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

/// A Graph PATCH body setting `attributes` (and `accountEnabled` when given): a `null` entry
/// clears the property; the extension attributes nest under `onPremisesExtensionAttributes`.
pub fn patch_body(
    attributes: &Attributes,
    account_enabled: Option<bool>,
) -> serde_json::Map<String, serde_json::Value> {
    use serde_json::{Map, Value};
    let mut body = Map::new();
    let mut extensions = Map::new();
    for (property, entry) in attributes.entries() {
        let value = entry.map_or(Value::Null, Value::from);
        let target = match property.extension_slot() {
            Some(_) => &mut extensions,
            None => &mut body,
        };
        target.insert(property.graph_name().to_string(), value);
    }
    if !extensions.is_empty() {
        body.insert(EXTENSIONS.to_string(), Value::Object(extensions));
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

/// The attributes a link's `last_applied` JSON holds (unknown properties are skipped), packed
/// once (the cycle converts every link).
pub fn attributes_from_json(value: &serde_json::Value) -> Attributes {
    let Some(map) = value.as_object() else {
        return Attributes::new();
    };
    Attributes::from_entry_iter(map.iter().filter_map(|(name, value)| {
        let property = Property::from_graph_name(name)?;
        match value {
            serde_json::Value::String(text) => Some((property, Some(text.as_str()))),
            serde_json::Value::Null => Some((property, None)),
            _ => None,
        }
    }))
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

    #[test]
    fn patch_body_nests_extensions_and_clears_with_null() {
        let mut attributes = Attributes::new();
        attributes.set(Property::ExtensionAttribute3, "x3");
        attributes.set_null(Property::ExtensionAttribute4);
        attributes.set_null(Property::City);
        attributes.set(Property::UsageLocation, "DE");
        let body = serde_json::Value::Object(patch_body(&attributes, None));
        assert_eq!(
            body,
            serde_json::json!({
                "city": null,
                "usageLocation": "DE",
                "onPremisesExtensionAttributes": {"extensionAttribute3": "x3", "extensionAttribute4": null}
            })
        );
        let json = applied_json(&attributes);
        assert_eq!(attributes_from_json(&json), attributes);
    }
}
