//! One decoded row → an [`Identity`], or the reason it is rejected. Pure: no I/O.

use std::borrow::Cow;

use crate::identity::{
    Anchor, Attributes, Email, Identity, RowExtras, UserType, parse_redirect_url, text_value,
};

use super::columns::ColumnMap;

/// One decoded cell: its text, `None` for NULL, or why it could not be decoded.
pub type Cell<'r> = Result<Option<Cow<'r, str>>, String>;

/// What one row became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    /// The anchor is missing or invalid: the row is rejected and no anchor is present.
    NoAnchor {
        /// The anchor text as read, if any.
        raw: Option<String>,
        /// Why.
        reason: String,
    },
    /// The anchor is valid but something else is not: rejected, anchor still present.
    Rejected {
        /// The valid anchor.
        anchor: Anchor,
        /// Why.
        reason: String,
    },
    /// A valid identity.
    Valid(Identity),
}

impl RowOutcome {
    /// The valid anchor of the row, if it has one.
    pub fn anchor(&self) -> Option<&Anchor> {
        match self {
            Self::NoAnchor { .. } => None,
            Self::Rejected { anchor, .. } => Some(anchor),
            Self::Valid(identity) => Some(&identity.anchor),
        }
    }
}

/// Validates one row; `cell(i)` decodes column `i`.
pub fn validate_row<'r>(map: &ColumnMap, mut cell: impl FnMut(usize) -> Cell<'r>) -> RowOutcome {
    let anchor = match cell(map.anchor) {
        Err(reason) => return no_anchor(None, format!("anchor: {reason}")),
        Ok(None) => return no_anchor(None, "anchor is NULL".into()),
        Ok(Some(raw)) => match Anchor::parse(&raw) {
            Ok(anchor) => anchor,
            Err(e) => return no_anchor(Some(raw.trim().to_string()), e.to_string()),
        },
    };
    match identity(map, cell) {
        Ok((email, attributes, extras)) => RowOutcome::Valid(Identity {
            anchor,
            email,
            attributes,
            extras,
        }),
        Err(reason) => RowOutcome::Rejected { anchor, reason },
    }
}

fn no_anchor(raw: Option<String>, reason: String) -> RowOutcome {
    let raw = raw.filter(|r| !r.is_empty());
    RowOutcome::NoAnchor { raw, reason }
}

/// The e-mail, attributes and extras of a row whose anchor is valid.
fn identity<'r>(
    map: &ColumnMap,
    mut cell: impl FnMut(usize) -> Cell<'r>,
) -> Result<(Email, Attributes, RowExtras), String> {
    let email = match cell(map.email) {
        Err(reason) => return Err(format!("email: {reason}")),
        Ok(None) => return Err("e-mail is missing (NULL)".into()),
        Ok(Some(raw)) => Email::parse(&raw).map_err(|e| e.to_string())?,
    };
    // Normalised values first, packed once: no re-encoding per column.
    let mut values = Vec::with_capacity(map.attributes.len());
    for column in &map.attributes {
        let property = column.property;
        let raw =
            cell(column.index).map_err(|reason| format!("{}: {reason}", property.graph_name()))?;
        let value = match raw {
            Some(raw) => property.normalize(&raw).map_err(|e| e.to_string())?,
            None => None,
        };
        if value.is_some() || column.clear_null {
            values.push((property, value));
        }
    }
    let attributes = Attributes::from_entry_iter(values.iter().map(|(p, v)| (*p, v.as_deref())));
    Ok((email, attributes, extras(map, cell)?))
}

/// The row's invitation options and scope-only values.
fn extras<'r>(
    map: &ColumnMap,
    mut cell: impl FnMut(usize) -> Cell<'r>,
) -> Result<RowExtras, String> {
    let mut extras = RowExtras::new();
    let mut text = |index: Option<usize>, name: &str| -> Result<Option<Cow<'r, str>>, String> {
        match index {
            Some(index) => cell(index).map_err(|reason| format!("{name}: {reason}")),
            None => Ok(None),
        }
    };
    if let Some(raw) = text(map.user_type, "user_type")? {
        let user_type = UserType::parse(&raw).map_err(|e| e.to_string())?;
        user_type.into_iter().for_each(|t| extras.set_user_type(t));
    }
    if let Some(raw) = text(map.redirect_url, "redirect_url")? {
        let url = parse_redirect_url(&raw).map_err(|e| e.to_string())?;
        url.into_iter().for_each(|u| extras.set_redirect_url(u));
    }
    let mut scope = Vec::with_capacity(map.scope.len());
    for &index in &map.scope {
        let raw = text(Some(index), "scope column")?;
        scope.push(raw.and_then(|r| text_value(&r)));
    }
    extras.set_scope_values(scope);
    Ok(extras)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Property;

    fn run(cells: &[Option<&str>]) -> RowOutcome {
        let names = ["anchor", "email", "display_name"];
        let map = ColumnMap::from_names(names).unwrap();
        validate_row(&map, |i| Ok(cells[i].map(Cow::Borrowed)))
    }

    #[test]
    fn valid_row_becomes_an_identity() {
        let RowOutcome::Valid(id) = run(&[Some(" 7 "), Some("A@B.example"), Some(" Ada ")]) else {
            panic!("rejected")
        };
        assert_eq!(id.anchor.as_str(), "7");
        assert_eq!(id.email.as_str(), "A@b.example");
        assert_eq!(id.attributes.get(Property::DisplayName), Some("Ada"));
    }

    #[test]
    fn null_or_blank_anchor_has_no_anchor() {
        assert!(matches!(
            run(&[None, Some("a@b.example"), None]),
            RowOutcome::NoAnchor { .. }
        ));
        let out = run(&[Some("  "), Some("a@b.example"), None]);
        assert_eq!(
            out,
            RowOutcome::NoAnchor {
                raw: None,
                reason: "invalid anchor: empty".into()
            }
        );
    }

    #[test]
    fn bad_email_or_attribute_keeps_the_anchor() {
        let out = run(&[Some("7"), Some("a\u{200b}@b.example"), None]);
        let RowOutcome::Rejected { anchor, reason } = out else {
            panic!("not rejected")
        };
        assert_eq!(anchor.as_str(), "7");
        assert!(reason.contains("invisible character U+200B"), "{reason}");
        let long = "x".repeat(300);
        let out = run(&[Some("7"), Some("a@b.example"), Some(&long)]);
        let RowOutcome::Rejected { reason, .. } = out else {
            panic!("not rejected")
        };
        assert_eq!(reason, "displayName is 300 characters, the limit is 256");
        assert!(matches!(
            run(&[Some("7"), None, None]),
            RowOutcome::Rejected { .. }
        ));
    }

    #[test]
    fn undecodable_cell_rejects_the_row() {
        let map = ColumnMap::from_names(["anchor", "email", "surname"]).unwrap();
        let out = validate_row(&map, |i| match i {
            2 => Err("not valid UTF-8".into()),
            0 => Ok(Some(Cow::Borrowed("1"))),
            _ => Ok(Some(Cow::Borrowed("a@b.example"))),
        });
        let RowOutcome::Rejected { reason, .. } = out else {
            panic!("not rejected")
        };
        assert_eq!(reason, "surname: not valid UTF-8");
    }
}
