//! Conformance cases: redemption tracking on links and the invitation-mail outbox.

use std::sync::Arc;
use std::time::Duration;

use guestsync::store::{
    InvitationMail, ItemState, LinkUpdate, MailState, RedeemUrl, RedemptionObservation,
    RedemptionState, Store,
};

use super::fixtures::{at, claim_one, planned, record, t0};
use super::runs::fields;

/// Links `a`, `b`, `c` through completed invites at `at(2)`.
async fn three_links(store: &dyn Store) {
    let items = ["a", "b", "c"].map(|a| planned(a, "invite", "h1")).to_vec();
    record(store, t0(), items).await;
    for _ in 0..3 {
        let (anchor, t) = claim_one(store, "w", t0()).await;
        let link = LinkUpdate::Upsert(fields(&format!("oid-{anchor}"), None));
        store
            .item_complete(&anchor, t, 1, at(2), link)
            .await
            .unwrap();
    }
}

fn seen(anchor: &str, state: RedemptionState, changed: Option<i64>) -> RedemptionObservation {
    RedemptionObservation {
        anchor: anchor.to_string(),
        state,
        changed_at: changed.map(at),
    }
}

pub async fn redemption_changes_are_recorded_with_first_seen_time(store: Arc<dyn Store>) {
    three_links(&*store).await;
    let counts = store.link_redemption_counts().await.unwrap();
    assert_eq!(counts[&RedemptionState::Unknown], 3, "{counts:?}");
    assert_eq!(counts.len(), RedemptionState::ALL.len());

    let first = vec![
        seen("a", RedemptionState::Pending, Some(1)),
        seen("b", RedemptionState::Pending, Some(1)),
        seen("nobody", RedemptionState::Accepted, Some(1)),
    ];
    assert_eq!(
        store.link_record_redemption(at(10), first).await.unwrap(),
        2
    );
    let a = store.link_get("a").await.unwrap().unwrap();
    assert_eq!(
        (
            a.redemption_state,
            a.redemption_changed_at,
            a.redemption_seen_at
        ),
        (Some(RedemptionState::Pending), Some(at(1)), Some(at(10)))
    );
    assert!(store.link_get("nobody").await.unwrap().is_none());

    // Same state again: nothing written. A new Graph change time with the same state keeps
    // the first-seen time; a new state moves it.
    let same = vec![seen("a", RedemptionState::Pending, Some(1))];
    assert_eq!(store.link_record_redemption(at(20), same).await.unwrap(), 0);
    let next = vec![
        seen("a", RedemptionState::Accepted, Some(25)),
        seen("b", RedemptionState::Pending, Some(26)),
    ];
    assert_eq!(store.link_record_redemption(at(30), next).await.unwrap(), 2);
    let a = store.link_get("a").await.unwrap().unwrap();
    let b = store.link_get("b").await.unwrap().unwrap();
    assert_eq!(
        (
            a.redemption_state,
            a.redemption_changed_at,
            a.redemption_seen_at
        ),
        (Some(RedemptionState::Accepted), Some(at(25)), Some(at(30)))
    );
    assert_eq!(
        (b.redemption_changed_at, b.redemption_seen_at),
        (Some(at(26)), Some(at(10)))
    );
    let counts = store.link_redemption_counts().await.unwrap();
    let got: Vec<u64> = RedemptionState::ALL.iter().map(|s| counts[s]).collect();
    assert_eq!(got, [1, 1, 1, 0], "pending, accepted, unknown, other");
}

pub async fn redemption_of_many_links_is_one_statement(store: Arc<dyn Store>) {
    let n = 3000;
    let items = (0..n)
        .map(|i| planned(&format!("a{i:05}"), "invite", "h"))
        .collect();
    record(&*store, t0(), items).await;
    let claimed = store
        .item_claim("w", n, super::fixtures::LEASE, t0())
        .await
        .unwrap();
    for item in &claimed {
        let link = LinkUpdate::Upsert(fields(&format!("oid-{}", item.anchor), None));
        store
            .item_complete(&item.anchor, item.lease_token, 1, at(1), link)
            .await
            .unwrap();
    }
    let all = (0..n)
        .map(|i| seen(&format!("a{i:05}"), RedemptionState::Accepted, None))
        .collect();
    assert_eq!(
        store.link_record_redemption(at(5), all).await.unwrap(),
        u64::from(n)
    );
    let counts = store.link_redemption_counts().await.unwrap();
    assert_eq!(counts[&RedemptionState::Accepted], u64::from(n));
}

pub async fn invited_count_is_live_links_made_by_inviting(store: Arc<dyn Store>) {
    assert_eq!(store.link_invited_count().await.unwrap(), 0);
    // a, b invited; c adopted (no invitation); d invited, then deleted.
    let items = ["a", "b", "c", "d"]
        .map(|a| planned(a, "invite", "h1"))
        .to_vec();
    record(&*store, t0(), items).await;
    for _ in 0..4 {
        let (anchor, t) = claim_one(&*store, "w", t0()).await;
        let redeem = (anchor != "c").then_some("https://login.example/redeem?rd=x");
        let link = LinkUpdate::Upsert(fields(&format!("oid-{anchor}"), redeem));
        store
            .item_complete(&anchor, t, 1, at(2), link)
            .await
            .unwrap();
    }
    record(&*store, at(3), vec![planned("d", "delete", "h2")]).await;
    let (anchor, t) = claim_one(&*store, "w", at(3)).await;
    assert_eq!(anchor, "d");
    let gone = LinkUpdate::MarkDeleted;
    store.item_complete("d", t, 2, at(4), gone).await.unwrap();
    assert_eq!(store.link_invited_count().await.unwrap(), 2);
    let counts = store.link_redemption_counts().await.unwrap();
    assert_eq!(counts.values().sum::<u64>(), 3, "live links: {counts:?}");
}

