//! Conformance cases: leases, fencing, settling and the attempt history.

use std::sync::Arc;

use guestsync::store::{AttemptOutcome, ItemState, LinkUpdate, SettleResult, Store, StoreError};

use super::fixtures::{LEASE, at, claim_one, error, planned, record, t0};

pub async fn rescue_fences_out_the_old_token(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h")]).await;
    let (_, old) = claim_one(&*store, "w1", t0()).await;
    assert_eq!(store.item_rescue_expired(at(59)).await.unwrap(), 0);
    assert_eq!(store.item_rescue_expired(at(61)).await.unwrap(), 1);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.lease_owner.as_deref()),
        (ItemState::Pending, None)
    );
    let late = store
        .item_complete("a", old, 1, at(62), LinkUpdate::Keep)
        .await
        .unwrap();
    assert_eq!(late, SettleResult::LeaseLost);
    let late = store
        .item_retry("a", old, at(62), at(70), error("x"))
        .await
        .unwrap();
    assert_eq!(late, SettleResult::LeaseLost);
    let after = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(after, a, "a lost lease changes nothing");
    assert!(store.attempt_list("a").await.unwrap().is_empty());
    assert!(store.link_get("a").await.unwrap().is_none());
    let (_, new) = claim_one(&*store, "w2", at(63)).await;
    assert!(new > old);
    let late = store
        .item_complete("a", old, 1, at(64), LinkUpdate::Keep)
        .await
        .unwrap();
    assert_eq!(
        late,
        SettleResult::LeaseLost,
        "the old owner is fenced out after re-claim"
    );
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.lease_owner.as_deref()),
        (ItemState::Running, Some("w2"))
    );
    let ok = store
        .item_complete("a", new, 1, at(65), LinkUpdate::Keep)
        .await
        .unwrap();
    assert_eq!(ok, SettleResult::Settled);
}

pub async fn heartbeat_extends_the_lease(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h")]).await;
    let (_, token) = claim_one(&*store, "w1", t0()).await;
    let beat = store
        .item_heartbeat("a", token, LEASE, at(50))
        .await
        .unwrap();
    assert_eq!(beat, SettleResult::Settled);
    assert_eq!(store.item_rescue_expired(at(61)).await.unwrap(), 0);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(a.lease_until, Some(at(110)));
    let wrong = store
        .item_heartbeat("a", token + 1, LEASE, at(60))
        .await
        .unwrap();
    assert_eq!(wrong, SettleResult::LeaseLost);
    assert_eq!(store.item_rescue_expired(at(111)).await.unwrap(), 1);
    let late = store
        .item_heartbeat("a", token, LEASE, at(112))
        .await
        .unwrap();
    assert_eq!(late, SettleResult::LeaseLost);
}

pub async fn release_owner_frees_its_items_only(store: Arc<dyn Store>) {
    let items = vec![planned("a", "invite", "h"), planned("b", "invite", "h")];
    record(&*store, t0(), items).await;
    let (a, a_token) = claim_one(&*store, "w1", t0()).await;
    let (b, _) = claim_one(&*store, "w2", t0()).await;
    assert_eq!(store.item_release_owner("w1", at(5)).await.unwrap(), 1);
    let released = store.item_get(&a).await.unwrap().unwrap();
    assert_eq!(
        (released.state, released.run_after),
        (ItemState::Pending, at(5))
    );
    assert_eq!(
        store.item_get(&b).await.unwrap().unwrap().state,
        ItemState::Running
    );
    let late = store
        .item_complete(&a, a_token, 1, at(6), LinkUpdate::Keep)
        .await
        .unwrap();
    assert_eq!(late, SettleResult::LeaseLost);
    let again = store.item_claim("w3", 10, LEASE, at(5)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].anchor, a);
}

pub async fn snooze_keeps_attempts_retry_counts(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h")]).await;
    let (_, t) = claim_one(&*store, "w", t0()).await;
    let snoozed = store
        .item_snooze("a", t, at(1), at(30), "429 Retry-After 29")
        .await;
    assert_eq!(snoozed.unwrap(), SettleResult::Settled);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.attempts, a.run_after),
        (ItemState::Pending, 0, at(30))
    );
    assert!(
        store
            .item_claim("w", 1, LEASE, at(29))
            .await
            .unwrap()
            .is_empty()
    );
    let (_, t) = claim_one(&*store, "w", at(30)).await;
    store
        .item_retry("a", t, at(31), at(40), error("503"))
        .await
        .unwrap();
    let (_, t) = claim_one(&*store, "w", at(40)).await;
    store
        .item_retry("a", t, at(41), at(50), error("504"))
        .await
        .unwrap();
    let claimed = store.item_claim("w", 1, LEASE, at(50)).await.unwrap();
    assert_eq!(claimed[0].attempts, 2);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(a.last_error.unwrap().code, "504");
    let done = store.item_complete("a", claimed[0].lease_token, 1, at(51), LinkUpdate::Keep);
    assert_eq!(done.await.unwrap(), SettleResult::Settled);
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.attempts, a.last_error),
        (ItemState::Done, 0, None)
    );
}

