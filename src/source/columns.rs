//! Which result column feeds which identity field, by column name (case-insensitive).
//! Required: `anchor`, `email`. Optional: `display_name`, `given_name`, `surname`, `job_title`,
//! `department`, `company_name`, `office_location`, `groups` (group memberships, see
//! [`crate::groups`]). Other columns are ignored.

use crate::identity::Property;

use super::SourceError;

/// An identity field a column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The `anchor` column.
    Anchor,
    /// The `email` column.
    Email,
    /// A managed attribute.
    Attribute(Property),
    /// The `groups` column (group memberships).
    Groups,
}

impl Field {
    /// The field a column name maps to, if any.
    pub fn from_column(name: &str) -> Option<Self> {
        let field = match name.trim().to_ascii_lowercase().as_str() {
            "anchor" => Self::Anchor,
            "email" => Self::Email,
            "display_name" => Self::Attribute(Property::DisplayName),
            "given_name" => Self::Attribute(Property::GivenName),
            "surname" => Self::Attribute(Property::Surname),
            "job_title" => Self::Attribute(Property::JobTitle),
            "department" => Self::Attribute(Property::Department),
            "company_name" => Self::Attribute(Property::CompanyName),
            "office_location" => Self::Attribute(Property::OfficeLocation),
            "groups" => Self::Groups,
            _ => return None,
        };
        Some(field)
    }
}

/// The column positions of the fields of one result shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Position of `anchor`.
    pub anchor: usize,
    /// Position of `email`.
    pub email: usize,
    /// Positions of the attribute columns present, in column order.
    pub attributes: Vec<(Property, usize)>,
    /// Position of `groups`, when the query has it.
    pub groups: Option<usize>,
    /// Names of the columns that feed nothing (logged once at debug).
    pub ignored: Vec<String>,
}

impl ColumnMap {
    /// Maps column names (in result order). A missing required column is an error; when a
    /// name appears twice, the first one wins.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, SourceError> {
        let (mut anchor, mut email, mut groups) = (None, None, None);
        let mut attributes: Vec<(Property, usize)> = Vec::new();
        let mut ignored = Vec::new();
        for (index, name) in names.into_iter().enumerate() {
            match Field::from_column(name) {
                Some(Field::Anchor) => _ = anchor.get_or_insert(index),
                Some(Field::Email) => _ = email.get_or_insert(index),
                Some(Field::Groups) => _ = groups.get_or_insert(index),
                Some(Field::Attribute(p)) if attributes.iter().all(|(q, _)| *q != p) => {
                    attributes.push((p, index));
                }
                _ => ignored.push(name.to_string()),
            }
        }
        let anchor = anchor.ok_or(SourceError::MissingColumn { column: "anchor" })?;
        let email = email.ok_or(SourceError::MissingColumn { column: "email" })?;
        Ok(Self {
            anchor,
            email,
            attributes,
            groups,
            ignored,
        })
    }

    /// Every mapped column position (anchor, e-mail, attributes, groups).
    pub fn mapped(&self) -> impl Iterator<Item = usize> + '_ {
        [self.anchor, self.email]
            .into_iter()
            .chain(self.attributes.iter().map(|(_, i)| *i))
            .chain(self.groups)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_by_name_case_insensitively_and_ignores_extras() {
        let map = ColumnMap::from_names(["ID", "Email", "Anchor", "SURNAME", "x"]).unwrap();
        assert_eq!((map.anchor, map.email), (2, 1));
        assert_eq!(map.attributes, vec![(Property::Surname, 3)]);
        assert_eq!(map.ignored, vec!["ID".to_string(), "x".to_string()]);
    }

    #[test]
    fn groups_column_is_optional_and_mapped() {
        let map = ColumnMap::from_names(["anchor", "email", "Groups"]).unwrap();
        assert_eq!(map.groups, Some(2));
        assert_eq!(map.mapped().collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(
            ColumnMap::from_names(["anchor", "email"]).unwrap().groups,
            None
        );
    }

    #[test]
    fn missing_required_columns_are_named() {
        let e = ColumnMap::from_names(["anchor", "mail"]).unwrap_err();
        assert!(matches!(e, SourceError::MissingColumn { column: "email" }));
        assert!(e.to_string().contains("no column `email`"));
        let e = ColumnMap::from_names(["email"]).unwrap_err();
        assert!(matches!(e, SourceError::MissingColumn { column: "anchor" }));
    }
}
