//! Identities as read from the source: [`Anchor`], [`Email`] and [`Attributes`], as validated
//! newtypes. Parsing normalises; a value that cannot be made valid is an [`IdentityError`] that
//! names what was wrong, so the row can be rejected with that reason.

use std::fmt;

use serde::{Deserialize, Serialize};

mod attributes;
mod email;
mod text;

pub use attributes::Attributes;
pub use email::Email;

/// Why a value from the source was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The anchor was null, empty or unusable.
    #[error("invalid anchor: {0}")]
    Anchor(String),
    /// The e-mail address was null, malformed or not deliverable as a guest invitation.
    #[error("invalid e-mail: {0}")]
    Email(String),
    /// An attribute value broke a Graph rule (length, characters). The reason names the
    /// property, e.g. "displayName is 300 characters, the limit is 256".
    #[error("{reason}")]
    Attribute {
        /// The Graph property name.
        property: &'static str,
        /// What was wrong.
        reason: String,
    },
}

/// The immutable key of an identity in the source (never the e-mail).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Anchor(String);

impl Anchor {
    /// The longest anchor accepted, in characters.
    pub const MAX_CHARS: usize = 256;

    /// Parses an anchor: trimmed (Unicode white space), NFC, non-empty, no control or invisible
    /// characters, at most [`Self::MAX_CHARS`].
    pub fn parse(raw: &str) -> Result<Self, IdentityError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(IdentityError::Anchor("empty".into()));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(IdentityError::Anchor("contains control characters".into()));
        }
        if let Some(c) = text::first_invisible(trimmed) {
            return Err(IdentityError::Anchor(format!(
                "contains an invisible character {}",
                text::code_point(c)
            )));
        }
        let normal = text::nfc(trimmed);
        let chars = normal.chars().count();
        if chars > Self::MAX_CHARS {
            return Err(IdentityError::Anchor(format!(
                "is {chars} characters, the limit is {}",
                Self::MAX_CHARS
            )));
        }
        Ok(Self(normal))
    }

    /// The anchor as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
}

impl Property {
    /// Every managed property, in a fixed order.
    pub const ALL: [Property; 7] = [
        Property::DisplayName,
        Property::GivenName,
        Property::Surname,
        Property::JobTitle,
        Property::Department,
        Property::CompanyName,
        Property::OfficeLocation,
    ];

    /// The property's name in Graph.
    pub fn graph_name(self) -> &'static str {
        match self {
            Property::DisplayName => "displayName",
            Property::GivenName => "givenName",
            Property::Surname => "surname",
            Property::JobTitle => "jobTitle",
            Property::Department => "department",
            Property::CompanyName => "companyName",
            Property::OfficeLocation => "officeLocation",
        }
    }

    /// The longest value Graph accepts, in characters.
    pub fn max_chars(self) -> usize {
        match self {
            Property::DisplayName => 256,
            Property::GivenName | Property::Surname => 64,
            Property::Department | Property::CompanyName => 64,
            Property::JobTitle | Property::OfficeLocation => 128,
        }
    }

    /// Normalises a raw value for this property (see the `text` module: trim, NFC, invisible
    /// characters stripped, control characters collapsed to a space). `Ok(None)` when nothing is
    /// left; an error naming the numbers when the value is longer than [`Self::max_chars`]
    /// (never truncated).
    pub fn normalize(self, raw: &str) -> Result<Option<String>, IdentityError> {
        let Some(value) = text::normalize_text(raw) else {
            return Ok(None);
        };
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

    /// The property with this Graph name, if managed.
    pub fn from_graph_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.graph_name() == name)
    }
}

/// One identity of the source, after mapping, normalisation and validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The immutable source key.
    pub anchor: Anchor,
    /// The invitation address.
    pub email: Email,
    /// The managed attributes.
    pub attributes: Attributes,
}

#[cfg(test)]
mod tests;
