//! Conformance cases: the control row (pause, quarantine) and the on-demand claim of one anchor.

use std::sync::Arc;

use guestsync::store::{ControlState, ItemState, QuarantineRecord, SettleResult, Store};

use super::fixtures::{LEASE, at, planned, record, t0};

pub async fn pause_and_resume_are_shared_and_idempotent(store: Arc<dyn Store>) {
    assert_eq!(store.control_get().await.unwrap(), ControlState::default());
    store.control_pause(at(1), "maintenance").await.unwrap();
    store.control_pause(at(2), "again").await.unwrap();
    let control = store.control_get().await.unwrap();
    let paused = control.paused.clone().unwrap();
    assert_eq!(
        (paused.since, paused.reason.as_str()),
        (at(1), "maintenance")
    );
    assert!(control.holds_work());
    assert!(store.control_resume().await.unwrap());
    assert!(
        !store.control_resume().await.unwrap(),
        "nothing left to resume"
    );
    assert!(!store.control_get().await.unwrap().holds_work());
}

pub async fn quarantine_is_recorded_replaced_and_cleared(store: Arc<dyn Store>) {
    let first = QuarantineRecord {
        cause: "credential".into(),
        message: "token endpoint refused the request: invalid_client".into(),
        since: t0(),
        next_probe_at: at(3600),
        probes: 0,
    };
    store.quarantine_set(&first).await.unwrap();
    assert_eq!(
        store.control_get().await.unwrap().quarantine,
        Some(first.clone())
    );
    let probed = QuarantineRecord {
        next_probe_at: at(7200),
        probes: 1,
        ..first
    };
    store.quarantine_set(&probed).await.unwrap();
    let control = store.control_get().await.unwrap();
    assert_eq!(control.quarantine, Some(probed));
    assert!(control.holds_work() && control.paused.is_none());
    assert!(store.quarantine_clear().await.unwrap());
    assert!(!store.quarantine_clear().await.unwrap());
    assert_eq!(store.control_get().await.unwrap(), ControlState::default());
}

pub async fn claim_anchor_takes_only_that_pending_item(store: Arc<dyn Store>) {
    record(
        &*store,
        t0(),
        vec![planned("a", "invite", "h"), planned("b", "invite", "h")],
    )
    .await;
    assert_eq!(
        store
            .item_claim_anchor("zz", "o", LEASE, at(1))
            .await
            .unwrap(),
        None
    );
    let claimed = store
        .item_claim_anchor("b", "o", LEASE, at(1))
        .await
        .unwrap()
        .expect("b is pending");
    assert_eq!(
        (claimed.anchor.as_str(), claimed.action.as_str()),
        ("b", "invite")
    );
    assert_eq!(
        store
            .item_claim_anchor("b", "o2", LEASE, at(1))
            .await
            .unwrap(),
        None,
        "a running item is not claimed twice"
    );
    let item = store.item_get("b").await.unwrap().unwrap();
    assert_eq!(item.state, ItemState::Running);
    assert_eq!(item.lease_owner.as_deref(), Some("o"));
    assert_eq!(
        store.item_get("a").await.unwrap().unwrap().state,
        ItemState::Pending
    );
    let settled = store
        .item_heartbeat("b", claimed.lease_token, LEASE, at(2))
        .await
        .unwrap();
    assert_eq!(
        settled,
        SettleResult::Settled,
        "the claim's token fences settles"
    );
}
