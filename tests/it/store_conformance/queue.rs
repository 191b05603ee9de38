//! Conformance cases: migrations, the coalescing upsert and claiming.

use std::collections::HashSet;
use std::sync::Arc;

use guestsync::store::{ItemState, LinkUpdate, RecordSummary, SettleResult, Store};

use super::fixtures::{LEASE, at, claim_one, error, planned, record, run, t0};

pub async fn migrate_on_empty_and_rerun(store: Arc<dyn Store>) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    store.ping().await.unwrap();
    assert!(store.item_counts().await.unwrap().values().all(|n| *n == 0));
    assert_eq!(store.item_counts().await.unwrap().len(), 5);
    assert!(store.run_list(10).await.unwrap().is_empty());
    assert!(store.link_list().await.unwrap().is_empty());
}

pub async fn new_items_are_pending(store: Arc<dyn Store>) {
    let id = run(&*store).await;
    let items = vec![planned("a", "invite", "h1"), planned("b", "update", "h1")];
    let summary = store.plan_record(id, t0(), items).await.unwrap();
    assert_eq!(summary.inserted, 2);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.desired_gen, a.applied_gen, a.attempts),
        (ItemState::Pending, 1, 0, 0)
    );
    assert_eq!(
        (a.action.as_str(), a.run_after, a.run_id),
        ("invite", t0(), Some(id))
    );
    assert_eq!(a.payload["hash"], "h1");
    assert!(store.item_get("zzz").await.unwrap().is_none());
}

pub async fn same_hash_changes_nothing(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h1")]).await;
    let before = store.item_get("a").await.unwrap().unwrap();
    let id = run(&*store).await;
    let summary = store.plan_record(id, at(10), vec![planned("a", "invite", "h1")]);
    let expected = RecordSummary {
        inserted: 0,
        changed: 0,
        unchanged: 1,
    };
    assert_eq!(summary.await.unwrap(), expected);
    assert_eq!(store.item_get("a").await.unwrap().unwrap(), before);
}

pub async fn new_hash_while_pending(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h1")]).await;
    record(&*store, at(10), vec![planned("a", "update", "h2")]).await;
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.desired_gen, a.run_after),
        (ItemState::Pending, 2, at(10))
    );
    assert_eq!(
        (a.action.as_str(), a.desired_hash.as_str()),
        ("update", "h2")
    );
    assert_eq!(a.payload["hash"], "h2");
}

pub async fn new_hash_while_running_runs_again(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h1")]).await;
    let claimed = store.item_claim("w1", 1, LEASE, at(1)).await.unwrap();
    assert_eq!(claimed[0].desired_gen, 1);
    record(&*store, at(2), vec![planned("a", "update", "h2")]).await;
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!((a.state, a.desired_gen), (ItemState::Running, 2));
    assert_eq!(a.lease_token, claimed[0].lease_token);
    let done = store.item_complete("a", a.lease_token, 1, at(3), LinkUpdate::Keep);
    assert_eq!(done.await.unwrap(), SettleResult::Settled);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.applied_gen, a.run_after),
        (ItemState::Pending, 1, at(3))
    );
    let again = store.item_claim("w1", 1, LEASE, at(4)).await.unwrap();
    assert_eq!(
        (again[0].desired_gen, again[0].action.as_str()),
        (2, "update")
    );
    let done = store.item_complete("a", again[0].lease_token, 2, at(5), LinkUpdate::Keep);
    assert_eq!(done.await.unwrap(), SettleResult::Settled);
    assert_eq!(
        store.item_get("a").await.unwrap().unwrap().state,
        ItemState::Done
    );
}

pub async fn new_hash_while_done_revives(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h1")]).await;
    let (_, token) = claim_one(&*store, "w1", at(1)).await;
    store
        .item_complete("a", token, 1, at(2), LinkUpdate::Keep)
        .await
        .unwrap();
    let summary = {
        let id = run(&*store).await;
        store
            .plan_record(id, at(10), vec![planned("a", "update", "h2")])
            .await
            .unwrap()
    };
    assert_eq!(summary.changed, 1);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.desired_gen, a.applied_gen),
        (ItemState::Pending, 2, 1)
    );
    assert_eq!(a.run_after, at(10));
}

pub async fn new_hash_while_dead_revives(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h1")]).await;
    let (_, token) = claim_one(&*store, "w1", at(1)).await;
    store
        .item_dead("a", token, at(2), error("BadRequest"))
        .await
        .unwrap();
    assert_eq!(store.item_get("a").await.unwrap().unwrap().attempts, 1);
    record(&*store, at(10), vec![planned("a", "invite", "h2")]).await;
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.attempts, a.desired_gen),
        (ItemState::Pending, 0, 2)
    );
    assert_eq!(
        store
            .item_claim("w1", 5, LEASE, at(10))
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn claim_is_exclusive_under_concurrency(store: Arc<dyn Store>) {
    let items = (0..500)
        .map(|i| planned(&format!("a{i:03}"), "invite", "h"))
        .collect();
    record(&*store, t0(), items).await;
    let mut tasks = tokio::task::JoinSet::new();
    for w in 0..8 {
        let store = store.clone();
        tasks.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let owner = format!("w{w}");
                let batch = store.item_claim(&owner, 7, LEASE, at(1)).await.unwrap();
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|c| c.anchor));
            }
        });
    }
    let mut all = Vec::new();
    while let Some(mine) = tasks.join_next().await {
        all.extend(mine.unwrap());
    }
    let unique: HashSet<_> = all.iter().cloned().collect();
    assert_eq!((all.len(), unique.len()), (500, 500));
    let counts = store.item_counts().await.unwrap();
    assert_eq!(counts[&ItemState::Running], 500);
}

