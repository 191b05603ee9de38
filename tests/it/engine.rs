//! End to end: source → plan → queue → workers → emulator, with faults, throttling and lag.

use guestsync::demo::sample::{PartnerRow, bad_rows, partner_rows};
use guestsync::demo::{demo_knobs, hand_made_guests};
use guestsync::emulator::{Budget, Knobs, SeedUser};
use guestsync::store::{ItemState, RunOutcome, StoreError};
use guestsync::sync::CycleReport;

use crate::support::world::World;

fn good_rows(n: usize) -> Vec<PartnerRow> {
    partner_rows(n).into_iter().take(n).collect()
}

fn quiet_knobs() -> Knobs {
    Knobs::default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_identities_converge_under_faults_throttle_and_lag() {
    let mut knobs = demo_knobs();
    knobs.write_budget = Some(Budget {
        per_second: 20.0,
        burst: 20,
    });
    knobs.replication_lag_max_ms = 5_000;
    let rows = good_rows(300);
    let world = World::start(knobs, hand_made_guests(), &rows).await;
    let hand_made_before: Vec<_> = hand_made_guests()
        .iter()
        .map(|g| world.users_with_mail(&g.mail))
        .collect();

    let (report, drained) = world.sync_once().await;
    assert_eq!(report.counts.invites, 300);
    assert_eq!(drained.dead(), 0, "{:?}", drained.counts);

    for row in &rows {
        let users = world.users_with_mail(&row.email);
        assert_eq!(users.len(), 1, "{} has {} guests", row.email, users.len());
        let user = &users[0];
        assert_eq!(user["displayName"], row.display_name.as_str());
        assert_eq!(user["jobTitle"], row.job_title.as_str());
        assert_eq!(user["department"], row.department.as_str());
        assert_eq!(user["companyName"], row.company.as_str());
        assert_eq!(user["officeLocation"], row.office.as_str());
        assert_eq!(user["givenName"], row.given_name.as_str());
        assert_eq!(user["surname"], row.surname.as_str());
    }
    let counters = world.emulator.counters();
    assert_eq!(counters.invitation_emails_sent, 0);
    assert_eq!(counters.during_retry_after, 0, "{counters:?}");
    assert!(
        counters.faults_injected > 0,
        "the fault knob did nothing: {counters:?}"
    );
    let hand_made_after: Vec<_> = hand_made_guests()
        .iter()
        .map(|g| world.users_with_mail(&g.mail))
        .collect();
    assert_eq!(
        hand_made_before, hand_made_after,
        "hand-made guests were touched"
    );

    let writes_before = world.emulator.counters().writes_total;
    let (second, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0);
    assert_eq!(
        second.counts.invites + second.counts.updates + second.counts.disables,
        0,
        "{:?}",
        second.counts
    );
    assert_eq!(
        world.emulator.counters().writes_total,
        writes_before,
        "the second cycle wrote to Graph"
    );
}

#[tokio::test]
async fn a_source_that_fails_half_way_or_turns_empty_disables_nobody() {
    let rows = good_rows(40);
    let mut world = World::start(quiet_knobs(), Vec::new(), &rows).await;
    let (_, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0);

    world.extra_env.push((
        "GUESTSYNC__SOURCE__QUERY".into(),
        "SELECT partner_id AS anchor, email FROM partners \
         WHERE abs(CASE WHEN rowid = 20 THEN -9223372036854775808 ELSE 1 END) > 0"
            .into(),
    ));
    let parts = world.parts().await;
    assert!(parts.engine.run_cycle("test").await.is_err());
    let runs = parts.store.run_list(1).await.unwrap();
    assert!(
        matches!(runs[0].outcome, Some(RunOutcome::Failed(_))),
        "{runs:?}"
    );
    world.extra_env.clear();

    world.set_rows(&[]).await;
    let (report, _) = world.sync_once().await;
    assert!(report.is_held());
    assert_eq!(report.held_disables, 40);
    let disabled = world.disabled_users();
    assert_eq!(disabled, 0);
}

/// 100 partners synced, then 10 of them gone from the source: the second run is held.
async fn ten_percent_dropped() -> (World, Vec<PartnerRow>, CycleReport) {
    let rows = good_rows(100);
    let world = World::start(quiet_knobs(), Vec::new(), &rows).await;
    world.sync_once().await;
    world.set_rows(&rows[..90]).await;
    let (report, _) = world.sync_once().await;
    assert!(report.is_held(), "{:?}", report.outcome);
    assert_eq!(report.held_disables, 10);
    (world, rows, report)
}

#[tokio::test]
async fn dropping_ten_percent_holds_the_run_until_approved() {
    let (world, rows, report) = ten_percent_dropped().await;
    for row in &rows[90..] {
        assert_eq!(world.users_with_mail(&row.email)[0]["accountEnabled"], true);
    }

    let parts = world.parts().await;
    parts
        .store
        .run_approve(report.run_id, chrono::Utc::now())
        .await
        .unwrap();
    let drained = parts
        .pool
        .drain(tokio_util::sync::CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(drained.dead(), 0);
    for row in &rows[90..] {
        assert_eq!(
            world.users_with_mail(&row.email)[0]["accountEnabled"],
            false,
            "{}",
            row.email
        );
    }
    for row in &rows[..90] {
        assert_eq!(world.users_with_mail(&row.email)[0]["accountEnabled"], true);
    }
}

/// A held run is not approvable once a newer cycle has planned from a fresher read: here the
/// rows come back, so approving the old run would disable ten people who are in the source.
#[tokio::test]
async fn a_held_run_is_superseded_by_the_next_cycle_and_cannot_be_approved() {
    let (world, rows, held) = ten_percent_dropped().await;
    world.set_rows(&rows).await;
    let (next, _) = world.sync_once().await;
    assert!(!next.is_held(), "{:?}", next.outcome);
    let parts = world.parts().await;
    let old = parts.store.run_get(held.run_id).await.unwrap();
    assert_eq!(old.superseded_by, Some(next.run_id), "{old:?}");
    assert!(parts.store.held_runs().await.unwrap().is_empty());
    let approve = parts
        .store
        .run_approve(held.run_id, chrono::Utc::now())
        .await;
    assert!(
        matches!(approve, Err(StoreError::RunSuperseded { by, .. }) if by == next.run_id),
        "{approve:?}"
    );
    let (again, drained) = world.sync_once().await;
    assert_eq!((again.counts.disables, drained.dead()), (0, 0));
    assert_eq!(
        world.disabled_users(),
        0,
        "a stale held disable was applied"
    );
}

#[tokio::test]
async fn bad_rows_are_rejected_or_held_with_reasons_and_obrien_is_invited() {
    let mut rows = good_rows(10);
    rows.extend(bad_rows());
    let world = World::start(quiet_knobs(), Vec::new(), &rows).await;
    let parts = world.parts().await;
    let preview = parts.engine.preview().await.unwrap();
    let reasons: Vec<String> = preview
        .snapshot
        .rejected
        .iter()
        .map(|r| r.reason.clone())
        .collect();
    assert_eq!(preview.snapshot.rejected.len(), 4, "{reasons:?}");
    assert!(reasons.iter().any(|r| r.contains("300")), "{reasons:?}");
    assert!(
        reasons.iter().any(|r| r.to_lowercase().contains("anchor")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("U+200B")), "{reasons:?}");
    assert_eq!(preview.snapshot.conflicts.len(), 2);

    let (report, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0);
    assert_eq!(report.counts.rejected, 4);
    assert_eq!(report.counts.held_conflicts, 2);
    let stored = parts.store.run_rejections(report.run_id).await.unwrap();
    assert_eq!(stored.len(), 4);
    assert_eq!(
        parts
            .store
            .run_conflicts(report.run_id)
            .await
            .unwrap()
            .len(),
        2
    );
    let obrien = world.users_with_mail("o'brien@partner.example");
    assert_eq!(obrien.len(), 1);
    assert_eq!(obrien[0]["displayName"], "Siobhán O'Brien");
    let counts = parts.store.item_counts().await.unwrap();
    assert_eq!(counts[&ItemState::Done], 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_answered_with_a_member_account_links_and_writes_nothing() {
    // notes/graph.md §1 "Existing guest / existing member": what Graph answers when the
    // address belongs to a member of the tenant is UNCONFIRMED; the emulator answers with the
    // member. The tenant read sees only guests, so guestsync invites; it must not take the
    // member for its guest (invariant 1). Guests' UPNs carry `#EXT#` (graph.md §2).
    let rows = good_rows(3);
    let mut member = SeedUser::guest(&rows[0].email);
    member.user_type = "Member".into();
    member.creation_type = None;
    let world = World::start(quiet_knobs(), vec![member], &rows).await;
    let before = world.users_with_mail(&rows[0].email);
    assert!(
        !before[0]["userPrincipalName"]
            .as_str()
            .unwrap()
            .contains("#EXT#")
    );
    let (report, drained) = world.sync_once().await;
    assert_eq!(report.counts.invites, 3, "{:?}", report.counts);
    assert_eq!(drained.dead(), 1, "{:?}", drained.counts);
    assert_eq!(
        world.users_with_mail(&rows[0].email),
        before,
        "the member was written to"
    );
    assert_eq!(
        world.emulator.counters().requests_by_route["PATCH /users/{id}"],
        2
    );
    let parts = world.parts().await;
    let anchor = rows[0].partner_id.clone().unwrap();
    assert!(
        parts.store.link_get(&anchor).await.unwrap().is_none(),
        "member linked"
    );
    let item = parts.store.item_get(&anchor).await.unwrap().unwrap();
    let error = item.last_error.unwrap();
    assert_eq!(error.code, "invited_user_not_external", "{error:?}");
    let (second, _) = world.sync_once().await;
    assert_eq!(
        second.counts.invites, 1,
        "still held by the dead item: {:?}",
        second.counts
    );
    assert_eq!(world.users_with_mail(&rows[0].email), before);
}

#[tokio::test]
async fn guests_invited_as_members_are_still_seen_as_owned() {
    let rows = good_rows(12);
    let mut world = World::start(quiet_knobs(), Vec::new(), &rows).await;
    world.extra_env.push((
        "GUESTSYNC__INVITE__INVITED_USER_TYPE".into(),
        "Member".into(),
    ));
    // No lag in this tenant: an owned guest missing from the tenant read is gone at once.
    world
        .extra_env
        .push(("GUESTSYNC__SYNC__REPLICATION_WINDOW".into(), "1ms".into()));
    let (first, drained) = world.sync_once().await;
    assert_eq!((first.counts.invites, drained.dead()), (12, 0));
    assert_eq!(
        world.users_with_mail(&rows[0].email)[0]["userType"],
        "Member"
    );
    let writes = world.emulator.counters().writes_total;
    let (second, _) = world.sync_once().await;
    assert_eq!(
        second.counts.reinvites + second.counts.invites + second.counts.updates,
        0,
        "{:?}",
        second.counts
    );
    assert_eq!(world.emulator.counters().writes_total, writes);
}
