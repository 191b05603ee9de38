//! `[mapping]`: parses the operator's property mapping into a [`Mapping`] on top of the default
//! one. Keys are Graph property names, matched case-insensitively (environment variables
//! arrive lower-cased); the extension attributes may be written flat (`extensionAttribute1`),
//! dotted or nested under `onPremisesExtensionAttributes`. An unknown property or field is an
//! error naming its key.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::error::Problems;
use crate::identity::{EXTENSIONS, Property};
use crate::source::{MappedProperty, Mapping, NullPolicy};

const FIELDS: &str = "column, on_create_only, null";

/// Parses `[mapping]`; problems are recorded under `mapping.…` keys.
pub fn parse_mapping(raw: &BTreeMap<String, Value>, problems: &mut Problems) -> Mapping {
    let mut merged: BTreeMap<Property, (String, Map<String, Value>)> = BTreeMap::new();
    for (key, value) in flatten(raw) {
        let name = format!("mapping.{key}");
        let Some(property) = Property::from_config_name(&key) else {
            problems.add(&name, unknown_property());
            continue;
        };
        let Value::Object(fields) = value else {
            problems.add(&name, format!("must be a table with {FIELDS}"));
            continue;
        };
        let slot = merged.entry(property).or_insert_with(|| (name, Map::new()));
        slot.1.extend(fields.clone());
    }
    let mut mapping = Mapping::default();
    for (property, (key, fields)) in merged {
        if let Some(entry) = entry(property, &key, &fields, problems) {
            mapping.set(entry);
        }
    }
    mapping
}

fn unknown_property() -> String {
    let names: Vec<String> = Property::ALL
        .iter()
        .filter(|p| p.extension_slot().is_none())
        .map(|p| p.graph_name().to_string())
        .collect();
    format!(
        "unknown Graph user property; guestsync maps {}, and {EXTENSIONS}.extensionAttribute1..15",
        names.join(", ")
    )
}

/// The entries, with the nested extension attributes brought up as `parent.child` keys.
fn flatten(raw: &BTreeMap<String, Value>) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (key, value) in raw {
        match value.as_object() {
            Some(children) if key.eq_ignore_ascii_case(EXTENSIONS) => {
                out.extend(children.iter().map(|(k, v)| (format!("{key}.{k}"), v)));
            }
            _ => out.push((key.clone(), value)),
        }
    }
    out
}

fn entry(
    property: Property,
    key: &str,
    fields: &Map<String, Value>,
    problems: &mut Problems,
) -> Option<MappedProperty> {
    let mut ok = true;
    for unknown in fields
        .keys()
        .filter(|k| !FIELDS.split(", ").any(|f| f == *k))
    {
        problems.add(
            &format!("{key}.{unknown}"),
            format!("unknown key (known: {FIELDS})"),
        );
        ok = false;
    }
    let column = match fields.get("column") {
        Some(Value::String(c)) => Some(c.trim().to_string()),
        Some(_) => {
            problems.add(&format!("{key}.column"), "must be a column name (text)");
            return None;
        }
        None => None,
    };
    let required = column.is_some();
    let column = match column.or_else(|| Mapping::default_column(property).map(String::from)) {
        Some(column) => column,
        None => {
            let message = format!(
                "is required: the source column that feeds {}",
                property.full_name()
            );
            problems.add(&format!("{key}.column"), message);
            return None;
        }
    };
    let on_create_only = flag(
        fields.get("on_create_only"),
        &format!("{key}.on_create_only"),
        problems,
    );
    let null = null_policy(
        property,
        fields.get("null"),
        &format!("{key}.null"),
        problems,
    );
    let (Some(on_create_only), Some(null)) = (on_create_only, null) else {
        return None;
    };
    ok.then_some(MappedProperty {
        property,
        column,
        required,
        on_create_only,
        null,
    })
}

fn flag(value: Option<&Value>, key: &str, problems: &mut Problems) -> Option<bool> {
    match value {
        None => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(_) => {
            problems.add(key, "must be true or false");
            None
        }
    }
}

fn null_policy(
    property: Property,
    value: Option<&Value>,
    key: &str,
    problems: &mut Problems,
) -> Option<NullPolicy> {
    let policy = match value {
        None => NullPolicy::Leave,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("leave") => NullPolicy::Leave,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("clear") => NullPolicy::Clear,
        Some(_) => {
            problems.add(key, "must be \"leave\" or \"clear\"");
            return None;
        }
    };
    if policy == NullPolicy::Clear && !property.can_clear() {
        let message = format!(
            "{} cannot be cleared in Graph; use \"leave\"",
            property.graph_name()
        );
        problems.add(key, message);
        return None;
    }
    Some(policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Mapping, String> {
        let raw: BTreeMap<String, Value> = serde_json::from_str(json).unwrap();
        let mut problems = Problems::default();
        let mapping = parse_mapping(&raw, &mut problems);
        problems
            .finish()
            .map(|()| mapping)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn maps_on_top_of_the_default() {
        let m = parse(
            r#"{"jobTitle": {"column": "title", "on_create_only": true},
                "city": {"column": "town", "null": "clear"},
                "onPremisesExtensionAttributes": {"extensionAttribute2": {"column": "x2"}},
                "extensionattribute3": {"column": "x3"}}"#,
        )
        .unwrap();
        let job = m.get(Property::JobTitle).unwrap();
        assert_eq!(
            (job.column.as_str(), job.on_create_only, job.required),
            ("title", true, true)
        );
        assert_eq!(m.get(Property::City).unwrap().null, NullPolicy::Clear);
        assert_eq!(m.get(Property::ExtensionAttribute2).unwrap().column, "x2");
        assert_eq!(m.get(Property::ExtensionAttribute3).unwrap().column, "x3");
        assert_eq!(m.get(Property::Surname).unwrap().column, "surname");
        assert!(m.create_only().contains(Property::JobTitle));
    }

    #[test]
    fn lower_cased_environment_keys_merge_with_the_file() {
        let m =
            parse(r#"{"jobTitle": {"column": "title"}, "jobtitle": {"null": "clear"}}"#).unwrap();
        let job = m.get(Property::JobTitle).unwrap();
        assert_eq!(
            (job.column.as_str(), job.null),
            ("title", NullPolicy::Clear)
        );
    }

    #[test]
    fn errors_name_the_key() {
        let e = parse(r#"{"favouriteColour": {"column": "c"}}"#).unwrap_err();
        assert!(
            e.contains("mapping.favouriteColour: unknown Graph user property"),
            "{e}"
        );
        let e = parse(r#"{"city": {}}"#).unwrap_err();
        assert!(e.contains("mapping.city.column: is required"), "{e}");
        let e = parse(r#"{"displayName": {"null": "clear"}}"#).unwrap_err();
        assert!(
            e.contains("mapping.displayName.null: displayName cannot be cleared"),
            "{e}"
        );
        let e = parse(r#"{"city": {"column": "t", "colour": 1, "null": "wipe"}}"#).unwrap_err();
        assert!(e.contains("mapping.city.colour: unknown key"), "{e}");
        assert!(e.contains("mapping.city.null: must be"), "{e}");
        let e = parse(r#"{"onPremisesExtensionAttributes": {"extensionAttribute16": {}}}"#)
            .unwrap_err();
        assert!(
            e.contains("mapping.onPremisesExtensionAttributes.extensionAttribute16"),
            "{e}"
        );
    }

    #[test]
    fn an_empty_column_unmaps_a_default() {
        let m = parse(r#"{"jobTitle": {"column": ""}}"#).unwrap();
        assert!(m.get(Property::JobTitle).is_none());
    }
}
