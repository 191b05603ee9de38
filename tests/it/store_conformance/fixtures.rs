//! Small builders shared by the conformance cases.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use guestsync::store::{ItemError, PlannedItem, RunId, Store};

/// The suite's epoch.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// `t0 + secs` seconds.
pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + chrono::TimeDelta::seconds(secs)
}

/// The lease used by the cases.
pub const LEASE: Duration = Duration::from_secs(60);

/// A planned item with a payload naming its hash.
pub fn planned(anchor: &str, action: &str, hash: &str) -> PlannedItem {
    PlannedItem {
        anchor: anchor.to_string(),
        action: action.to_string(),
        desired_hash: hash.to_string(),
        payload: serde_json::json!({ "anchor": anchor, "hash": hash }),
    }
}

/// A started run.
pub async fn run(store: &dyn Store) -> RunId {
    store.run_start(t0(), "manual").await.unwrap()
}

/// Records `items` in a new run at `now`.
pub async fn record(store: &dyn Store, now: DateTime<Utc>, items: Vec<PlannedItem>) {
    let id = run(store).await;
    store.plan_record(id, now, items).await.unwrap();
}

/// Claims exactly one item and returns its token.
pub async fn claim_one(store: &dyn Store, owner: &str, now: DateTime<Utc>) -> (String, i64) {
    let claimed = store.item_claim(owner, 1, LEASE, now).await.unwrap();
    assert_eq!(claimed.len(), 1, "expected one claimable item");
    (claimed[0].anchor.clone(), claimed[0].lease_token)
}

/// A Graph-like error.
pub fn error(code: &str) -> ItemError {
    ItemError {
        class: "permanent".to_string(),
        code: code.to_string(),
        message: format!("{code} happened"),
        request_id: Some("req-123".to_string()),
        status: Some(400),
    }
}
