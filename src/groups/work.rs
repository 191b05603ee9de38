//! The work of one managed group, as one queue row: the owned guests to add and to remove.
//!
//! Group work goes through the durable queue like every other change. Its key is
//! `group:{group id}` (one row per group; the planner plans at most one per cycle), its action
//! `group_members`, and its payload this struct. The coalescing upsert replaces pending work with
//! the newer diff; the worker re-reads the group's members before writing, so work that was
//! partly applied, or overtaken by a later diff, never writes twice.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::GroupId;

/// The queue key prefix of group work. Source anchors must not start with it.
pub const KEY_PREFIX: &str = "group:";

/// The queue action name of group work.
pub const ACTION: &str = "group_members";

/// Members to add to and remove from one managed group (object ids, sorted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupWork {
    /// The managed group.
    pub group_id: GroupId,
    /// Owned guests to add.
    pub add: Vec<String>,
    /// Owned guests to remove.
    pub remove: Vec<String>,
}

impl GroupWork {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }

    /// The queue key: `group:{group id}`.
    pub fn queue_key(&self) -> String {
        format!("{KEY_PREFIX}{}", self.group_id)
    }

    /// The stable hash of this work (group, additions, removals), lower-case hex.
    pub fn desired_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        field(ACTION);
        field(self.group_id.as_str());
        field("+");
        self.add.iter().for_each(|id| field(id));
        field("-");
        self.remove.iter().for_each(|id| field(id));
        format!("{:x}", h.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_tells_additions_from_removals() {
        let gid = GroupId::parse("0b6e0d4c-3f7e-4a51-9a55-1c3c2a8f1a01").unwrap();
        let add = GroupWork {
            group_id: gid.clone(),
            add: vec!["x".into()],
            remove: vec![],
        };
        let remove = GroupWork {
            group_id: gid,
            add: vec![],
            remove: vec!["x".into()],
        };
        assert_ne!(add.desired_hash(), remove.desired_hash());
        assert_eq!(add.desired_hash(), add.clone().desired_hash());
        assert_eq!(
            add.queue_key(),
            "group:0b6e0d4c-3f7e-4a51-9a55-1c3c2a8f1a01"
        );
    }
}
