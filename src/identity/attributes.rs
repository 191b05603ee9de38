//! [`Attributes`]: the managed attribute values of one identity or guest, packed into one heap
//! allocation (the planner holds millions of them). A property is absent, `null` (to be
//! cleared in the tenant, see the mapping's null policy) or has a value. Serialised as a JSON
//! object keyed by the Graph property name (`{"displayName":"Ada","city":null}`), in property
//! order.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Property;

const SLOTS: usize = Property::ALL.len();

/// One property's entry: `None` for `null`, else the value.
pub type Entry<'a> = Option<&'a str>;

/// Attribute values by property. A property that is absent has no value in the source (and is
/// left alone); a `null` one is to be cleared.
///
/// Packed into one string, all header bytes ASCII: the mask of present properties (one bit per
/// property in [`Property::ALL`] order), then per present property its byte length plus one
/// (`0` = `null`), each number written 6 bits per byte with bit 6 set when more follow; then
/// the values in property order. The encoding is canonical, so the derived `Eq` and `Hash`
/// agree with the values; no attributes is the empty string (no allocation).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Attributes(Box<str>);

const MORE: u8 = 0x40;
const DIGIT: u8 = 0x3f;

fn push_number(out: &mut String, mut n: usize) {
    loop {
        let digit = (n & usize::from(DIGIT)) as u8;
        n >>= 6;
        if n == 0 {
            out.push(char::from(digit));
            return;
        }
        out.push(char::from(digit | MORE));
    }
}

fn read_number(bytes: &[u8], pos: &mut usize) -> Option<usize> {
    let mut n = 0usize;
    for shift in (0..usize::BITS).step_by(6) {
        let byte = *bytes.get(*pos)?;
        *pos += 1;
        n |= usize::from(byte & DIGIT).checked_shl(shift)?;
        if byte & MORE == 0 {
            return Some(n);
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
        self.put(property, Some(&value));
    }

    /// Sets `property` to `null` (to be cleared).
    pub fn set_null(&mut self, property: Property) {
        self.put(property, None);
    }

    /// Sets the entry of `property`: a value, or `None` for `null`.
    pub fn put(&mut self, property: Property, entry: Entry<'_>) {
        let mut entries = self.entries_array();
        entries[property.slot()] = Some(entry);
        *self = Self::from_entries(entries);
    }

    /// The value of `property`; `None` when absent or `null`.
    pub fn get(&self, property: Property) -> Option<&str> {
        self.entry(property).flatten()
    }

    /// The entry of `property`: `None` when absent, `Some(None)` when `null`.
    pub fn entry(&self, property: Property) -> Option<Entry<'_>> {
        self.entries_array()[property.slot()]
    }

    /// Whether no property is present.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The properties with values (not the `null` ones), in a fixed order.
    pub fn iter(&self) -> impl Iterator<Item = (Property, &str)> {
        self.entries().filter_map(|(p, v)| v.map(|v| (p, v)))
    }

    /// Every present property with its entry (`None` = `null`), in a fixed order.
    pub fn entries(&self) -> impl Iterator<Item = (Property, Entry<'_>)> {
        Property::ALL
            .into_iter()
            .zip(self.entries_array())
            .filter_map(|(p, e)| e.map(|e| (p, e)))
    }

    /// These attributes without the `null` entries.
    pub fn without_nulls(&self) -> Self {
        let mut entries = self.entries_array();
        entries.iter_mut().for_each(|e| {
            if *e == Some(None) {
                *e = None;
            }
        });
        Self::from_entries(entries)
    }

    /// Decodes the packed string into one entry per property.
    fn entries_array(&self) -> [Option<Entry<'_>>; SLOTS] {
        let mut entries = [None; SLOTS];
        let bytes = self.0.as_bytes();
        let mut pos = 0;
        let Some(mask) = read_number(bytes, &mut pos) else {
            return entries;
        };
        let mut lens = [None; SLOTS];
        for (slot, len) in lens.iter_mut().enumerate() {
            if mask & (1 << slot) != 0 {
                *len = read_number(bytes, &mut pos);
            }
        }
        for (entry, len) in entries.iter_mut().zip(lens) {
            match len {
                Some(0) => *entry = Some(None),
                Some(len) => {
                    *entry = self.0.get(pos..pos + len - 1).map(Some);
                    pos += len - 1;
                }
                None => {}
            }
        }
        entries
    }

    fn from_entries(entries: [Option<Entry<'_>>; SLOTS]) -> Self {
        let mut mask = 0usize;
        let mut header = String::with_capacity(2 * SLOTS);
        for (slot, entry) in entries.iter().enumerate() {
            if let Some(entry) = entry {
                mask |= 1 << slot;
                push_number(&mut header, entry.map_or(0, |v| v.len() + 1));
            }
        }
        if mask == 0 {
            return Self::default();
        }
        let values = || entries.iter().flatten().flatten();
        let len = values().map(|v| v.len()).sum::<usize>();
        let mut text = String::with_capacity(6 + header.len() + len);
        push_number(&mut text, mask);
        text.push_str(&header);
        values().for_each(|v| text.push_str(v));
        Self(text.into_boxed_str())
    }
}

impl Attributes {
    /// Attributes with these entries (`None` = `null`; the last one wins for a property given
    /// twice), packed once.
    pub fn from_entry_iter<'a>(entries: impl IntoIterator<Item = (Property, Entry<'a>)>) -> Self {
        let mut slots = [None; SLOTS];
        for (property, entry) in entries {
            slots[property.slot()] = Some(entry);
        }
        Self::from_entries(slots)
    }
}

impl<'a> FromIterator<(Property, &'a str)> for Attributes {
    /// Attributes with these values (the last one wins for a property given twice).
    fn from_iter<I: IntoIterator<Item = (Property, &'a str)>>(iter: I) -> Self {
        let mut entries = [None; SLOTS];
        for (property, value) in iter {
            entries[property.slot()] = Some(Some(value));
        }
        Self::from_entries(entries)
    }
}

/// An entry in `Debug` output: the quoted value, or `null`.
struct Shown<'a>(Entry<'a>);

impl fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(v) => fmt::Debug::fmt(v, f),
            None => f.write_str("null"),
        }
    }
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Attributes(")?;
        f.debug_map()
            .entries(self.entries().map(|(p, e)| (p, Shown(e))))
            .finish()?;
        f.write_str(")")
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.entries())
    }
}

impl<'de> Deserialize<'de> for Attributes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<Property, Option<String>>::deserialize(deserializer)?;
        let mut entries = [None; SLOTS];
        for (property, value) in &map {
            entries[property.slot()] = Some(value.as_deref());
        }
        Ok(Self::from_entries(entries))
    }
}

#[cfg(test)]
mod tests;
