//! The housekeeping rules of the planner, continued: restore of a guest guestsync deleted
//! (within 30 days; never for an expired guest), e-mail changes (reset of redemption for
//! invited guests), and the brake over disables, expiries and deletes together.

use guestsync::plan::{ExpireAction, LifecyclePolicy, LinkLifecycle};

use super::lifecycle::{actions, days, expiring, owned, pending, policy};
use super::*;

fn deleted(ago: Duration, expired: bool) -> LinkState {
    owned(
        days(90),
        LinkLifecycle {
            deleted_at: Some(now() - ago),
            expired_at: expired.then(|| now() - ago),
            ..LinkLifecycle::default()
        },
    )
}

#[test]
fn a_deleted_guest_coming_back_within_30_days_is_restored_not_invited() {
    let desired = vec![ident("a1", E1, &[(DN, "Ann"), (JT, "Eng")])];
    let world = |ago| input(desired.clone(), vec![], vec![deleted(ago, false)]);
    let p = policy(LifecyclePolicy::default());
    assert_eq!(
        actions(&world(days(29)), &p),
        vec![Action::Restore {
            object_id: "g1".into(),
            email: email(E1),
            attributes: attrs(&[(DN, "Ann"), (JT, "Eng")]),
        }]
    );
    assert_eq!(
        actions(&world(days(30)), &p),
        vec![Action::Invite {
            email: email(E1),
            attributes: attrs(&[(DN, "Ann"), (JT, "Eng")]),
        }],
        "gone for good after 30 days"
    );
    let out = input(vec![], vec![], vec![deleted(days(1), false)]);
    assert_eq!(actions(&out, &p), vec![], "out of scope: left deleted");
    let expired = input(desired.clone(), vec![], vec![deleted(days(1), true)]);
    assert_eq!(
        actions(&expired, &p),
        vec![],
        "an expired guest is not restored"
    );
}

#[test]
fn deleted_links_do_not_count_as_owned_guests_for_the_brake() {
    let mut gone = deleted(days(1), false);
    gone.anchor = anchor("gone");
    gone.object_id = "g0".into();
    let links = vec![owned(days(1), LinkLifecycle::default()), gone];
    let world = input(vec![], vec![guest("g1", E1, &[])], links);
    let p = plan(&world, &PlanPolicy::default(), now());
    assert!(
        matches!(
            p.brake,
            BrakeDecision::Held {
                disables: 1,
                owned: 1,
                ..
            }
        ),
        "{:?}",
        p.brake
    );
}

#[test]
fn an_e_mail_change_resets_redemption_for_invited_guests_only() {
    let desired = vec![ident(
        "a1",
        "new@partner.example",
        &[(DN, "Ann"), (JT, "Eng")],
    )];
    let change = |reset| Action::ChangeEmail {
        object_id: "g1".into(),
        email: email("new@partner.example"),
        changes: attrs(&[(JT, "Eng")]),
        reset_redemption: reset,
        enable: false,
    };
    let world = |g: ObservedGuest| {
        input(
            desired.clone(),
            vec![g],
            vec![owned(days(1), LinkLifecycle::default())],
        )
    };
    let p = policy(LifecyclePolicy::default());
    assert_eq!(
        actions(&world(guest("g1", E1, &[(DN, "Ann")])), &p),
        vec![change(true)]
    );
    assert_eq!(
        actions(&world(pending("g1", E1, days(1))), &p),
        vec![change(true)]
    );
    let mut uninvited = guest("g1", E1, &[(DN, "Ann")]);
    uninvited.external_user_state = None;
    assert_eq!(actions(&world(uninvited), &p), vec![change(false)]);
}

#[test]
fn expiries_and_deletes_are_held_by_the_brake_with_the_disables() {
    let n = 4;
    let id = |i: usize| format!("a{i}");
    let mail = |i: usize| format!("u{i}@partner.example");
    let desired = (0..n).map(|i| ident(&id(i), &mail(i), &[])).collect();
    let observed = (0..n)
        .map(|i| ObservedGuest {
            object_id: format!("g{i}"),
            ..pending("x", &mail(i), days(40))
        })
        .collect();
    let links = (0..n)
        .map(|i| link(&id(i), &format!("g{i}"), &mail(i), &[], days(40)))
        .collect();
    let world = input(desired, observed, links);
    let p = PlanPolicy {
        max_disables: 3,
        max_disable_percent: 100.0,
        lifecycle: expiring(ExpireAction::Delete),
        ..PlanPolicy::default()
    };
    let held = plan(&world, &p, now());
    assert!(held.brake.is_held(), "{:?}", held.brake);
    assert_eq!(held.held_disables.len(), n);
    assert!(held.items.is_empty());
    assert_eq!(held.counts.deletes, n as u64);
}
