//! Conformance cases: what a link remembers for housekeeping (issue 4 item 4) — re-invitation
//! count and time, when guestsync disabled, expired and deleted the guest — through settles.

use std::sync::Arc;

use guestsync::store::{Link, LinkFields, LinkUpdate, Store};

use super::fixtures::{at, claim_one, planned, record};
use super::runs::fields;

/// Records, claims and completes one item of generation `generation` at `at(secs)`.
async fn settle(store: &dyn Store, generation: i64, secs: i64, update: LinkUpdate) -> Link {
    record(
        store,
        at(secs),
        vec![planned("a", "x", &format!("h{generation}"))],
    )
    .await;
    let (_, token) = claim_one(store, "w", at(secs)).await;
    store
        .item_complete("a", token, generation, at(secs), update)
        .await
        .unwrap();
    store.link_get("a").await.unwrap().unwrap()
}

fn disabled(object_id: &str) -> LinkFields {
    LinkFields {
        disabled_by_us: true,
        ..fields(object_id, None)
    }
}

pub async fn renewals_are_counted_per_guest_and_address(store: Arc<dyn Store>) {
    let invite = LinkUpdate::Upsert(fields("oid-1", Some("https://r.example/1")));
    let link = settle(&*store, 1, 1, invite).await;
    assert_eq!((link.reinvites, link.reinvited_at), (0, None));
    let renew = |url: &str| LinkUpdate::Renewed(fields("oid-1", Some(url)), None);
    settle(&*store, 2, 10, renew("https://r.example/2")).await;
    let link = settle(&*store, 3, 20, renew("https://r.example/3")).await;
    assert_eq!((link.reinvites, link.reinvited_at), (2, Some(at(20))));
    assert_eq!(
        link.redeem_url.as_ref().map(|u| u.expose().to_string()),
        Some("https://r.example/3".to_string())
    );
    let update = settle(&*store, 4, 30, LinkUpdate::Upsert(fields("oid-1", None))).await;
    assert_eq!(update.reinvites, 2, "an update keeps the count");
    let moved = LinkFields {
        email: "new@example.com".to_string(),
        ..fields("oid-1", None)
    };
    let link = settle(&*store, 5, 40, LinkUpdate::Upsert(moved)).await;
    assert_eq!(
        (link.reinvites, link.reinvited_at),
        (0, None),
        "new address"
    );
    settle(&*store, 6, 50, renew("https://r.example/4")).await;
    let link = settle(&*store, 7, 60, LinkUpdate::Upsert(fields("oid-2", None))).await;
    assert_eq!(link.reinvites, 0, "another guest");
}

pub async fn disable_expiry_delete_and_restore_are_dated(store: Arc<dyn Store>) {
    settle(&*store, 1, 1, LinkUpdate::Upsert(fields("oid-1", None))).await;
    let link = settle(&*store, 2, 10, LinkUpdate::Upsert(disabled("oid-1"))).await;
    assert_eq!((link.disabled_at, link.expired_at), (Some(at(10)), None));
    let link = settle(&*store, 3, 20, LinkUpdate::Upsert(disabled("oid-1"))).await;
    assert_eq!(link.disabled_at, Some(at(10)), "kept while disabled");
    let link = settle(&*store, 4, 30, LinkUpdate::Expired(None)).await;
    assert_eq!(
        (link.deleted_at, link.expired_at, link.disabled_at),
        (Some(at(30)), Some(at(30)), Some(at(10)))
    );
    assert_eq!(link.object_id, "oid-1", "the deleted object id is kept");
    let restored = settle(&*store, 5, 40, LinkUpdate::Upsert(fields("oid-1", None))).await;
    assert_eq!(
        (
            restored.deleted_at,
            restored.disabled_at,
            restored.expired_at
        ),
        (None, None, None)
    );
    let link = settle(&*store, 6, 50, LinkUpdate::Expired(Some(disabled("oid-1")))).await;
    assert_eq!(
        (link.disabled_at, link.expired_at, link.deleted_at),
        (Some(at(50)), Some(at(50)), None)
    );
    let link = settle(&*store, 7, 60, LinkUpdate::MarkDeleted).await;
    assert_eq!(
        (link.deleted_at, link.expired_at),
        (Some(at(60)), Some(at(50)))
    );
}
