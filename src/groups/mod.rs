//! Group memberships guestsync manages (issue 4, item 7).
//!
//! The optional source column `groups` lists, per identity, the groups the guest should be a
//! member of: group object ids (GUIDs) or names mapped to ids in `[groups.names]`, separated by
//! `;` or `,` (white space around entries is ignored, empty entries are skipped, NULL or empty
//! means "no group"). guestsync adds and removes members of the groups in `groups.managed`
//! only, and only guests it owns: a member of a managed group that guestsync does not own, or a
//! membership in any other group, is never touched.
//!
//! - [`GroupConfig`] / [`GroupId`]: the managed groups and the name map (from settings).
//! - [`parse`]: a `groups` cell → the set of managed group ids, or the reason the row is rejected.
//! - [`plan`]: the pure group planner: desired vs current memberships → [`GroupWork`] per group.
//! - [`work`]: the queue form of the work of one group (one queue row per group).

pub mod parse;
pub mod plan;
pub mod work;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

pub use plan::{GroupPlanInput, plan_groups};
pub use work::GroupWork;

/// A group's object id: a GUID, lower-case and hyphenated.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GroupId(String);

impl GroupId {
    /// Parses a GUID (any case, with or without braces); `None` if it is not one.
    pub fn parse(raw: &str) -> Option<Self> {
        uuid::Uuid::parse_str(raw.trim())
            .ok()
            .map(|u| Self(u.hyphenated().to_string()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GroupId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `[groups]`: which groups guestsync manages and the names rows may use for them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupConfig {
    managed: BTreeSet<GroupId>,
    names: BTreeMap<String, GroupId>,
}

impl GroupConfig {
    /// Builds the configuration; every problem is returned as (key, message). Ids must be
    /// GUIDs; a name must map to a managed group. Names are matched case-insensitively.
    pub fn new(
        managed: &[String],
        names: &BTreeMap<String, String>,
    ) -> Result<Self, Vec<(String, String)>> {
        let mut problems = Vec::new();
        let mut config = Self::default();
        for raw in managed {
            match GroupId::parse(raw) {
                Some(id) => _ = config.managed.insert(id),
                None => problems.push((
                    "groups.managed".to_string(),
                    format!("'{raw}' is not a group object id (a GUID)"),
                )),
            }
        }
        for (name, raw) in names {
            let key = format!("groups.names.{name}");
            match GroupId::parse(raw) {
                Some(id) if config.managed.contains(&id) => {
                    config.names.insert(name.to_lowercase(), id);
                }
                Some(id) => problems.push((key, format!("{id} is not in groups.managed"))),
                None => problems.push((key, format!("'{raw}' is not a group object id (a GUID)"))),
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Whether any group is managed (otherwise memberships are not looked at).
    pub fn is_enabled(&self) -> bool {
        !self.managed.is_empty()
    }

    /// The managed groups, in id order.
    pub fn managed(&self) -> &BTreeSet<GroupId> {
        &self.managed
    }

    /// The managed group a name stands for (case-insensitive).
    pub fn by_name(&self, name: &str) -> Option<&GroupId> {
        self.names.get(&name.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "0b6e0d4c-3f7e-4a51-9a55-1c3c2a8f1a01";

    #[test]
    fn ids_are_normalised_guids() {
        let id = GroupId::parse(" 0B6E0D4C-3F7E-4A51-9A55-1C3C2A8F1A01 ").unwrap();
        assert_eq!(id.as_str(), A);
        assert!(GroupId::parse("partners").is_none());
    }

    #[test]
    fn names_must_map_to_managed_groups() {
        let other = "11111111-2222-3333-4444-555555555555";
        let names = BTreeMap::from([
            ("Partners".to_string(), A.to_string()),
            ("x".to_string(), other.to_string()),
            ("y".to_string(), "nope".to_string()),
        ]);
        let problems = GroupConfig::new(&[A.into(), "bad".into()], &names).unwrap_err();
        let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["groups.managed", "groups.names.x", "groups.names.y"]);
        let names = BTreeMap::from([("Partners".to_string(), A.to_string())]);
        let config = GroupConfig::new(&[A.into()], &names).unwrap();
        assert_eq!(config.by_name("PARTNERS").map(GroupId::as_str), Some(A));
        assert!(config.is_enabled());
    }
}
