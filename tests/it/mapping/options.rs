//! Per-row invitation options: `user_type` and `redirect_url` columns reach the invitation;
//! invalid values reject the row with a reason.

use super::{People, s};

#[tokio::test]
async fn user_type_and_redirect_url_reach_the_emulator_or_reject_the_row() {
    let mut people = People::start(&["anchor", "email", "user_type", "redirect_url"], "").await;
    // No lag in this tenant: an owned Member missing from the tenant read would be re-invited.
    people
        .world
        .extra_env
        .push(("GUESTSYNC__SYNC__REPLICATION_WINDOW".into(), "1ms".into()));
    people
        .set_rows(&[
            vec![
                s("1"),
                s("mo@partner.example"),
                s(" member "),
                s("https://apps.partner.example/welcome"),
            ],
            vec![s("2"), s("gu@partner.example"), None, None],
            vec![s("3"), s("ad@partner.example"), s("Admin"), None],
            vec![
                s("4"),
                s("ht@partner.example"),
                s("Guest"),
                s("http://apps.partner.example"),
            ],
        ])
        .await;
    let (first, drained) = people.sync_once().await;
    assert_eq!(
        (first.counts.invites, first.counts.rejected),
        (2, 2),
        "{:?}",
        first.counts
    );
    assert_eq!(drained.dead(), 0);

    let invitations = people.world.emulator.invitations();
    let body = |mail: &str| {
        invitations
            .iter()
            .find(|b| b["invitedUserEmailAddress"] == mail)
            .cloned()
            .unwrap()
    };
    let member = body("mo@partner.example");
    assert_eq!(member["invitedUserType"], "Member");
    assert_eq!(
        member["inviteRedirectUrl"],
        "https://apps.partner.example/welcome"
    );
    let guest = body("gu@partner.example");
    assert_eq!(guest["invitedUserType"], "Guest");
    assert_eq!(guest["inviteRedirectUrl"], "https://myapps.microsoft.com/");
    assert_eq!(people.user("mo@partner.example")["userType"], "Member");

    let parts = guestsync::app::build::parts(&people.settings())
        .await
        .unwrap();
    let rejected = parts.store.run_rejections(first.run_id).await.unwrap();
    let reasons: Vec<String> = rejected.iter().map(|r| format!("{r:?}")).collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("user_type must be Guest or Member")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("redirect_url must be an absolute https URL")),
        "{reasons:?}"
    );

    let (second, _) = people.sync_once().await;
    assert_eq!(
        second.counts.invites + second.counts.reinvites + second.counts.updates,
        0,
        "the Member invited by its row is seen as owned: {:?}",
        second.counts
    );
}
