//! Conformance cases: runs, held runs (the brake) and links.

use std::sync::Arc;

use guestsync::store::{
    ABANDONED_RUN, HeldConflict, HeldStatus, ItemFilter, ItemState, LinkFields, LinkUpdate,
    ON_DEMAND_RUN, RedeemUrl, RejectedRow, RunCounts, RunOutcome, Store, StoreError,
};

use super::fixtures::{at, claim_one, planned, record, run, t0};

pub async fn run_lifecycle_and_records(store: Arc<dyn Store>) {
    let first = run(&*store).await;
    let second = store.run_start(at(60), "scheduled").await.unwrap();
    let counts = RunCounts {
        read: 10,
        rejected: 1,
        invites: 3,
        ..RunCounts::default()
    };
    store
        .run_finish(first, at(5), RunOutcome::Succeeded, counts.clone())
        .await
        .unwrap();
    let failed = RunOutcome::Failed("source read failed".to_string());
    store
        .run_finish(second, at(61), failed.clone(), RunCounts::default())
        .await
        .unwrap();
    let got = store.run_get(first).await.unwrap();
    assert_eq!(
        (got.kind.as_str(), got.started_at, got.finished_at),
        ("manual", t0(), Some(at(5)))
    );
    assert_eq!(
        (got.outcome, got.counts, got.held),
        (Some(RunOutcome::Succeeded), counts, None)
    );
    let list = store.run_list(10).await.unwrap();
    let ids: Vec<_> = list.iter().map(|r| r.id).collect();
    assert_eq!(ids, [second, first]);
    assert_eq!(list[0].outcome, Some(failed));
    assert_eq!(store.run_list(1).await.unwrap().len(), 1);
    let rejected = RejectedRow {
        row_number: 7,
        anchor: None,
        reason: "no e-mail".to_string(),
    };
    store
        .run_record_rejections(first, vec![rejected.clone()])
        .await
        .unwrap();
    let conflict = HeldConflict {
        anchor: "a".to_string(),
        email: "x@example.com".to_string(),
        reason: "duplicate e-mail".to_string(),
    };
    store
        .run_record_conflicts(first, vec![conflict.clone()])
        .await
        .unwrap();
    assert_eq!(store.run_rejections(first).await.unwrap(), vec![rejected]);
    assert_eq!(store.run_conflicts(first).await.unwrap(), vec![conflict]);
    assert!(store.run_conflicts(second).await.unwrap().is_empty());
    assert!(matches!(
        store.run_get(9999).await,
        Err(StoreError::RunNotFound(9999))
    ));
}

pub async fn held_run_approve_queues_actions(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "update", "h1")]).await;
    let id = run(&*store).await;
    let held = vec![planned("a", "disable", "h2"), planned("b", "delete", "h2")];
    store.held_record(id, at(1), held).await.unwrap();
    store
        .run_finish(id, at(2), RunOutcome::Held, RunCounts::default())
        .await
        .unwrap();
    let waiting = store.held_runs().await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(
        (waiting[0].id, waiting[0].held, waiting[0].held_actions),
        (id, Some(HeldStatus::Waiting), 2)
    );
    assert!(
        store.item_get("b").await.unwrap().is_none(),
        "held actions are not queued"
    );
    assert_eq!(store.item_get("a").await.unwrap().unwrap().action, "update");
    let summary = store.run_approve(id, at(10)).await.unwrap();
    assert_eq!((summary.inserted, summary.changed), (1, 1));
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.action.as_str(), a.desired_gen, a.run_after),
        ("disable", 2, at(10))
    );
    assert_eq!(
        store.item_get("b").await.unwrap().unwrap().state,
        ItemState::Pending
    );
    assert!(store.held_runs().await.unwrap().is_empty());
    let got = store.run_get(id).await.unwrap();
    assert_eq!(
        (got.held, got.held_decided_at),
        (Some(HeldStatus::Approved), Some(at(10)))
    );
    assert!(matches!(
        store.run_approve(id, at(11)).await,
        Err(StoreError::RunNotHeld(_))
    ));
    assert!(matches!(
        store.run_reject(id, at(11)).await,
        Err(StoreError::RunNotHeld(_))
    ));
}

pub async fn held_supersede_closes_older_waiting_runs(store: Arc<dyn Store>) {
    let mut held = Vec::new();
    for anchor in ["a", "b"] {
        let id = run(&*store).await;
        let items = vec![planned(anchor, "disable", "h2")];
        store.held_record(id, at(1), items).await.unwrap();
        store
            .run_finish(id, at(2), RunOutcome::Held, RunCounts::default())
            .await
            .unwrap();
        held.push(id);
    }
    let newer = run(&*store).await;
    let newest = run(&*store).await;
    let items = vec![planned("c", "disable", "h2")];
    store.held_record(newest, at(3), items).await.unwrap();

    assert_eq!(store.held_supersede(newer, at(5)).await.unwrap(), held);
    let waiting: Vec<_> = store
        .held_runs()
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(waiting, [newest], "a newer held run stays");
    for id in &held {
        let got = store.run_get(*id).await.unwrap();
        assert_eq!(
            (got.held, got.held_decided_at, got.superseded_by),
            (Some(HeldStatus::Rejected), Some(at(5)), Some(newer))
        );
        assert!(matches!(
            store.run_approve(*id, at(6)).await,
            Err(StoreError::RunSuperseded { run, by }) if run == *id && by == newer
        ));
    }
    assert!(
        store.item_get("a").await.unwrap().is_none(),
        "nothing queued"
    );
    assert_eq!(
        store.held_supersede(newer, at(7)).await.unwrap(),
        Vec::<i64>::new()
    );
    assert_eq!(store.run_get(newest).await.unwrap().superseded_by, None);
}

