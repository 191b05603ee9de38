//! [`Attributes`]: the managed attribute values of one identity or guest, packed into one heap
//! allocation (the planner holds millions of them). Serialised as a JSON object keyed by the
//! Graph property name (`{"displayName":"Ada"}`), in property order.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Property;

const SLOTS: usize = Property::ALL.len();

/// Attribute values by property. A property that is absent has no value in the source.
///
/// The values are stored concatenated in property order with their end offsets, so equal
/// attribute sets have equal representations (derived `Eq` and `Hash` agree with the values).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Attributes {
    /// The present values, concatenated in property order.
    text: Box<str>,
    /// End offset in `text` of each property's value; an absent value is empty.
    ends: [u32; SLOTS],
    /// Bit `i` set: property `i` has a value (possibly empty).
    present: u8,
}

impl Property {
    /// The property's position in [`Property::ALL`].
    fn slot(self) -> usize {
        self as usize
    }
}

impl Attributes {
    /// No attributes.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `property` to `value`.
    pub fn set(&mut self, property: Property, value: impl Into<String>) {
        let value = value.into();
        let mut values = self.values();
        values[property.slot()] = Some(&value);
        *self = Self::from_values(values);
    }

    /// The value of `property`, if any.
    pub fn get(&self, property: Property) -> Option<&str> {
        let slot = property.slot();
        if self.present & (1 << slot) == 0 {
            return None;
        }
        let start = slot.checked_sub(1).map_or(0, |i| self.ends[i]) as usize;
        self.text.get(start..self.ends[slot] as usize)
    }

    /// The properties with values, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (Property, &str)> {
        Property::ALL
            .into_iter()
            .filter_map(|p| self.get(p).map(|v| (p, v)))
    }

    fn values(&self) -> [Option<&str>; SLOTS] {
        Property::ALL.map(|p| self.get(p))
    }

    /// Packs the values. A total length beyond `u32::MAX` bytes (far past Graph's limits)
    /// cannot be represented: values that would exceed it are dropped.
    fn from_values(values: [Option<&str>; SLOTS]) -> Self {
        let len = values.iter().flatten().map(|v| v.len()).sum();
        let mut text = String::with_capacity(len);
        let mut packed = Self::default();
        for (slot, value) in values.into_iter().enumerate() {
            if let Some(value) = value
                && u32::try_from(text.len() + value.len()).is_ok()
            {
                text.push_str(value);
                packed.present |= 1 << slot;
            }
            packed.ends[slot] = u32::try_from(text.len()).unwrap_or(u32::MAX);
        }
        packed.text = text.into_boxed_str();
        packed
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Attributes(")?;
        f.debug_map().entries(self.iter()).finish()?;
        f.write_str(")")
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<Property, String>::deserialize(deserializer)?;
        let mut values = [None; SLOTS];
        for (property, value) in &map {
            values[property.slot()] = Some(value.as_str());
        }
        Ok(Self::from_values(values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_iter_in_property_order() {
        let mut a = Attributes::new();
        a.set(Property::Surname, "Lovelace");
        a.set(Property::DisplayName, "Ada");
        a.set(Property::JobTitle, "");
        a.set(Property::DisplayName, "Ada L.");
        assert_eq!(a.get(Property::DisplayName), Some("Ada L."));
        assert_eq!(a.get(Property::JobTitle), Some(""));
        assert_eq!(a.get(Property::GivenName), None);
        let all: Vec<_> = a.iter().collect();
        assert_eq!(
            all,
            [
                (Property::DisplayName, "Ada L."),
                (Property::Surname, "Lovelace"),
                (Property::JobTitle, ""),
            ]
        );
    }

    #[test]
    fn equality_ignores_insertion_order_and_empty_is_not_absent() {
        let mut a = Attributes::new();
        a.set(Property::CompanyName, "X");
        a.set(Property::DisplayName, "Ada");
        let mut b = Attributes::new();
        b.set(Property::DisplayName, "Ada");
        b.set(Property::CompanyName, "X");
        assert_eq!(a, b);
        let mut c = Attributes::new();
        c.set(Property::Department, "");
        assert_ne!(c, Attributes::new());
    }

    #[test]
    fn serde_is_an_object_keyed_by_graph_name() {
        let mut a = Attributes::new();
        a.set(Property::OfficeLocation, "B1");
        a.set(Property::DisplayName, "Ada");
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"{"displayName":"Ada","officeLocation":"B1"}"#);
        let back: Attributes = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        assert!(serde_json::from_str::<Attributes>(r#"{"mail":"x"}"#).is_err());
        assert_eq!(format!("{a:?}"), r#"Attributes({DisplayName: "Ada", OfficeLocation: "B1"})"#);
    }
}
