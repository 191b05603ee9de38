//! The pure group planner: which owned guests to add to and remove from each managed group.
//! No I/O, no clock.
//!
//! Rules:
//! - Only managed groups are planned; other groups never appear in the output.
//! - Only owned guests are added or removed, and only those whose anchor is in `desired` (valid
//!   and in scope this cycle). A member guestsync does not own, and an owned guest whose row was
//!   rejected, held or has left the source, keeps its memberships.
//! - An owned guest is added only once its object id is known and visible in the tenant read
//!   (`owned`), so a guest invited this cycle is added by a later cycle.

use std::collections::{BTreeMap, BTreeSet};

use super::{GroupId, GroupWork};
use crate::identity::Anchor;

/// Everything one group planning pass looks at.
#[derive(Debug, Clone, Copy)]
pub struct GroupPlanInput<'a> {
    /// The managed groups.
    pub managed: &'a BTreeSet<GroupId>,
    /// The managed groups each in-scope anchor should be a member of.
    pub desired: &'a BTreeMap<Anchor, BTreeSet<GroupId>>,
    /// The owned guests the tenant read returned: anchor → object id.
    pub owned: &'a BTreeMap<Anchor, String>,
    /// The current members (object ids) of each managed group.
    pub members: &'a BTreeMap<GroupId, BTreeSet<String>>,
}

/// The additions and removals per managed group, in group id order; groups with nothing to
/// do are left out. A group whose members were not read is skipped.
pub fn plan_groups(input: GroupPlanInput<'_>) -> Vec<GroupWork> {
    input
        .managed
        .iter()
        .filter_map(|group| {
            let members = input.members.get(group)?;
            let work = plan_one(group, members, input);
            (!work.is_empty()).then_some(work)
        })
        .collect()
}

fn plan_one(group: &GroupId, members: &BTreeSet<String>, input: GroupPlanInput<'_>) -> GroupWork {
    let mut add = BTreeSet::new();
    let mut remove = BTreeSet::new();
    for (anchor, groups) in input.desired {
        let Some(object_id) = input.owned.get(anchor) else {
            continue;
        };
        let wanted = groups.contains(group);
        let member = members.contains(object_id);
        if wanted && !member {
            add.insert(object_id.clone());
        } else if !wanted && member {
            remove.insert(object_id.clone());
        }
    }
    GroupWork {
        group_id: group.clone(),
        add: add.into_iter().collect(),
        remove: remove.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const G1: &str = "0b6e0d4c-3f7e-4a51-9a55-1c3c2a8f1a01";
    const G2: &str = "7d1f6c2e-8b0a-4e6f-b1a2-9c8d7e6f5a40";

    fn gid(s: &str) -> GroupId {
        GroupId::parse(s).unwrap()
    }

    fn anchor(s: &str) -> Anchor {
        Anchor::parse(s).unwrap()
    }

    #[test]
    fn adds_missing_removes_unwanted_and_leaves_the_rest() {
        let managed = BTreeSet::from([gid(G1), gid(G2)]);
        let desired = BTreeMap::from([
            (anchor("a"), BTreeSet::from([gid(G1)])),
            (anchor("b"), BTreeSet::new()),
            (anchor("new"), BTreeSet::from([gid(G1)])),
        ]);
        // "c" is owned but not desired this cycle (rejected or gone): left alone.
        let owned = BTreeMap::from([
            (anchor("a"), "oa".to_string()),
            (anchor("b"), "ob".to_string()),
            (anchor("c"), "oc".to_string()),
        ]);
        let members = BTreeMap::from([
            (
                gid(G1),
                BTreeSet::from(["ob".into(), "oc".into(), "stranger".into()]),
            ),
            (gid(G2), BTreeSet::from(["oa".into()])),
        ]);
        let work = plan_groups(GroupPlanInput {
            managed: &managed,
            desired: &desired,
            owned: &owned,
            members: &members,
        });
        assert_eq!(
            work,
            vec![
                GroupWork {
                    group_id: gid(G1),
                    add: vec!["oa".into()],
                    remove: vec!["ob".into()],
                },
                GroupWork {
                    group_id: gid(G2),
                    add: vec![],
                    remove: vec!["oa".into()],
                },
            ]
        );
    }

    #[test]
    fn converged_groups_plan_nothing() {
        let managed = BTreeSet::from([gid(G1)]);
        let desired = BTreeMap::from([(anchor("a"), BTreeSet::from([gid(G1)]))]);
        let owned = BTreeMap::from([(anchor("a"), "oa".to_string())]);
        let members = BTreeMap::from([(gid(G1), BTreeSet::from(["oa".to_string()]))]);
        let input = GroupPlanInput {
            managed: &managed,
            desired: &desired,
            owned: &owned,
            members: &members,
        };
        assert!(plan_groups(input).is_empty());
    }
}
