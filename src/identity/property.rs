//! [`Property`]: the Graph user properties guestsync can manage for a guest (graph.md, "PATCH
//! /users": settable on users, guests included), their names, limits and value rules, and
//! [`PropertySet`], a bit set of them.
//!
//! The `onPremisesExtensionAttributes.extensionAttribute1..15` sub-properties are properties of
//! their own here; on the wire they nest under `onPremisesExtensionAttributes`
//! ([`Property::extension_slot`]).

use serde::{Deserialize, Serialize};

use super::{IdentityError, text};

/// A Graph user property guestsync manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Property {
    /// `displayName` (≤ 256, cannot be cleared).
    DisplayName,
    /// `givenName` (≤ 64).
    GivenName,
    /// `surname` (≤ 64).
    Surname,
    /// `jobTitle` (≤ 128).
    JobTitle,
    /// `department` (≤ 64).
    Department,
    /// `companyName` (≤ 64).
    CompanyName,
    /// `officeLocation` (≤ 128).
    OfficeLocation,
    /// `employeeId` (≤ 16).
    EmployeeId,
    /// `employeeType` (≤ 64).
    EmployeeType,
    /// `city` (≤ 128).
    City,
    /// `state` (≤ 128).
    State,
    /// `country` (≤ 128).
    Country,
    /// `streetAddress` (≤ 1024).
    StreetAddress,
    /// `postalCode` (≤ 40).
    PostalCode,
    /// `usageLocation`: a two-letter country code (ISO 3166), upper-cased.
    UsageLocation,
    /// `mobilePhone` (≤ 64).
    MobilePhone,
    /// `onPremisesExtensionAttributes.extensionAttribute1` (≤ 1024).
    ExtensionAttribute1,
    /// `onPremisesExtensionAttributes.extensionAttribute2` (≤ 1024).
    ExtensionAttribute2,
    /// `onPremisesExtensionAttributes.extensionAttribute3` (≤ 1024).
    ExtensionAttribute3,
    /// `onPremisesExtensionAttributes.extensionAttribute4` (≤ 1024).
    ExtensionAttribute4,
    /// `onPremisesExtensionAttributes.extensionAttribute5` (≤ 1024).
    ExtensionAttribute5,
    /// `onPremisesExtensionAttributes.extensionAttribute6` (≤ 1024).
    ExtensionAttribute6,
    /// `onPremisesExtensionAttributes.extensionAttribute7` (≤ 1024).
    ExtensionAttribute7,
    /// `onPremisesExtensionAttributes.extensionAttribute8` (≤ 1024).
    ExtensionAttribute8,
    /// `onPremisesExtensionAttributes.extensionAttribute9` (≤ 1024).
    ExtensionAttribute9,
    /// `onPremisesExtensionAttributes.extensionAttribute10` (≤ 1024).
    ExtensionAttribute10,
    /// `onPremisesExtensionAttributes.extensionAttribute11` (≤ 1024).
    ExtensionAttribute11,
    /// `onPremisesExtensionAttributes.extensionAttribute12` (≤ 1024).
    ExtensionAttribute12,
    /// `onPremisesExtensionAttributes.extensionAttribute13` (≤ 1024).
    ExtensionAttribute13,
    /// `onPremisesExtensionAttributes.extensionAttribute14` (≤ 1024).
    ExtensionAttribute14,
    /// `onPremisesExtensionAttributes.extensionAttribute15` (≤ 1024).
    ExtensionAttribute15,
}

/// The complex property the extension attributes nest under.
pub const EXTENSIONS: &str = "onPremisesExtensionAttributes";

const EXTENSION_NAMES: [&str; 15] = [
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "extensionAttribute4",
    "extensionAttribute5",
    "extensionAttribute6",
    "extensionAttribute7",
    "extensionAttribute8",
    "extensionAttribute9",
    "extensionAttribute10",
    "extensionAttribute11",
    "extensionAttribute12",
    "extensionAttribute13",
    "extensionAttribute14",
    "extensionAttribute15",
];

impl Property {
    /// Every managed property, in a fixed order (the order of [`super::Attributes`]).
    pub const ALL: [Property; 31] = {
        use Property::*;
        [
            DisplayName,
            GivenName,
            Surname,
            JobTitle,
            Department,
            CompanyName,
            OfficeLocation,
            EmployeeId,
            EmployeeType,
            City,
            State,
            Country,
            StreetAddress,
            PostalCode,
            UsageLocation,
            MobilePhone,
            ExtensionAttribute1,
            ExtensionAttribute2,
            ExtensionAttribute3,
            ExtensionAttribute4,
            ExtensionAttribute5,
            ExtensionAttribute6,
            ExtensionAttribute7,
            ExtensionAttribute8,
            ExtensionAttribute9,
            ExtensionAttribute10,
            ExtensionAttribute11,
            ExtensionAttribute12,
            ExtensionAttribute13,
            ExtensionAttribute14,
            ExtensionAttribute15,
        ]
    };

    /// The property's position in [`Property::ALL`].
    pub(crate) fn slot(self) -> usize {
        self as usize
    }

