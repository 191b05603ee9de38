//! "A request whose write succeeded at Graph but whose response was lost (the retry must not
//! create a second guest)". graph.md §1: an address that already has a guest gets no second
//! one; a second invitation answers with the existing user and a new redeem URL. So the retry of
//! a lost invitation links the one guest and stores a redeem URL that works.

use guestsync::emulator::{AnswerFault, AnswerFaultKind, Knobs};

use super::support::FaultWorld;

fn on(kind: AnswerFaultKind, route: &str, max_hits: u64) -> Knobs {
    Knobs {
        answer_fault: Some(AnswerFault::on(kind, &[route], Some(max_hits))),
        ..Knobs::default()
    }
}

/// Every link's stored redeem URL is one the emulator issued for that very guest.
async fn redeem_urls_work(w: &FaultWorld, row: &str) {
    let parts = w.parts().await;
    for partner in &w.rows {
        let anchor = partner.partner_id.clone().unwrap();
        let link = parts.store.link_get(&anchor).await.unwrap().unwrap();
        let url = link
            .redeem_url
            .unwrap_or_else(|| panic!("[{row}] {anchor}: no redeem URL"));
        assert!(
            w.world.emulator.redeem_url(url.expose()),
            "[{row}] {anchor}: dead URL"
        );
        let guest = &w.world.users_with_mail(&partner.email)[0];
        assert_eq!(
            guest["externalUserState"], "Accepted",
            "[{row}] redeemed another guest"
        );
    }
}

async fn lost_invitations(row: &str, kind: AnswerFaultKind) {
    let w = FaultWorld::start(Knobs::default(), 8, &[]).await;
    let (report, drained) = w
        .sync_ok_under(row, Some(&on(kind, "POST /invitations", 8)))
        .await;
    assert_eq!((report.counts.invites, drained.dead()), (8, 0), "[{row}]");
    let c = w.counters();
    assert_eq!(c.answer_faults, 8, "[{row}] {c:?}");
    let posted = w.world.emulator.invitations().len();
    assert_eq!(posted, 16, "[{row}] each lost invitation is sent once more");
    w.check(row).await;
    redeem_urls_work(&w, row).await;
}

#[tokio::test(start_paused = true)]
async fn invitation_applied_but_answered_504_makes_one_guest() {
    lost_invitations(
        "invite applied, response lost (504)",
        AnswerFaultKind::LostResponse,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn invitation_applied_but_connection_cut_makes_one_guest() {
    lost_invitations("invite applied, connection cut", AnswerFaultKind::CutBody).await;
}

#[tokio::test(start_paused = true)]
async fn patch_applied_but_answered_504_is_retried_harmlessly() {
    let row = "PATCH applied, response lost (504)";
    let w = FaultWorld::start(Knobs::default(), 8, &[]).await;
    let knobs = on(AnswerFaultKind::LostResponse, "PATCH /users/{id}", 8);
    let (_, drained) = w.sync_ok_under(row, Some(&knobs)).await;
    assert_eq!(drained.dead(), 0, "[{row}] {:?}", drained.counts);
    assert_eq!(w.counters().answer_faults, 8, "[{row}]");
    w.check(row).await;
}