/// A batch claim (what a worker task takes from a deep queue) leases every item to its owner
/// under its own fencing token: settling one leaves the others running, the heartbeat extends
/// one lease only, and releasing the owner returns the unsettled ones behind the items that
/// were due earlier, their old tokens refused.
pub async fn batch_claim_leases_and_fences_each_item(store: Arc<dyn Store>) {
    let items = (0..5)
        .map(|i| planned(&format!("a{i}"), "invite", "h"))
        .collect();
    record(&*store, t0(), items).await;
    let batch = store.item_claim("w", 3, LEASE, at(1)).await.unwrap();
    let anchors: Vec<_> = batch.iter().map(|c| c.anchor.as_str()).collect();
    assert_eq!(anchors, ["a0", "a1", "a2"]);
    for claimed in &batch {
        let item = store.item_get(&claimed.anchor).await.unwrap().unwrap();
        assert_eq!(
            (item.state, item.lease_owner.as_deref(), item.lease_token),
            (ItemState::Running, Some("w"), claimed.lease_token)
        );
        assert_eq!(item.lease_until, Some(at(1) + LEASE));
    }
    let (a0, a1, a2) = (&batch[0], &batch[1], &batch[2]);
    let complete = |c: &guestsync::store::ClaimedItem, token: i64| {
        let (store, anchor, generation) = (store.clone(), c.anchor.clone(), c.desired_gen);
        async move {
            store
                .item_complete(&anchor, token, generation, at(2), LinkUpdate::Keep)
                .await
                .unwrap()
        }
    };
    assert_eq!(complete(a0, a0.lease_token).await, SettleResult::Settled);
    assert_eq!(
        complete(a1, a1.lease_token + 1).await,
        SettleResult::LeaseLost
    );
    assert_eq!(
        store
            .item_heartbeat("a2", a2.lease_token, LEASE, at(30))
            .await
            .unwrap(),
        SettleResult::Settled
    );
    let lease_until = |anchor: &'static str| {
        let store = store.clone();
        async move { store.item_get(anchor).await.unwrap().unwrap().lease_until }
    };
    assert_eq!(lease_until("a1").await, Some(at(1) + LEASE));
    assert_eq!(lease_until("a2").await, Some(at(30) + LEASE));
    assert_eq!(store.item_release_owner("w", at(40)).await.unwrap(), 2);
    assert_eq!(complete(a1, a1.lease_token).await, SettleResult::LeaseLost);
    assert_eq!(complete(a2, a2.lease_token).await, SettleResult::LeaseLost);
    let counts = store.item_counts().await.unwrap();
    assert_eq!(
        (counts[&ItemState::Done], counts[&ItemState::Pending]),
        (1, 4)
    );
    let again = store.item_claim("w2", 10, LEASE, at(40)).await.unwrap();
    let anchors: Vec<_> = again.iter().map(|c| c.anchor.as_str()).collect();
    assert_eq!(anchors, ["a3", "a4", "a1", "a2"]);
    assert!(again[2].lease_token > a1.lease_token);
}

pub async fn claim_respects_run_after_and_order(store: Arc<dyn Store>) {
    record(&*store, at(10), vec![planned("a", "invite", "h")]).await;
    record(&*store, t0(), vec![planned("c", "invite", "h")]).await;
    record(&*store, t0(), vec![planned("b", "invite", "h")]).await;
    record(&*store, at(5), vec![planned("d", "invite", "h")]).await;
    assert_eq!(store.next_run_after().await.unwrap(), Some(t0()));
    assert_eq!(store.pending_runnable(at(5)).await.unwrap(), 3);
    assert!(
        store
            .item_claim("w", 10, LEASE, at(-1))
            .await
            .unwrap()
            .is_empty()
    );
    let claimed = store.item_claim("w", 10, LEASE, at(5)).await.unwrap();
    let anchors: Vec<_> = claimed.iter().map(|c| c.anchor.as_str()).collect();
    assert_eq!(anchors, ["b", "c", "d"]);
    assert_eq!(store.next_run_after().await.unwrap(), Some(at(10)));
    assert!(
        store
            .item_claim("w", 10, LEASE, at(9))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.item_claim("w", 10, LEASE, at(10)).await.unwrap()[0].anchor,
        "a"
    );
    assert_eq!(store.next_run_after().await.unwrap(), None);
}

pub async fn plan_record_of_100k_items(store: Arc<dyn Store>) {
    let items: Vec<_> = (0..100_000)
        .map(|i| planned(&format!("anchor-{i:06}"), "invite", "h1"))
        .collect();
    let id = run(&*store).await;
    let summary = store.plan_record(id, t0(), items).await.unwrap();
    assert_eq!(summary.inserted, 100_000);
    let counts = store.item_counts().await.unwrap();
    assert_eq!(counts[&ItemState::Pending], 100_000);
    assert_eq!(store.pending_runnable(t0()).await.unwrap(), 100_000);
    let last = store.item_get("anchor-099999").await.unwrap().unwrap();
    assert_eq!(last.run_id, Some(id));
}
