//! Conformance cases: what operators read (lists, filters, counts) and typed errors.

use std::sync::Arc;

use guestsync::store::{ItemFilter, ItemState, RejectedRow, Store, StoreError};

use super::fixtures::{LEASE, at, error, planned, record, t0};

pub async fn item_list_filters_and_pages(store: Arc<dyn Store>) {
    let items = vec![
        planned("a", "invite", "h"),
        planned("b", "update", "h"),
        planned("c", "invite", "h"),
        planned("d", "invite", "h"),
    ];
    record(&*store, t0(), items).await;
    let claimed = store.item_claim("w", 1, LEASE, t0()).await.unwrap();
    store
        .item_dead("a", claimed[0].lease_token, at(1), error("Bad"))
        .await
        .unwrap();
    let list = |filter: ItemFilter| {
        let store = store.clone();
        async move {
            let items = store.item_list(filter).await.unwrap();
            items.into_iter().map(|i| i.anchor).collect::<Vec<_>>()
        }
    };
    let all = ItemFilter {
        limit: 100,
        ..ItemFilter::default()
    };
    assert_eq!(list(all.clone()).await, ["a", "b", "c", "d"]);
    let dead = ItemFilter {
        state: Some(ItemState::Dead),
        ..all.clone()
    };
    assert_eq!(list(dead).await, ["a"]);
    let invites = ItemFilter {
        state: Some(ItemState::Pending),
        action: Some("invite".into()),
        ..all.clone()
    };
    assert_eq!(list(invites).await, ["c", "d"]);
    let page = ItemFilter {
        after: Some("b".into()),
        limit: 1,
        ..all.clone()
    };
    assert_eq!(list(page).await, ["c"]);
    let counts = store.item_counts().await.unwrap();
    assert_eq!(
        (counts[&ItemState::Pending], counts[&ItemState::Dead]),
        (3, 1)
    );
    assert_eq!(
        (counts[&ItemState::Running], counts[&ItemState::Done]),
        (0, 0)
    );
}

pub async fn unknown_runs_are_typed_errors(store: Arc<dyn Store>) {
    let row = RejectedRow {
        row_number: 1,
        anchor: None,
        reason: "x".into(),
    };
    let err = store
        .run_record_rejections(777, vec![row])
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::RunNotFound(777)), "{err:?}");
    let err = store
        .plan_record(777, t0(), vec![planned("a", "invite", "h")])
        .await;
    assert!(matches!(err, Err(StoreError::RunNotFound(777))));
    let err = store.held_record(777, t0(), vec![]).await;
    assert!(matches!(err, Err(StoreError::RunNotFound(777))));
    assert!(store.item_get("a").await.unwrap().is_none());
}
