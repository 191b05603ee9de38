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
/// Packed into one string: a header byte with one bit per present property, the byte length of
/// each present value (6 bits per byte, bit 6 set when more follow; all bytes ASCII), then the
/// values in property order. The encoding is canonical, so the derived `Eq` and `Hash` agree
/// with the values; no attributes is the empty string (no allocation).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Attributes(Box<str>);

impl Property {
    /// The property's position in [`Property::ALL`].
    fn slot(self) -> usize {
        self as usize
    }
}

const MORE: u8 = 0x40;
const DIGIT: u8 = 0x3f;

fn push_len(out: &mut String, mut len: usize) {
    loop {
        let digit = (len & usize::from(DIGIT)) as u8;
        len >>= 6;
        if len == 0 {
            out.push(char::from(digit));
            return;
        }
        out.push(char::from(digit | MORE));
    }
}

fn read_len(bytes: &[u8], pos: &mut usize) -> Option<usize> {
    let mut len = 0usize;
    for shift in (0..usize::BITS).step_by(6) {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        len |= usize::from(byte & DIGIT).checked_shl(shift)?;
        if byte & MORE == 0 {
            return Some(len);
        }
    }
    None
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
        self.values()[property.slot()]
    }

    /// The properties with values, in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (Property, &str)> {
        Property::ALL
            .into_iter()
            .zip(self.values())
            .filter_map(|(p, v)| v.map(|v| (p, v)))
    }

    /// Decodes the packed string into one value per property.
    fn values(&self) -> [Option<&str>; SLOTS] {
        let mut values = [None; SLOTS];
        let bytes = self.0.as_bytes();
        let Some(&mask) = bytes.first() else {
            return values;
        };
        let mut pos = 1;
        let mut lens = [None; SLOTS];
        for (slot, len) in lens.iter_mut().enumerate() {
            if mask & (1 << slot) != 0 {
                *len = read_len(bytes, &mut pos);
            }
        }
        for (value, len) in values.iter_mut().zip(lens) {
            if let Some(len) = len {
                *value = self.0.get(pos..pos + len);
                pos += len;
            }
        }
        values
    }

    fn from_values(values: [Option<&str>; SLOTS]) -> Self {
        let mut mask = 0u8;
        let mut header = String::with_capacity(1 + 2 * SLOTS);
        for (slot, value) in values.iter().enumerate() {
            if let Some(value) = value {
                mask |= 1 << slot;
                push_len(&mut header, value.len());
            }
        }
        if mask == 0 {
            return Self::default();
        }
        let len = values.iter().flatten().map(|v| v.len()).sum::<usize>();
        let mut text = String::with_capacity(1 + header.len() + len);
        text.push(char::from(mask));
        text.push_str(&header);
        values.iter().flatten().for_each(|v| text.push_str(v));
        Self(text.into_boxed_str())
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
        let long = "é".repeat(5000);
        let mut b = a.clone();
        b.set(Property::Surname, long.as_str());
        assert_eq!(b.get(Property::Surname), Some(long.as_str()));
        assert_eq!(b.get(Property::OfficeLocation), Some("B1"));
        assert_eq!(
            format!("{a:?}"),
            r#"Attributes({DisplayName: "Ada", OfficeLocation: "B1"})"#
        );
    }
}
