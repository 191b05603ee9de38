//! Identities as read from the source: [`Anchor`], [`Email`], [`Attributes`] (of the managed
//! [`Property`] values) and [`RowExtras`], as validated newtypes. Parsing normalises; a value
//! that cannot be made valid is an [`IdentityError`] that names what was wrong, so the row can
//! be rejected with that reason.

use std::fmt;

use serde::{Deserialize, Serialize};

mod attributes;
mod email;
mod extras;
mod property;
mod text;

pub use attributes::Attributes;
pub use email::Email;
pub use extras::{RowExtras, UserType, parse_redirect_url};
pub use property::{EXTENSIONS, Property, PropertySet};

/// Normalises free text (trim, NFC, invisible characters stripped); `None` when blank. For
/// source values that are not Graph attributes (scope-only columns).
pub fn text_value(raw: &str) -> Option<String> {
    text::normalize_text(raw)
}

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

/// One identity of the source, after mapping, normalisation and validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    /// The immutable source key.
    pub anchor: Anchor,
    /// The invitation address.
    pub email: Email,
    /// The managed attributes.
    pub attributes: Attributes,
    /// Per-row invitation options and scope-only column values (usually empty).
    #[serde(default, skip_serializing_if = "RowExtras::is_empty")]
    pub extras: RowExtras,
}

#[cfg(test)]
mod tests;
