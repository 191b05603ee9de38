//! [`RowExtras`]: what a source row carries besides the Graph attributes: the per-row
//! invitation options (`user_type`, `redirect_url` columns) and the values of scope-only
//! columns. Kept behind one optional box, so an identity without any costs one word.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{IdentityError, text};

/// The `invitedUserType` of an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UserType {
    /// `Guest` (Graph's default).
    Guest,
    /// `Member`.
    Member,
}

impl UserType {
    /// Parses a `user_type` cell: `Guest` or `Member` (any case, trimmed); blank is `None`.
    pub fn parse(raw: &str) -> Result<Option<Self>, IdentityError> {
        let Some(value) = text::normalize_text(raw) else {
            return Ok(None);
        };
        if value.eq_ignore_ascii_case("guest") {
            Ok(Some(Self::Guest))
        } else if value.eq_ignore_ascii_case("member") {
            Ok(Some(Self::Member))
        } else {
            Err(option_error("user_type must be Guest or Member"))
        }
    }

    /// The value as Graph spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guest => "Guest",
            Self::Member => "Member",
        }
    }
}

fn option_error(reason: &str) -> IdentityError {
    IdentityError::Attribute {
        property: "invitation",
        reason: reason.into(),
    }
}

/// Parses a `redirect_url` cell: an absolute `https` URL with a host; blank is `None`.
pub fn parse_redirect_url(raw: &str) -> Result<Option<String>, IdentityError> {
    let Some(value) = text::normalize_text(raw) else {
        return Ok(None);
    };
    match Url::parse(&value) {
        Ok(url) if url.scheme() == "https" && url.host().is_some() => Ok(Some(url.to_string())),
        _ => Err(option_error("redirect_url must be an absolute https URL")),
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Inner {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    user_type: Option<UserType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    redirect_url: Option<String>,
    /// Scope-only column values, by the scope's column slot; used by the planner in the cycle
    /// that read them, never stored.
    #[serde(skip)]
    scope_values: Vec<Option<String>>,
}

/// Per-row invitation options and scope-only values; empty for most identities.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RowExtras(Option<Box<Inner>>);

impl RowExtras {
    /// Nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there is nothing to store.
    pub fn is_empty(&self) -> bool {
        self.0
            .as_ref()
            .is_none_or(|i| i.user_type.is_none() && i.redirect_url.is_none())
    }

    fn inner_mut(&mut self) -> &mut Inner {
        self.0.get_or_insert_with(Box::default)
    }

    /// Sets the row's `invitedUserType`.
    pub fn set_user_type(&mut self, user_type: UserType) {
        self.inner_mut().user_type = Some(user_type);
    }

    /// Sets the row's `inviteRedirectUrl`.
    pub fn set_redirect_url(&mut self, url: String) {
        self.inner_mut().redirect_url = Some(url);
    }

    /// Sets the scope-only column values (by scope column slot); all-`None` stores nothing.
    pub fn set_scope_values(&mut self, values: Vec<Option<String>>) {
        if values.iter().any(Option::is_some) {
            self.inner_mut().scope_values = values;
        }
    }

    /// The row's `invitedUserType`, if it has one.
    pub fn user_type(&self) -> Option<UserType> {
        self.0.as_ref().and_then(|i| i.user_type)
    }

    /// The row's `inviteRedirectUrl`, if it has one.
    pub fn redirect_url(&self) -> Option<&str> {
        self.0.as_ref().and_then(|i| i.redirect_url.as_deref())
    }

    /// The value of the scope-only column at `slot`, if not null.
    pub fn scope_value(&self, slot: usize) -> Option<&str> {
        self.0
            .as_ref()
            .and_then(|i| i.scope_values.get(slot))
            .and_then(Option::as_deref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_type_parses_guest_or_member() {
        assert_eq!(UserType::parse(" member ").unwrap(), Some(UserType::Member));
        assert_eq!(UserType::parse("Guest").unwrap(), Some(UserType::Guest));
        assert_eq!(UserType::parse("  ").unwrap(), None);
        let e = UserType::parse("Admin").unwrap_err();
        assert_eq!(e.to_string(), "user_type must be Guest or Member");
    }

    #[test]
    fn redirect_url_must_be_https() {
        let ok = parse_redirect_url(" https://apps.example/x?y=1 ").unwrap();
        assert_eq!(ok.as_deref(), Some("https://apps.example/x?y=1"));
        assert_eq!(parse_redirect_url("").unwrap(), None);
        for bad in [
            "http://apps.example",
            "apps.example",
            "https://",
            "mailto:a@b.c",
        ] {
            assert!(parse_redirect_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn extras_serialise_only_the_options() {
        let mut e = RowExtras::new();
        assert!(e.is_empty());
        e.set_scope_values(vec![Some("x".into())]);
        assert!(e.is_empty());
        assert_eq!(e.scope_value(0), Some("x"));
        e.set_user_type(UserType::Member);
        e.set_redirect_url("https://a.example/".into());
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(
            json,
            r#"{"user_type":"Member","redirect_url":"https://a.example/"}"#
        );
        let back: RowExtras = serde_json::from_str(&json).unwrap();
        assert_eq!(back.user_type(), Some(UserType::Member));
        assert_eq!(back.scope_value(0), None);
    }
}