pub async fn dead_keeps_error_and_retry_dead_revives(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h")]).await;
    let (_, t) = claim_one(&*store, "w", t0()).await;
    let wrong = store.item_retry_dead("a", at(1)).await.unwrap_err();
    assert!(matches!(
        wrong,
        StoreError::WrongState {
            actual: ItemState::Running,
            ..
        }
    ));
    store
        .item_dead("a", t, at(1), error("InvalidEmail"))
        .await
        .unwrap();
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!((a.state, a.attempts), (ItemState::Dead, 1));
    assert_eq!(a.last_error, Some(error("InvalidEmail")));
    assert!(
        store
            .item_claim("w", 1, LEASE, at(100))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.item_counts().await.unwrap()[&ItemState::Dead], 1);
    store.item_retry_dead("a", at(200)).await.unwrap();
    let a = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(
        (a.state, a.attempts, a.run_after),
        (ItemState::Pending, 0, at(200))
    );
    let again = store.item_retry_dead("a", at(201)).await.unwrap_err();
    assert!(matches!(
        again,
        StoreError::WrongState {
            actual: ItemState::Pending,
            ..
        }
    ));
    let missing = store.item_retry_dead("nope", at(201)).await.unwrap_err();
    assert!(matches!(missing, StoreError::ItemNotFound(_)));
}

pub async fn attempt_history_is_append_only_and_ordered(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h")]).await;
    let (_, t1) = claim_one(&*store, "w1", t0()).await;
    store
        .item_snooze("a", t1, at(1), at(10), "throttled")
        .await
        .unwrap();
    let (_, t2) = claim_one(&*store, "w2", at(10)).await;
    store
        .item_retry("a", t2, at(11), at(20), error("503"))
        .await
        .unwrap();
    let first = store.attempt_list("a").await.unwrap();
    let (_, t3) = claim_one(&*store, "w3", at(20)).await;
    store
        .item_complete("a", t3, 1, at(21), LinkUpdate::Keep)
        .await
        .unwrap();
    let history = store.attempt_list("a").await.unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(&history[..2], &first[..], "earlier entries never change");
    let outcomes: Vec<_> = history.iter().map(|h| h.outcome).collect();
    use AttemptOutcome::*;
    assert_eq!(outcomes, [Snoozed, Retry, Succeeded]);
    let tokens: Vec<_> = history.iter().map(|h| h.lease_token).collect();
    assert_eq!(tokens, [t1, t2, t3]);
    let owners: Vec<_> = history.iter().map(|h| h.owner.clone().unwrap()).collect();
    assert_eq!(owners, ["w1", "w2", "w3"]);
    assert_eq!(
        (history[0].reason.as_deref(), history[0].run_after),
        (Some("throttled"), Some(at(10)))
    );
    let err = history[1].error.clone().unwrap();
    assert_eq!(
        (err.code.as_str(), err.request_id.as_deref(), err.status),
        ("503", Some("req-123"), Some(400))
    );
    assert_eq!(
        (history[2].at, history[2].action.as_str()),
        (at(21), "invite")
    );
    assert!(store.attempt_list("other").await.unwrap().is_empty());
}

pub async fn progress_records_the_link_and_continues_without_an_attempt(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h")]).await;
    let (_, token) = claim_one(&*store, "w1", t0()).await;
    let progress = guestsync::store::ItemProgress {
        run_after: at(5),
        link: LinkUpdate::Upsert(super::runs::fields(
            "obj-1",
            Some("https://redeem.example/r"),
        )),
        action: "update".into(),
        payload: serde_json::json!({"next": true}),
        reason: "invited; attribute update deferred".into(),
    };
    let settled = store
        .item_progress("a", token, at(1), progress.clone())
        .await
        .unwrap();
    assert_eq!(settled, SettleResult::Settled);
    let item = store.item_get("a").await.unwrap().unwrap();
    assert_eq!((item.state, item.attempts), (ItemState::Pending, 0));
    assert_eq!((item.action.as_str(), item.run_after), ("update", at(5)));
    assert_eq!(item.payload, serde_json::json!({"next": true}));
    assert_eq!(
        store.link_get("a").await.unwrap().unwrap().object_id,
        "obj-1"
    );
    assert!(
        store
            .item_claim("w1", 1, LEASE, at(4))
            .await
            .unwrap()
            .is_empty()
    );
    let history = store.attempt_list("a").await.unwrap();
    assert_eq!(history.last().unwrap().outcome, AttemptOutcome::Snoozed);
    let late = store
        .item_progress("a", token, at(2), progress)
        .await
        .unwrap();
    assert_eq!(late, SettleResult::LeaseLost, "a stale token is fenced out");
}
