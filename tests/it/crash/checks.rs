//! What "converged after the faults" means, checked from outside: one enabled guest with the
//! right attributes per source identity and no other guest, a link to it and a done item for
//! every anchor, nothing left pending/running/held/dead, no disable or delete ever planned or
//! sent, attempt histories without two owners at once, and a fresh plan with nothing to do.

use std::sync::Arc;

use guestsync::demo::sample::PartnerRow;
use guestsync::store::{AttemptRecord, ItemState, Store};

use crate::support::world::World;

/// Whether the queue is idle and every identity has a guest (the daemon may be done).
pub async fn settled(world: &World, store: &Arc<dyn Store>, rows: &[PartnerRow]) -> bool {
    let Ok(counts) = store.item_counts().await else {
        return false;
    };
    let busy = |s| counts.get(&s).copied().unwrap_or(0) > 0;
    !busy(ItemState::Pending)
        && !busy(ItemState::Running)
        && rows
            .iter()
            .all(|r| world.users_with_mail(&r.email).len() == 1)
}

/// Runs started and never finished (a cycle killed mid-way leaves its run open).
pub async fn open_runs(store: &Arc<dyn Store>) -> usize {
    let runs = store.run_list(10_000).await.unwrap();
    runs.iter().filter(|r| r.finished_at.is_none()).count()
}

/// Every check of a converged world; `ctx` names the case (store and seed) in each message.
pub async fn assert_converged(
    ctx: &str,
    world: &World,
    store: &Arc<dyn Store>,
    rows: &[PartnerRow],
) {
    let users = world.emulator.users();
    assert_eq!(
        users.len(),
        rows.len(),
        "{ctx}: {} guests for {} identities",
        users.len(),
        rows.len()
    );
    for row in rows {
        assert_identity(ctx, world, store, row).await;
    }
    let counts = store.item_counts().await.unwrap();
    for state in [
        ItemState::Pending,
        ItemState::Running,
        ItemState::Held,
        ItemState::Dead,
    ] {
        let n = counts.get(&state).copied().unwrap_or(0);
        assert_eq!(n, 0, "{ctx}: {n} items {state}: {counts:?}");
    }
    let runs = store.run_list(10_000).await.unwrap();
    let (disables, deletes) = runs.iter().fold((0, 0), |(d, x), r| {
        (d + r.counts.disables, x + r.counts.deletes)
    });
    assert_eq!(
        (disables, deletes),
        (0, 0),
        "{ctx}: disables/deletes planned"
    );
    let counters = world.emulator.counters();
    let deletes_sent = counters
        .requests_by_route
        .get("DELETE /users/{id}")
        .copied()
        .unwrap_or(0);
    assert_eq!(deletes_sent, 0, "{ctx}: guests deleted: {counters:?}");
    let preview = world.parts().await.engine.preview().await.unwrap();
    assert!(
        preview.plan.items.is_empty(),
        "{ctx}: a fresh cycle still plans {:?}",
        preview.plan.items
    );
}

async fn assert_identity(ctx: &str, world: &World, store: &Arc<dyn Store>, row: &PartnerRow) {
    let anchor = row.partner_id.as_deref().unwrap();
    let users = world.users_with_mail(&row.email);
    assert_eq!(
        users.len(),
        1,
        "{ctx}: {} has {} guests",
        row.email,
        users.len()
    );
    let user = &users[0];
    for (property, expected) in [
        ("displayName", &row.display_name),
        ("jobTitle", &row.job_title),
        ("department", &row.department),
        ("companyName", &row.company),
    ] {
        assert_eq!(
            user[property],
            expected.as_str(),
            "{ctx}: {anchor} {property} in {user}"
        );
    }
    assert_ne!(
        user["accountEnabled"], false,
        "{ctx}: {anchor} was disabled: {user}"
    );
    let link = store.link_get(anchor).await.unwrap();
    let link = link.unwrap_or_else(|| panic!("{ctx}: {anchor} has no link"));
    assert_eq!(
        link.object_id, user["id"],
        "{ctx}: {anchor} linked elsewhere"
    );
    assert!(!link.disabled_by_us, "{ctx}: {anchor} marked disabled");
    let item = store.item_get(anchor).await.unwrap();
    let item = item.unwrap_or_else(|| panic!("{ctx}: {anchor} was never queued"));
    assert_eq!(item.state, ItemState::Done, "{ctx}: {anchor}: {item:?}");
    assert_eq!(
        item.applied_gen, item.desired_gen,
        "{ctx}: {anchor}: {item:?}"
    );
    let attempts = store.attempt_list(anchor).await.unwrap();
    assert!(!attempts.is_empty(), "{ctx}: {anchor} has no attempt");
    assert_no_overlap(ctx, anchor, &attempts);
}

/// No two owners worked on one anchor at overlapping times (`claimed_at..at`).
pub fn assert_no_overlap(ctx: &str, anchor: &str, attempts: &[AttemptRecord]) {
    for (i, x) in attempts.iter().enumerate() {
        let start = x
            .claimed_at
            .unwrap_or_else(|| panic!("{ctx}: {anchor}: no claim time"));
        assert!(start <= x.at, "{ctx}: {anchor}: settled before claimed");
        for y in &attempts[i + 1..] {
            if x.owner == y.owner {
                continue;
            }
            let (y_start, y_end) = (y.claimed_at.unwrap(), y.at);
            assert!(
                x.at <= y_start || y_end <= start,
                "{ctx}: {anchor}: {:?} and {:?} worked on it at the same time",
                x.owner,
                y.owner
            );
        }
    }
}