    /// For `extensionAttributeN`, `N - 1`.
    pub fn extension_slot(self) -> Option<usize> {
        (self as usize).checked_sub(Property::ExtensionAttribute1 as usize)
    }

    /// The property's name in Graph; for the extension attributes, the sub-property's name
    /// (`extensionAttribute1`), as it appears under [`EXTENSIONS`].
    pub fn graph_name(self) -> &'static str {
        use Property::*;
        if let Some(slot) = self.extension_slot() {
            return EXTENSION_NAMES.get(slot).copied().unwrap_or_default();
        }
        match self {
            DisplayName => "displayName",
            GivenName => "givenName",
            Surname => "surname",
            JobTitle => "jobTitle",
            Department => "department",
            CompanyName => "companyName",
            OfficeLocation => "officeLocation",
            EmployeeId => "employeeId",
            EmployeeType => "employeeType",
            City => "city",
            State => "state",
            Country => "country",
            StreetAddress => "streetAddress",
            PostalCode => "postalCode",
            UsageLocation => "usageLocation",
            MobilePhone => "mobilePhone",
            _ => "",
        }
    }

    /// The property as operators name it: the Graph name, with the extension attributes under
    /// their parent (`onPremisesExtensionAttributes.extensionAttribute1`).
    pub fn full_name(self) -> String {
        match self.extension_slot() {
            Some(_) => format!("{EXTENSIONS}.{}", self.graph_name()),
            None => self.graph_name().to_string(),
        }
    }

    /// The name to put in `$select` to read this property.
    pub fn select_name(self) -> &'static str {
        match self.extension_slot() {
            Some(_) => EXTENSIONS,
            None => self.graph_name(),
        }
    }

    /// The longest value Graph accepts, in characters.
    pub fn max_chars(self) -> usize {
        use Property::*;
        match self {
            DisplayName => 256,
            EmployeeId => 16,
            UsageLocation => 2,
            PostalCode => 40,
            GivenName | Surname | Department | CompanyName | EmployeeType | MobilePhone => 64,
            JobTitle | OfficeLocation | City | State | Country => 128,
            _ => 1024,
        }
    }

    /// Whether Graph lets the property be set to `null` (`displayName` cannot be cleared).
    pub fn can_clear(self) -> bool {
        self != Property::DisplayName
    }

    /// Normalises a raw value for this property (see the `text` module: trim, NFC, invisible
    /// characters stripped, control characters collapsed to a space). `Ok(None)` when nothing is
    /// left; an error naming the numbers when the value is longer than [`Self::max_chars`]
    /// (never truncated). `usageLocation` is upper-cased and must be two ASCII letters.
    pub fn normalize(self, raw: &str) -> Result<Option<String>, IdentityError> {
        let Some(value) = text::normalize_text(raw) else {
            return Ok(None);
        };
        if self == Property::UsageLocation {
            return usage_location(value).map(Some);
        }
        let chars = value.chars().count();
        if chars > self.max_chars() {
            return Err(IdentityError::Attribute {
                property: self.graph_name(),
                reason: format!(
                    "{} is {chars} characters, the limit is {}",
                    self.graph_name(),
                    self.max_chars()
                ),
            });
        }
        Ok(Some(value))
    }

    /// The property with this Graph name (as stored: `extensionAttribute1` for the extension
    /// attributes), if managed.
    pub fn from_graph_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.graph_name() == name)
    }

    /// The property an operator named, case-insensitively: its Graph name, or for an extension
    /// attribute also its [`Self::full_name`].
    pub fn from_config_name(name: &str) -> Option<Self> {
        let name = name.trim();
        let short = match name.split_once('.') {
            Some((parent, child)) if parent.eq_ignore_ascii_case(EXTENSIONS) => child,
            Some(_) => return None,
            None => name,
        };
        Self::ALL
            .into_iter()
            .find(|p| p.graph_name().eq_ignore_ascii_case(short))
            .filter(|p| short == name || p.extension_slot().is_some())
    }
}

fn usage_location(value: String) -> Result<String, IdentityError> {
    if value.len() == 2 && value.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Ok(value.to_ascii_uppercase());
    }
    Err(IdentityError::Attribute {
        property: "usageLocation",
        reason: "usageLocation must be a two-letter country code (ISO 3166)".into(),
    })
}

/// A set of [`Property`] values (one bit each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PropertySet(u32);

impl PropertySet {
    /// The empty set.
    pub const EMPTY: Self = Self(0);

    /// Adds `property`.
    pub fn insert(&mut self, property: Property) {
        self.0 |= 1 << property.slot();
    }

    /// Whether `property` is in the set.
    pub fn contains(self, property: Property) -> bool {
        self.0 & (1 << property.slot()) != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members, in [`Property::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Property> {
        Property::ALL.into_iter().filter(move |p| self.contains(*p))
    }
}

impl FromIterator<Property> for PropertySet {
    fn from_iter<I: IntoIterator<Item = Property>>(iter: I) -> Self {
        let mut set = Self::default();
        iter.into_iter().for_each(|p| set.insert(p));
        set
    }
}

#[cfg(test)]
mod tests;
