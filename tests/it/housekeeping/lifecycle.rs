//! Pending guests are re-invited after the configured age (a new redeem URL for the same
//! user), at most `max_reinvites` times; expired ones are disabled, never enabled again, and
//! deleted `delete_after` the disable; accepted guests are left alone.

use super::{Timed, rows};

const POLICY: [(&str, &str); 6] = [
    ("GUESTSYNC__LIFECYCLE__REINVITE_PENDING_AFTER", "7d"),
    ("GUESTSYNC__LIFECYCLE__MAX_REINVITES", "2"),
    ("GUESTSYNC__LIFECYCLE__EXPIRE_PENDING_AFTER", "30d"),
    ("GUESTSYNC__LIFECYCLE__EXPIRE_ACTION", "disable"),
    ("GUESTSYNC__LIFECYCLE__DELETE_AFTER", "10d"),
    ("GUESTSYNC__SAFETY__MAX_DISABLE_PERCENT", "100"),
];

fn redeem_url(link: &guestsync::store::Link) -> String {
    link.redeem_url.as_ref().unwrap().expose().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_guests_are_renewed_then_expired_then_deleted() {
    let t = Timed::start(&rows(3), &POLICY).await;
    let (first, _) = t.sync().await;
    assert_eq!(first.counts.invites, 3);
    let anchors = ["P00001", "P00002", "P00003"];
    let mut before = Vec::new();
    for a in anchors {
        before.push(t.link(a).await);
    }
    let accepted = before[2].object_id.clone();
    assert!(t.world.emulator.redeem(&accepted));

    t.advance_days(6);
    let (early, _) = t.sync().await;
    assert_eq!(early.counts.renewals, 0, "{:?}", early.counts);

    t.advance_days(2);
    let (renewed, _) = t.sync().await;
    assert_eq!(renewed.counts.renewals, 2, "{:?}", renewed.counts);
    for (a, old) in anchors.iter().zip(&before).take(2) {
        let link = t.link(a).await;
        assert_eq!(link.object_id, old.object_id, "same user");
        assert_eq!(link.reinvites, 1);
        assert_ne!(redeem_url(&link), redeem_url(old), "a new redeem URL");
        assert_eq!(
            link.invited_at, old.invited_at,
            "the first invitation is kept"
        );
        assert_eq!(
            t.world.users_with_mail(&link.email).len(),
            1,
            "no second guest"
        );
    }
    assert_eq!(
        t.link(anchors[2]).await.reinvites,
        0,
        "accepted: not renewed"
    );

    t.advance_days(8);
    assert_eq!(t.sync().await.0.counts.renewals, 2);
    t.advance_days(8);
    let (capped, _) = t.sync().await;
    assert_eq!(capped.counts.renewals, 0, "max_reinvites reached");
    assert_eq!(t.link(anchors[0]).await.reinvites, 2);

    t.advance_days(7); // 31 days after the first invitation
    let (expired, _) = t.sync().await;
    assert_eq!(expired.counts.disables, 2, "{:?}", expired.counts);
    for link in &before[..2] {
        assert_eq!(t.user(&link.object_id).unwrap()["accountEnabled"], false);
    }
    assert_eq!(t.user(&accepted).unwrap()["accountEnabled"], true);

    t.advance_days(1);
    let (quiet, _) = t.sync().await;
    let c = &quiet.counts;
    assert_eq!(
        c.enables + c.disables + c.deletes + c.renewals + c.invites,
        0,
        "{c:?}"
    );

    t.advance_days(10);
    let (deleted, _) = t.sync().await;
    assert_eq!(deleted.counts.deletes, 2, "{:?}", deleted.counts);
    for (a, link) in anchors.iter().zip(&before).take(2) {
        assert!(t.user(&link.object_id).is_none(), "soft-deleted");
        let after = t.link(a).await;
        assert_eq!(
            after.object_id, link.object_id,
            "the link keeps the object id"
        );
        assert!(after.deleted_at.is_some() && after.expired_at.is_some());
    }
    assert!(t.user(&accepted).is_some());
    let (settled, _) = t.sync().await;
    let c = &settled.counts;
    assert_eq!(
        c.invites + c.restores + c.deletes + c.disables + c.enables,
        0,
        "an expired guest is not restored or invited again: {c:?}"
    );
    assert_eq!(t.world.emulator.counters().invitation_emails_sent, 0);
}
