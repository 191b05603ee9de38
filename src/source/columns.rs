//! Which result column feeds which identity field, by column name (case-insensitive), given
//! the [`Mapping`]. Required: `anchor`, `email`, and every column the operator mapped by name.
//! Optional: the default attribute columns (`display_name`, `given_name`, `surname`,
//! `job_title`, `department`, `company_name`, `office_location`) and the option columns
//! `user_type` and `redirect_url`, and `groups` (group memberships, see [`crate::groups`]).
//! Other columns are ignored.

use super::SourceError;
use super::mapping::{Mapping, NullPolicy, REDIRECT_URL_COLUMN, USER_TYPE_COLUMN};
use crate::identity::Property;

/// One mapped attribute column of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeColumn {
    /// The property it feeds.
    pub property: Property,
    /// Its position.
    pub index: usize,
    /// Whether a `NULL` clears the tenant value.
    pub clear_null: bool,
}

/// The column positions of the fields of one result shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Position of `anchor`.
    pub anchor: usize,
    /// Position of `email`.
    pub email: usize,
    /// The attribute columns present, in property order.
    pub attributes: Vec<AttributeColumn>,
    /// Position of `user_type`, if present.
    pub user_type: Option<usize>,
    /// Position of `redirect_url`, if present.
    pub redirect_url: Option<usize>,
    /// Position of `groups`, when the query has it.
    pub groups: Option<usize>,
    /// Positions of the scope-only columns, by scope slot.
    pub scope: Vec<usize>,
    /// Names of the columns that feed nothing (logged once at debug).
    pub ignored: Vec<String>,
}

/// The position of the first column called `name` (case-insensitive, trimmed).
fn find(names: &[&str], name: &str) -> Option<usize> {
    names
        .iter()
        .position(|n| n.trim().eq_ignore_ascii_case(name.trim()))
}

impl ColumnMap {
    /// Maps column names (in result order) with the default mapping.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, SourceError> {
        Self::with_mapping(names, &Mapping::default())
    }

    /// Maps column names (in result order). A missing required column is an error naming it;
    /// when a name appears twice, the first one wins.
    pub fn with_mapping<'a>(
        names: impl IntoIterator<Item = &'a str>,
        mapping: &Mapping,
    ) -> Result<Self, SourceError> {
        let names: Vec<&str> = names.into_iter().collect();
        let anchor =
            find(&names, "anchor").ok_or(SourceError::MissingColumn { column: "anchor" })?;
        let email = find(&names, "email").ok_or(SourceError::MissingColumn { column: "email" })?;
        let missing = |column: &str, feeds: String| SourceError::MissingMappedColumn {
            column: column.to_string(),
            feeds,
        };
        let mut attributes = Vec::new();
        for mapped in mapping.properties() {
            match find(&names, &mapped.column) {
                Some(index) => attributes.push(AttributeColumn {
                    property: mapped.property,
                    index,
                    clear_null: mapped.null == NullPolicy::Clear,
                }),
                None if mapped.required => {
                    return Err(missing(&mapped.column, mapped.property.full_name()));
                }
                None => {}
            }
        }
        let scope = mapping
            .scope_columns()
            .iter()
            .map(|c| find(&names, c).ok_or_else(|| missing(c, "a [[scope]] rule".into())))
            .collect::<Result<Vec<_>, _>>()?;
        let mut map = Self {
            anchor,
            email,
            attributes,
            user_type: find(&names, USER_TYPE_COLUMN),
            redirect_url: find(&names, REDIRECT_URL_COLUMN),
            groups: find(&names, "groups"),
            scope,
            ignored: Vec::new(),
        };
        let used: Vec<usize> = map.mapped().collect();
        map.ignored = (0..names.len())
            .filter(|i| !used.contains(i))
            .filter_map(|i| names.get(i).map(|n| n.to_string()))
            .collect();
        Ok(map)
    }

    /// Every mapped column position (anchor, e-mail, attributes, options, groups, scope).
    pub fn mapped(&self) -> impl Iterator<Item = usize> + '_ {
        [self.anchor, self.email]
            .into_iter()
            .chain(self.attributes.iter().map(|a| a.index))
            .chain(self.user_type)
            .chain(self.redirect_url)
            .chain(self.groups)
            .chain(self.scope.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::mapping::MappedProperty;

    #[test]
    fn maps_by_name_case_insensitively_and_ignores_extras() {
        let map = ColumnMap::from_names(["ID", "Email", "Anchor", "SURNAME", "x"]).unwrap();
        assert_eq!((map.anchor, map.email), (2, 1));
        let surname = AttributeColumn {
            property: Property::Surname,
            index: 3,
            clear_null: false,
        };
        assert_eq!(map.attributes, vec![surname]);
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

    #[test]
    fn configured_columns_are_required_and_options_found() {
        let mut mapping = Mapping::default().with_scope_columns(vec!["status".into()]);
        mapping.set(MappedProperty {
            property: Property::City,
            column: "Town".into(),
            required: true,
            on_create_only: false,
            null: NullPolicy::Clear,
        });
        let names = [
            "anchor",
            "email",
            "town",
            "status",
            "USER_TYPE",
            "redirect_url",
        ];
        let map = ColumnMap::with_mapping(names, &mapping).unwrap();
        assert_eq!(map.attributes[0].index, 2);
        assert!(map.attributes[0].clear_null);
        assert_eq!((map.user_type, map.redirect_url), (Some(4), Some(5)));
        assert_eq!(map.scope, vec![3]);
        assert!(map.ignored.is_empty());
        let e = ColumnMap::with_mapping(["anchor", "email", "status"], &mapping).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the source query has no column `Town` (mapped to city)"
        );
        let e = ColumnMap::with_mapping(["anchor", "email", "town"], &mapping).unwrap_err();
        assert!(
            e.to_string()
                .contains("`status` (mapped to a [[scope]] rule)"),
            "{e}"
        );
    }
}