pub async fn held_run_reject_discards_actions(store: Arc<dyn Store>) {
    let plain = run(&*store).await;
    store
        .run_finish(plain, at(1), RunOutcome::Succeeded, RunCounts::default())
        .await
        .unwrap();
    assert!(matches!(
        store.run_approve(plain, at(2)).await,
        Err(StoreError::RunNotHeld(_))
    ));
    assert!(matches!(
        store.run_reject(424242, at(2)).await,
        Err(StoreError::RunNotFound(_))
    ));
    let id = run(&*store).await;
    store
        .held_record(id, at(1), vec![planned("a", "delete", "h")])
        .await
        .unwrap();
    store
        .run_finish(id, at(2), RunOutcome::Held, RunCounts::default())
        .await
        .unwrap();
    store.run_reject(id, at(3)).await.unwrap();
    assert!(store.item_get("a").await.unwrap().is_none());
    assert!(store.held_runs().await.unwrap().is_empty());
    assert_eq!(
        store.run_get(id).await.unwrap().held,
        Some(HeldStatus::Rejected)
    );
    assert!(matches!(
        store.run_approve(id, at(4)).await,
        Err(StoreError::RunNotHeld(_))
    ));
    let all = store
        .item_list(ItemFilter {
            limit: 10,
            ..ItemFilter::default()
        })
        .await
        .unwrap();
    assert!(all.is_empty());
}

pub fn fields(object_id: &str, redeem: Option<&str>) -> LinkFields {
    LinkFields {
        object_id: object_id.to_string(),
        user_principal_name: Some("x_example.com#EXT#@tenant.onmicrosoft.com".to_string()),
        email: "x@example.com".to_string(),
        invited_at: redeem.map(|_| at(1)),
        redeem_url: redeem.map(RedeemUrl::new),
        disabled_by_us: false,
        last_applied: serde_json::json!({ "displayName": object_id }),
    }
}

pub async fn links_follow_complete(store: Arc<dyn Store>) {
    let secret = "https://login.example/redeem?ticket=SECRET";
    record(&*store, t0(), vec![planned("a", "invite", "h1")]).await;
    let (_, t) = claim_one(&*store, "w", t0()).await;
    let invite = LinkUpdate::Upsert(fields("oid-1", Some(secret)));
    store.item_complete("a", t, 1, at(2), invite).await.unwrap();
    let link = store.link_get("a").await.unwrap().unwrap();
    assert_eq!(
        (link.object_id.as_str(), link.last_applied_at),
        ("oid-1", at(2))
    );
    assert_eq!(
        link.redeem_url.as_ref().map(RedeemUrl::expose),
        Some(secret)
    );
    assert!(
        !format!("{link:?}").contains("SECRET"),
        "Debug must redact the redeem URL"
    );
    record(&*store, at(10), vec![planned("a", "update", "h2")]).await;
    let (_, t) = claim_one(&*store, "w", at(10)).await;
    let mut update = fields("oid-1", None);
    update.disabled_by_us = true;
    store
        .item_complete("a", t, 2, at(11), LinkUpdate::Upsert(update))
        .await
        .unwrap();
    let link = store.link_get("a").await.unwrap().unwrap();
    assert_eq!((link.invited_at, link.disabled_by_us), (Some(at(1)), true));
    assert_eq!(
        link.redeem_url.as_ref().map(RedeemUrl::expose),
        Some(secret)
    );
    assert_eq!(link.last_applied["displayName"], "oid-1");
    record(&*store, at(20), vec![planned("a", "delete", "h3")]).await;
    let (_, t) = claim_one(&*store, "w", at(20)).await;
    store
        .item_complete("a", t, 3, at(21), LinkUpdate::MarkDeleted)
        .await
        .unwrap();
    assert_eq!(store.link_list().await.unwrap()[0].deleted_at, Some(at(21)));
    let mut streamed = Vec::new();
    store
        .link_for_each(&mut |link| streamed.push(link))
        .await
        .unwrap();
    assert_eq!(streamed, store.link_list().await.unwrap());
    assert!(store.link_remove("a").await.unwrap());
    assert!(!store.link_remove("a").await.unwrap());
    assert!(store.link_list().await.unwrap().is_empty());
}

pub async fn a_cycle_closes_the_cycles_left_open_as_abandoned(store: Arc<dyn Store>) {
    let killed = store.run_start(t0(), "scheduled").await.unwrap();
    let on_demand = store.run_start(at(1), ON_DEMAND_RUN).await.unwrap();
    assert_eq!(
        store.run_get(killed).await.unwrap().finished_at,
        None,
        "an on-demand sync is not a cycle and closes nothing"
    );
    let next = store.run_start(at(2), "scheduled").await.unwrap();
    let closed = store.run_get(killed).await.unwrap();
    assert_eq!(closed.finished_at, Some(at(2)));
    assert_eq!(
        closed.outcome,
        Some(RunOutcome::Failed(ABANDONED_RUN.to_string()))
    );
    assert_eq!(store.run_get(on_demand).await.unwrap().finished_at, None);
    assert_eq!(store.run_get(next).await.unwrap().finished_at, None);
    // A process that was only slow, not dead, still records how its run really ended.
    store
        .run_finish(killed, at(3), RunOutcome::Succeeded, RunCounts::default())
        .await
        .unwrap();
    let late = store.run_get(killed).await.unwrap();
    assert_eq!(late.outcome, Some(RunOutcome::Succeeded));
}
