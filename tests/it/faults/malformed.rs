//! Issue 8 §3: malformed Graph answers (wrong JSON types, missing fields, an empty object,
//! invalid JSON, a body of many MiB) never crash the daemon. A malformed tenant read fails the
//! cycle with the cause (a read error is never an empty tenant); a malformed invitation answer
//! is retried (the invitation may have been applied: the retry finds the same guest) until the
//! item's attempts run out, then the item is dead with the cause; a huge body is abandoned at
//! the client's limit, not buffered.

use guestsync::emulator::{AnswerFault, AnswerFaultKind, Knobs};
use guestsync::store::ItemState;

use super::support::FaultWorld;

struct Case {
    row: &'static str,
    kind: AnswerFaultKind,
    route: &'static str,
    max_hits: u64,
    /// Whether the cycle's tenant read is expected to fail (and name this cause).
    read_fails_with: Option<&'static str>,
}

const CASES: &[Case] = &[
    Case {
        row: "tenant read: wrong JSON types",
        kind: AnswerFaultKind::WrongTypes,
        route: "GET /users",
        max_hits: 1,
        read_fails_with: Some("MalformedResponse"),
    },
    Case {
        row: "tenant read: users without id",
        kind: AnswerFaultKind::MissingFields,
        route: "GET /users",
        max_hits: 1,
        read_fails_with: Some("MalformedResponse"),
    },
    Case {
        row: "tenant read: page without value",
        kind: AnswerFaultKind::EmptyObject,
        route: "GET /users",
        max_hits: 1,
        read_fails_with: Some("MalformedResponse"),
    },
    Case {
        row: "tenant read: invalid JSON",
        kind: AnswerFaultKind::InvalidJson,
        route: "GET /users",
        max_hits: 1,
        read_fails_with: Some("MalformedResponse"),
    },
    Case {
        row: "tenant read: 24 MiB body",
        kind: AnswerFaultKind::HugeBody { mb: 24 },
        route: "GET /users",
        max_hits: 1,
        read_fails_with: None,
    },
    Case {
        row: "invitation: wrong JSON types",
        kind: AnswerFaultKind::WrongTypes,
        route: "POST /invitations",
        max_hits: 3,
        read_fails_with: None,
    },
    Case {
        row: "invitation: no invitedUser.id",
        kind: AnswerFaultKind::MissingFields,
        route: "POST /invitations",
        max_hits: 3,
        read_fails_with: None,
    },
    Case {
        row: "invitation: empty object",
        kind: AnswerFaultKind::EmptyObject,
        route: "POST /invitations",
        max_hits: 3,
        read_fails_with: None,
    },
    Case {
        row: "invitation: invalid JSON",
        kind: AnswerFaultKind::InvalidJson,
        route: "POST /invitations",
        max_hits: 3,
        read_fails_with: None,
    },
    Case {
        row: "invitation: 24 MiB body",
        kind: AnswerFaultKind::HugeBody { mb: 24 },
        route: "POST /invitations",
        max_hits: 2,
        read_fails_with: None,
    },
];

/// Six guests in steady state, then a source with six changes and two new people, synced under
/// the case's fault, then the acceptance check.
async fn run(case: &Case) {
    let row = case.row;
    let mut w = FaultWorld::start(Knobs::default(), 8, &[]).await;
    let all = w.rows.clone();
    w.set_rows(all[..6].to_vec()).await;
    w.sync_ok(row).await;
    w.pass(60).await;
    let mut changed = all.clone();
    for r in &mut changed[..6] {
        r.job_title = format!("{} (2)", r.job_title);
    }
    w.set_rows(changed).await;

    let knobs = Knobs {
        answer_fault: Some(AnswerFault::on(
            case.kind,
            &[case.route],
            Some(case.max_hits),
        )),
        ..Knobs::default()
    };
    let (report, drained) = w.sync_under(Some(&knobs)).await;
    let c = w.counters();
    assert!(c.answer_faults >= 1, "[{row}] the fault missed: {c:?}");
    match (case.read_fails_with, report) {
        (Some(cause), Err(e)) => assert!(e.contains(cause), "[{row}] unclear error: {e}"),
        (Some(_), Ok(r)) => panic!("[{row}] a malformed tenant read was used: {:?}", r.counts),
        (None, Err(e)) => panic!("[{row}] the cycle failed: {e}"),
        (None, Ok(r)) => {
            assert_eq!((r.counts.invites, r.counts.updates), (2, 6), "[{row}]");
            assert_eq!(drained.dead(), 0, "[{row}] {:?}", drained.counts);
        }
    }
    w.check(row).await;
}

#[tokio::test(start_paused = true)]
async fn malformed_tenant_reads_fail_the_cycle_with_the_cause() {
    for case in CASES.iter().filter(|c| c.route == "GET /users") {
        run(case).await;
    }
}

#[tokio::test(start_paused = true)]
async fn malformed_invitation_answers_are_retried_without_a_second_guest() {
    for case in CASES.iter().filter(|c| c.route == "POST /invitations") {
        run(case).await;
    }
}

#[tokio::test(start_paused = true)]
async fn an_invitation_answer_that_stays_malformed_makes_the_item_dead_with_the_cause() {
    let row = "invitation: always without invitedUser.id";
    let w = FaultWorld::start(Knobs::default(), 3, &[]).await;
    let knobs = Knobs {
        answer_fault: Some(AnswerFault::on(
            AnswerFaultKind::MissingFields,
            &["POST /invitations"],
            None,
        )),
        ..Knobs::default()
    };
    let (report, drained) = w.sync_under(Some(&knobs)).await;
    assert!(report.is_ok(), "[{row}] {report:?}");
    let parts = w.parts().await;
    for partner in &w.rows {
        let anchor = partner.partner_id.clone().unwrap();
        let item = parts.store.item_get(&anchor).await.unwrap().unwrap();
        let error = item.last_error.clone();
        let error = error.unwrap_or_else(|| panic!("[{row}] {anchor}: no cause: {item:?}"));
        assert_eq!(error.code, "MalformedResponse", "[{row}] {error:?}");
        assert_eq!(item.state, ItemState::Dead, "[{row}] {item:?}");
        // The invitations were applied: still one guest per address.
        assert_eq!(w.world.users_with_mail(&partner.email).len(), 1, "[{row}]");
    }
    assert_eq!(drained.dead(), 3, "[{row}] {:?}", drained.counts);
    // Once Graph answers properly again, the next cycles converge on the same guests.
    w.world.emulator.set_knobs(Knobs::default());
    w.check(row).await;
}
