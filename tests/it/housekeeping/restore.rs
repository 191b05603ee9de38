//! A guest guestsync deleted comes back: restored with the same object id within 30 days,
//! invited again after; an e-mail change of an accepted guest updates `mail` and resets the
//! redemption; deletes wait for an operator like disables.

use super::{Timed, rows};

const DELETE_AFTER: [(&str, &str); 2] = [
    ("GUESTSYNC__LIFECYCLE__DELETE_AFTER", "10d"),
    ("GUESTSYNC__SAFETY__MAX_DISABLE_PERCENT", "100"),
];

/// Invites `rows(2)`, drops the second row, disables and (11 days later) deletes its guest.
async fn deleted_second_guest() -> (Timed, String) {
    let all = rows(2);
    let t = Timed::start(&all, &DELETE_AFTER).await;
    t.sync().await;
    let id = t.link("P00002").await.object_id;
    t.world.set_rows(&all[..1]).await;
    assert_eq!(t.sync().await.0.counts.disables, 1);
    t.advance_days(11);
    assert_eq!(t.sync().await.0.counts.deletes, 1);
    assert!(t.user(&id).is_none());
    (t, id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_guest_coming_back_within_30_days_is_restored_with_the_same_object_id() {
    let (t, id) = deleted_second_guest().await;
    t.advance_days(20);
    t.world.set_rows(&rows(2)).await;
    let (report, _) = t.sync().await;
    assert_eq!((report.counts.restores, report.counts.invites), (1, 0));
    let user = t.user(&id).expect("restored");
    assert_eq!(user["accountEnabled"], true);
    assert_eq!(user["jobTitle"], rows(2)[1].job_title.as_str());
    let link = t.link("P00002").await;
    assert_eq!(
        (link.object_id.as_str(), link.deleted_at),
        (id.as_str(), None)
    );
    assert!(!link.disabled_by_us);
    let (again, _) = t.sync().await;
    assert_eq!(
        again.counts.restores + again.counts.enables + again.counts.updates,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_deleted_more_than_30_days_ago_is_invited_again() {
    let (t, id) = deleted_second_guest().await;
    t.advance_days(31);
    t.world.set_rows(&rows(2)).await;
    let (report, _) = t.sync().await;
    assert_eq!((report.counts.restores, report.counts.invites), (0, 1));
    let link = t.link("P00002").await;
    assert_ne!(link.object_id, id);
    assert!(t.user(&link.object_id).is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_e_mail_change_of_an_accepted_guest_updates_mail_and_resets_redemption() {
    let mut all = rows(1);
    let t = Timed::start(&all, &[]).await;
    t.sync().await;
    let before = t.link("P00001").await;
    assert!(t.world.emulator.redeem(&before.object_id));
    assert_eq!(
        t.user(&before.object_id).unwrap()["externalUserState"],
        "Accepted"
    );
    all[0].email = "ada.new@fabrikam.example".into();
    t.world.set_rows(&all).await;
    t.advance_days(1);
    let (report, _) = t.sync().await;
    assert_eq!(report.counts.email_changes, 1, "{:?}", report.counts);
    assert_eq!(report.counts.invites, 0);
    let user = t.user(&before.object_id).expect("same object id");
    assert_eq!(user["mail"], "ada.new@fabrikam.example");
    assert_eq!(user["externalUserState"], "PendingAcceptance");
    assert_eq!(t.world.emulator.users().len(), 1, "no second guest");
    let after = t.link("P00001").await;
    assert_eq!(after.email, "ada.new@fabrikam.example");
    assert_ne!(
        after.redeem_url.as_ref().unwrap().expose(),
        before.redeem_url.as_ref().unwrap().expose(),
        "the reset gives a new redeem URL"
    );
    let (again, _) = t.sync().await;
    assert_eq!(again.counts.email_changes + again.counts.updates, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deletes_over_the_threshold_wait_for_an_operator() {
    let env = [
        ("GUESTSYNC__LIFECYCLE__DELETE_AFTER", "10d"),
        ("GUESTSYNC__SAFETY__MAX_DISABLES", "1"),
        ("GUESTSYNC__SAFETY__MAX_DISABLE_PERCENT", "100"),
    ];
    let t = Timed::start(&rows(3), &env).await;
    t.sync().await;
    let ids: Vec<String> = [1, 2, 3].iter().map(|i| format!("P0000{i}")).collect();
    t.world.set_rows(&[]).await;
    let (held, _) = t.sync().await;
    assert!(held.is_held());
    let store = t.store().await;
    store.run_approve(held.run_id, t.now()).await.unwrap();
    t.sync().await;
    t.advance_days(11);
    let (deletes, _) = t.sync().await;
    assert!(deletes.is_held(), "{:?}", deletes.counts);
    assert_eq!((deletes.held_disables, deletes.counts.deletes), (3, 3));
    for anchor in &ids {
        let id = t.link(anchor).await.object_id;
        assert!(t.user(&id).is_some(), "held: not deleted");
    }
    store.run_approve(deletes.run_id, t.now()).await.unwrap();
    t.sync().await;
    for anchor in &ids {
        let link = t.link(anchor).await;
        assert!(t.user(&link.object_id).is_none(), "deleted once approved");
        assert!(link.deleted_at.is_some());
    }
}

/// Permanently deletes `id` from deleted items through Graph (as an admin purging it).
async fn purge(t: &Timed, id: &str) {
    let emulator = &t.world.emulator;
    let config = emulator.config();
    let token_url = format!(
        "{}/{}/oauth2/v2.0/token",
        emulator.authority_url(),
        config.tenant_id
    );
    let scope = format!("{}/.default", emulator.authority_url());
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", config.client_id.as_str()),
        ("client_secret", config.client_secret.as_str()),
        ("scope", scope.as_str()),
    ];
    let http = reqwest::Client::new();
    let token: serde_json::Value = http
        .post(token_url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = http
        .delete(format!(
            "{}/directory/deletedItems/{id}",
            emulator.base_url()
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, reqwest::StatusCode::NO_CONTENT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_no_longer_in_deleted_items_is_invited_instead_of_restored() {
    let (t, id) = deleted_second_guest().await;
    purge(&t, &id).await;
    t.advance_days(5);
    t.world.set_rows(&rows(2)).await;
    let (report, _) = t.sync().await;
    assert_eq!(report.counts.restores, 1, "planned as a restore");
    let link = t.link("P00002").await;
    assert_ne!(
        link.object_id, id,
        "the restore found nothing; invited instead"
    );
    assert_eq!(link.deleted_at, None);
    assert_eq!(t.world.users_with_mail(&link.email).len(), 1);
    let (again, _) = t.sync().await;
    assert_eq!(again.counts.invites + again.counts.restores, 0);
}
