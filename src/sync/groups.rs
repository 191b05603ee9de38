//! The group side of a cycle: resolve each row's `groups` cell against `[groups]` (a bad cell
//! rejects the row), read the members of every managed group once (`$select=id`, paged: not
//! per user), plan with the pure group planner, and turn the work into queue items.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{ErrorClass, GraphClient, GraphError};
use crate::groups::work::{ACTION, KEY_PREFIX};
use crate::groups::{GroupConfig, GroupId, GroupPlanInput, GroupWork, parse, plan_groups};
use crate::identity::Anchor;
use crate::plan::{LinkState, ObservedGuest};
use crate::source::{RejectedRow, SourceError, SourceSnapshot};
use crate::store::PlannedItem;

/// The managed groups each in-scope anchor should be a member of.
pub type DesiredGroups = BTreeMap<Anchor, BTreeSet<GroupId>>;

/// The managed groups each valid identity should be in. Identities whose cell does not resolve
/// (or whose anchor uses the reserved `group:` prefix) move to `rejected`; their anchors stay
/// present, so nothing of theirs is disabled or removed. Without a `groups` column the read is
/// refused: a missing column must never mean "no groups".
pub fn resolve(
    snapshot: &mut SourceSnapshot,
    config: &GroupConfig,
) -> Result<DesiredGroups, SourceError> {
    let cells = snapshot
        .groups
        .take()
        .ok_or(SourceError::MissingColumn { column: "groups" })?;
    let mut desired = BTreeMap::new();
    let mut kept = Vec::with_capacity(snapshot.identities.len());
    for identity in std::mem::take(&mut snapshot.identities) {
        let cell = cells.get(&identity.anchor);
        let resolved = if identity.anchor.as_str().starts_with(KEY_PREFIX) {
            Err(format!(
                "anchor: must not start with '{KEY_PREFIX}' (reserved for group work)"
            ))
        } else {
            match cell.map(|c| &c.value) {
                Some(Err(reason)) => Err(format!("groups: {reason}")),
                Some(Ok(raw)) => parse::resolve(raw.as_deref(), config),
                None => Ok(BTreeSet::new()),
            }
        };
        match resolved {
            Ok(groups) => {
                desired.insert(identity.anchor.clone(), groups);
                kept.push(identity);
            }
            Err(reason) => snapshot.rejected.push(RejectedRow {
                row_number: cell.map_or(0, |c| c.row_number),
                anchor: Some(identity.anchor.to_string()),
                reason,
            }),
        }
    }
    snapshot.identities = kept;
    snapshot.rejected.sort_by_key(|r| r.row_number);
    snapshot.groups = Some(cells);
    Ok(desired)
}

/// Reads the members of every managed group and plans the work. A group Graph does not know
/// (404) is skipped with an error log; any other read failure aborts the cycle.
pub async fn plan(
    graph: &GraphClient,
    config: &GroupConfig,
    desired: &DesiredGroups,
    guests: &[ObservedGuest],
    links: &[LinkState],
) -> Result<Vec<GroupWork>, GraphError> {
    let mut members = BTreeMap::new();
    for group in config.managed() {
        match graph.list_group_member_ids(group.as_str()).await {
            Ok(ids) => _ = members.insert(group.clone(), ids.into_iter().collect()),
            Err(e) if e.class == ErrorClass::NotFound => {
                tracing::error!(group = %group, "managed group not found in the tenant; skipped");
            }
            Err(e) => return Err(e),
        }
    }
    let visible: BTreeSet<&str> = guests.iter().map(|g| g.object_id.as_str()).collect();
    let owned: BTreeMap<Anchor, String> = links
        .iter()
        .filter(|l| visible.contains(l.object_id.as_str()))
        .map(|l| (l.anchor.clone(), l.object_id.clone()))
        .collect();
    Ok(plan_groups(GroupPlanInput {
        managed: config.managed(),
        desired,
        owned: &owned,
        members: &members,
    }))
}

/// Group work as queue items (key `group:{id}`, action `group_members`).
pub fn queue_items(work: &[GroupWork]) -> Result<Vec<PlannedItem>, serde_json::Error> {
    work.iter()
        .map(|w| {
            Ok(PlannedItem {
                anchor: w.queue_key(),
                action: ACTION.to_string(),
                desired_hash: w.desired_hash(),
                payload: serde_json::to_value(w)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::identity::{Attributes, Email, Identity};
    use crate::source::groups::GroupCell;

    const G: &str = "0b6e0d4c-3f7e-4a51-9a55-1c3c2a8f1a01";

    fn snapshot(rows: &[(&str, Result<Option<&str>, &str>)]) -> SourceSnapshot {
        let mut snapshot = SourceSnapshot::default();
        let mut cells = BTreeMap::new();
        for (i, (anchor, value)) in rows.iter().enumerate() {
            let anchor = Anchor::parse(anchor).unwrap();
            snapshot.identities.push(Identity {
                anchor: anchor.clone(),
                email: Email::parse(&format!("p{i}@partner.example")).unwrap(),
                attributes: Attributes::new(),
                extras: Default::default(),
            });
            let value = value.map(|v| v.map(str::to_string)).map_err(str::to_string);
            let row_number = i as u64 + 1;
            cells.insert(anchor, GroupCell { row_number, value });
        }
        snapshot.groups = Some(cells);
        snapshot
    }

    #[test]
    fn bad_cells_and_reserved_anchors_reject_their_rows_only() {
        let config = GroupConfig::new(&[G.into()], &BTreeMap::new()).unwrap();
        let mut snap = snapshot(&[
            ("ok", Ok(Some(G))),
            ("none", Ok(None)),
            ("bad", Ok(Some("sales"))),
            ("group:x", Ok(None)),
            ("broken", Err("not valid UTF-8")),
        ]);
        let desired = resolve(&mut snap, &config).unwrap();
        let kept: Vec<&str> = desired.keys().map(Anchor::as_str).collect();
        assert_eq!(kept, ["none", "ok"]);
        assert_eq!(snap.identities.len(), 2);
        let reasons: Vec<(u64, &str)> = snap
            .rejected
            .iter()
            .map(|r| (r.row_number, r.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].1.contains("'sales'"), "{reasons:?}");
        assert!(reasons[1].1.contains("reserved"), "{reasons:?}");
        assert_eq!(reasons[2], (5, "groups: not valid UTF-8"));
    }

    #[test]
    fn a_missing_column_is_an_error_not_an_empty_list() {
        let config = GroupConfig::new(&[G.into()], &BTreeMap::new()).unwrap();
        let mut snap = snapshot(&[("ok", Ok(Some(G)))]);
        snap.groups = None;
        let e = resolve(&mut snap, &config).unwrap_err();
        assert!(matches!(e, SourceError::MissingColumn { column: "groups" }));
    }
}