fn mail(url: &str) -> InvitationMail {
    InvitationMail {
        email: "x@example.com".into(),
        display_name: Some("X".into()),
        redeem_url: RedeemUrl::new(url),
    }
}

/// Completes an invite of `a` at `now` that queues its mail.
async fn invite_with_mail(store: &dyn Store, hash: &str, now_s: i64, url: &str) {
    record(store, at(now_s), vec![planned("a", "invite", hash)]).await;
    let (_, t) = claim_one(store, "w", at(now_s)).await;
    let generation = store.item_get("a").await.unwrap().unwrap().desired_gen;
    let update = LinkUpdate::UpsertAndMail(fields("oid-a", Some(url)), mail(url));
    store
        .item_complete("a", t, generation, at(now_s), update)
        .await
        .unwrap();
}

pub async fn invitation_mail_is_queued_with_the_invite_and_sent_once(store: Arc<dyn Store>) {
    let lease = Duration::from_secs(60);
    invite_with_mail(&*store, "h1", 1, "https://login.example/redeem?rd=ONE").await;
    let link = store.link_get("a").await.unwrap().unwrap();
    assert_eq!(link.object_id, "oid-a");
    let claimed = store.mail_claim(at(2), lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let m = &claimed[0];
    assert_eq!(
        (m.anchor.as_str(), m.generation, m.email.as_str()),
        ("a", 1, "x@example.com")
    );
    assert_eq!(m.redeem_url.expose(), "https://login.example/redeem?rd=ONE");
    assert!(!format!("{claimed:?}").contains("ONE"), "Debug must redact");
    // Leased: a second claimer (another replica) gets nothing until the lease expires.
    assert!(store.mail_claim(at(3), lease, 10).await.unwrap().is_empty());
    assert_eq!(store.mail_claim(at(63), lease, 10).await.unwrap().len(), 1);
    assert!(store.mail_sent("a", 1, at(64)).await.unwrap());
    assert!(!store.mail_sent("a", 1, at(65)).await.unwrap(), "sent once");
    assert!(
        store
            .mail_claim(at(999), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let record = store.mail_get("a").await.unwrap().unwrap();
    assert_eq!(
        (record.state, record.sent_at),
        (MailState::Sent, Some(at(64)))
    );

    // A new invitation (a re-invite) queues a new mail with the new URL.
    invite_with_mail(&*store, "h2", 100, "https://login.example/redeem?rd=TWO").await;
    let claimed = store.mail_claim(at(101), lease, 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].generation, 2);
    assert_eq!(
        claimed[0].redeem_url.expose(),
        "https://login.example/redeem?rd=TWO"
    );
    assert!(
        !store.mail_sent("a", 1, at(102)).await.unwrap(),
        "old generation is fenced"
    );
    let counts = store.mail_counts().await.unwrap();
    assert_eq!(counts[&MailState::Pending], 1);
}

pub async fn mail_failures_retry_then_give_up_and_show_on_the_item(store: Arc<dyn Store>) {
    let lease = Duration::from_secs(60);
    invite_with_mail(&*store, "h1", 1, "https://login.example/redeem?rd=ONE").await;
    let mut error = super::fixtures::error("smtp_451");
    error.class = "mail".into();
    store.mail_claim(at(2), lease, 10).await.unwrap();
    assert!(
        store
            .mail_failed("a", 1, &error, Some(at(50)))
            .await
            .unwrap()
    );
    let item = store.item_get("a").await.unwrap().unwrap();
    assert_eq!(item.state, ItemState::Done);
    assert_eq!(
        item.last_error.as_ref().map(|e| e.code.as_str()),
        Some("smtp_451")
    );
    assert!(
        store
            .mail_claim(at(49), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.mail_claim(at(50), lease, 10).await.unwrap();
    assert_eq!(again[0].attempts, 1);
    assert!(store.mail_failed("a", 1, &error, None).await.unwrap());
    let record = store.mail_get("a").await.unwrap().unwrap();
    assert_eq!((record.state, record.attempts), (MailState::Failed, 2));
    assert!(record.last_error.is_some());
    assert!(
        store
            .mail_claim(at(999), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );

    // A new invitation revives it; sending clears the mail error on the item.
    invite_with_mail(&*store, "h2", 100, "https://login.example/redeem?rd=TWO").await;
    store.mail_claim(at(101), lease, 10).await.unwrap();
    store
        .mail_failed("a", 2, &error, Some(at(102)))
        .await
        .unwrap();
    store.mail_claim(at(102), lease, 10).await.unwrap();
    assert!(store.mail_sent("a", 2, at(103)).await.unwrap());
    assert!(
        store
            .item_get("a")
            .await
            .unwrap()
            .unwrap()
            .last_error
            .is_none()
    );
}
