//! A `groups` cell → the managed groups it names, or why the row is rejected. Pure.
//!
//! Format: entries separated by `;` or `,`; each entry trimmed; empty entries skipped; an
//! entry that is a GUID is a group id, anything else a name from `[groups.names]`
//! (case-insensitive). A NULL or empty cell names no group. An unknown name, or a group id that
//! is not in `groups.managed`, rejects the row with a reason naming it: guestsync would never
//! apply it, and silently dropping it would remove the guest from groups it should be in.

use std::collections::BTreeSet;

use super::{GroupConfig, GroupId};

/// The entries of a cell, trimmed, without empty ones.
pub fn entries(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([';', ','])
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

/// Resolves a cell against the configuration.
pub fn resolve(raw: Option<&str>, config: &GroupConfig) -> Result<BTreeSet<GroupId>, String> {
    let mut groups = BTreeSet::new();
    for entry in entries(raw.unwrap_or_default()) {
        let id = match GroupId::parse(entry) {
            Some(id) if config.managed().contains(&id) => id,
            Some(id) => return Err(format!("groups: group {id} is not in groups.managed")),
            None => config.by_name(entry).cloned().ok_or_else(|| {
                format!("groups: unknown group name '{entry}' (not in [groups.names])")
            })?,
        };
        groups.insert(id);
    }
    Ok(groups)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const A: &str = "0b6e0d4c-3f7e-4a51-9a55-1c3c2a8f1a01";
    const B: &str = "7d1f6c2e-8b0a-4e6f-b1a2-9c8d7e6f5a40";

    fn config() -> GroupConfig {
        let names = BTreeMap::from([("partners".to_string(), A.to_string())]);
        GroupConfig::new(&[A.into(), B.into()], &names).unwrap()
    }

    fn ids(list: &[&str]) -> BTreeSet<GroupId> {
        list.iter().map(|s| GroupId::parse(s).unwrap()).collect()
    }

    #[test]
    fn ids_and_names_separated_by_semicolons_or_commas() {
        let got = resolve(
            Some(" Partners ; 7D1F6C2E-8B0A-4E6F-B1A2-9C8D7E6F5A40,, "),
            &config(),
        );
        assert_eq!(got.unwrap(), ids(&[A, B]));
        assert_eq!(
            resolve(Some(&format!("{A};partners")), &config()).unwrap(),
            ids(&[A])
        );
    }

    #[test]
    fn null_or_empty_names_no_group() {
        assert!(resolve(None, &config()).unwrap().is_empty());
        assert!(resolve(Some(" ; "), &config()).unwrap().is_empty());
    }

    #[test]
    fn unknown_names_and_unmanaged_ids_are_named() {
        let e = resolve(Some("partners;vendors"), &config()).unwrap_err();
        assert_eq!(
            e,
            "groups: unknown group name 'vendors' (not in [groups.names])"
        );
        let other = "11111111-2222-3333-4444-555555555555";
        let e = resolve(Some(other), &config()).unwrap_err();
        assert!(e.contains(other) && e.contains("groups.managed"), "{e}");
    }
}
