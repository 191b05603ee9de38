//! [`Mapping`]: which source column feeds which Graph property (`[mapping]`), with each
//! property's policies, plus the optional per-row option columns and the scope-only columns
//! the reader must also carry. The default mapping is the fixed column names guestsync has
//! always read (`display_name` → `displayName`, …).

use crate::identity::{Property, PropertySet};

/// What a `NULL` (or blank) source value does to the tenant value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NullPolicy {
    /// Leave the tenant value alone (the default).
    #[default]
    Leave,
    /// Clear the tenant value (PATCH `null`).
    Clear,
}

/// One mapped property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedProperty {
    /// The Graph property.
    pub property: Property,
    /// The source column (matched case-insensitively).
    pub column: String,
    /// Whether the column must be in the result: true when the operator named it; the default
    /// columns are optional.
    pub required: bool,
    /// Set when the guest is invited, never compared or updated afterwards.
    pub on_create_only: bool,
    /// What a `NULL` does.
    pub null: NullPolicy,
}

/// The optional column with the row's `invitedUserType` (`Guest` or `Member`).
pub const USER_TYPE_COLUMN: &str = "user_type";
/// The optional column with the row's `inviteRedirectUrl` (an https URL).
pub const REDIRECT_URL_COLUMN: &str = "redirect_url";

/// The whole mapping of one configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    properties: Vec<MappedProperty>,
    scope_columns: Vec<String>,
}

const DEFAULT_COLUMNS: [(Property, &str); 7] = [
    (Property::DisplayName, "display_name"),
    (Property::GivenName, "given_name"),
    (Property::Surname, "surname"),
    (Property::JobTitle, "job_title"),
    (Property::Department, "department"),
    (Property::CompanyName, "company_name"),
    (Property::OfficeLocation, "office_location"),
];

impl Default for Mapping {
    fn default() -> Self {
        let properties = DEFAULT_COLUMNS
            .iter()
            .map(|&(property, column)| MappedProperty {
                property,
                column: column.to_string(),
                required: false,
                on_create_only: false,
                null: NullPolicy::Leave,
            })
            .collect();
        Self {
            properties,
            scope_columns: Vec::new(),
        }
    }
}

impl Mapping {
    /// The default column of `property`, if it has one.
    pub fn default_column(property: Property) -> Option<&'static str> {
        DEFAULT_COLUMNS
            .iter()
            .find(|(p, _)| *p == property)
            .map(|(_, c)| *c)
    }

    /// The default mapping with `entry` replacing the property's default (an empty column
    /// unmaps the property).
    pub fn set(&mut self, entry: MappedProperty) {
        self.properties.retain(|p| p.property != entry.property);
        if !entry.column.trim().is_empty() {
            self.properties.push(entry);
            self.properties.sort_by_key(|p| p.property);
        }
    }

    /// Adds the scope-only columns (the planner's scope rules read them by slot, in this order).
    pub fn with_scope_columns(mut self, columns: Vec<String>) -> Self {
        self.scope_columns = columns;
        self
    }

    /// The mapped properties, in property order.
    pub fn properties(&self) -> &[MappedProperty] {
        &self.properties
    }

    /// The mapping of `property`, if mapped.
    pub fn get(&self, property: Property) -> Option<&MappedProperty> {
        self.properties.iter().find(|p| p.property == property)
    }

    /// The mapped properties as a set (what the tenant read selects).
    pub fn mapped(&self) -> PropertySet {
        self.properties.iter().map(|p| p.property).collect()
    }

    /// The properties set on invite only.
    pub fn create_only(&self) -> PropertySet {
        self.properties
            .iter()
            .filter(|p| p.on_create_only)
            .map(|p| p.property)
            .collect()
    }

    /// The scope-only columns, by slot.
    pub fn scope_columns(&self) -> &[String] {
        &self.scope_columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_fixed_columns_and_set_replaces_or_unmaps() {
        let mut m = Mapping::default();
        assert_eq!(m.properties().len(), 7);
        assert_eq!(
            Mapping::default_column(Property::JobTitle),
            Some("job_title")
        );
        m.set(MappedProperty {
            property: Property::City,
            column: "town".into(),
            required: true,
            on_create_only: true,
            null: NullPolicy::Clear,
        });
        m.set(MappedProperty {
            property: Property::JobTitle,
            column: String::new(),
            required: true,
            on_create_only: false,
            null: NullPolicy::Leave,
        });
        assert!(m.get(Property::JobTitle).is_none());
        assert_eq!(
            m.get(Property::City).map(|p| p.column.as_str()),
            Some("town")
        );
        assert!(m.create_only().contains(Property::City));
        assert!(m.mapped().contains(Property::DisplayName));
        assert_eq!(m.properties().len(), 7);
    }
}
