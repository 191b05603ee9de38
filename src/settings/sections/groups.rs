//! Parsing of `[groups]`: the managed groups (GUIDs) and `[groups.names]` (name → managed id).
//! `groups.managed` is a TOML array, or a comma- or semicolon-separated string (for
//! `GUESTSYNC__GROUPS__MANAGED`).

use crate::groups::GroupConfig;
use crate::groups::parse::entries;
use crate::settings::error::Problems;
use crate::settings::raw::{ListOrString, RawGroups};

/// Parses `[groups]`.
pub fn parse_groups(raw: &RawGroups, problems: &mut Problems) -> Option<GroupConfig> {
    let managed: Vec<String> = match &raw.managed {
        ListOrString::List(list) => list.clone(),
        ListOrString::Text(text) => entries(text).map(str::to_string).collect(),
    };
    match GroupConfig::new(&managed, &raw.names) {
        Ok(config) => Some(config),
        Err(found) => {
            for (key, message) in found {
                problems.add(&key, message);
            }
            None
        }
    }
}
