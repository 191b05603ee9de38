//! Conformance cases: the leader lease (exclusive, renewed, lapsing, released, raced) and the
//! claim time kept in the attempt history (what proves two owners never overlap).

use std::sync::Arc;

use guestsync::store::{LinkUpdate, Store};

use super::fixtures::{LEASE, at, claim_one, planned, record, t0};

pub async fn leader_lease_is_exclusive_until_it_lapses(store: Arc<dyn Store>) {
    assert_eq!(store.leader_get().await.unwrap(), None);
    let a = store
        .leader_acquire("a", LEASE, t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (a.holder.as_str(), a.epoch, a.lease_until),
        ("a", 1, at(60))
    );
    assert_eq!(
        store.leader_acquire("b", LEASE, at(10)).await.unwrap(),
        None
    );
    let renewed = store
        .leader_acquire("a", LEASE, at(20))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (renewed.epoch, renewed.acquired_at),
        (1, t0()),
        "a renewal keeps the epoch"
    );
    assert_eq!(renewed.lease_until, at(80));
    assert_eq!(
        store.leader_acquire("b", LEASE, at(79)).await.unwrap(),
        None
    );
    let held = store.leader_get().await.unwrap().unwrap();
    assert_eq!((held.holder.as_str(), held.is_live(at(79))), ("a", true));

    let b = store
        .leader_acquire("b", LEASE, at(80))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (b.holder.as_str(), b.epoch, b.acquired_at),
        ("b", 2, at(80))
    );
    assert_eq!(
        store.leader_acquire("a", LEASE, at(81)).await.unwrap(),
        None
    );
    assert_eq!(store.leader_get().await.unwrap().unwrap(), b);
}

pub async fn leader_release_hands_over_at_once(store: Arc<dyn Store>) {
    store
        .leader_acquire("a", LEASE, t0())
        .await
        .unwrap()
        .unwrap();
    assert!(
        !store.leader_release("b", at(5)).await.unwrap(),
        "b holds nothing"
    );
    assert!(store.leader_release("a", at(5)).await.unwrap());
    assert!(
        !store.leader_release("a", at(6)).await.unwrap(),
        "already released"
    );
    let b = store
        .leader_acquire("b", LEASE, at(6))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((b.holder.as_str(), b.epoch), ("b", 2));
    let a_again = store.leader_acquire("a", LEASE, at(7)).await.unwrap();
    assert_eq!(a_again, None, "b's fresh lease is in force");
}

pub async fn leader_lease_race_has_one_winner(store: Arc<dyn Store>) {
    store
        .leader_acquire("old", LEASE, t0())
        .await
        .unwrap()
        .unwrap();
    let tries = (0..8).map(|i| {
        let store = store.clone();
        tokio::spawn(async move { store.leader_acquire(&format!("r{i}"), LEASE, at(61)).await })
    });
    let mut winners = Vec::new();
    for joined in futures::future::join_all(tries).await {
        if let Some(lease) = joined.unwrap().unwrap() {
            winners.push(lease);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(winners[0].epoch, 2);
    assert_eq!(store.leader_get().await.unwrap().unwrap(), winners[0]);
}

pub async fn attempts_keep_their_claim_time(store: Arc<dyn Store>) {
    record(&*store, t0(), vec![planned("a", "invite", "h")]).await;
    let (_, token) = claim_one(&*store, "w1", at(3)).await;
    store
        .item_complete("a", token, 1, at(9), LinkUpdate::Keep)
        .await
        .unwrap();
    let history = store.attempt_list("a").await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].claimed_at, history[0].at), (Some(at(3)), at(9)));
    assert_eq!(history[0].owner.as_deref(), Some("w1"));
}
