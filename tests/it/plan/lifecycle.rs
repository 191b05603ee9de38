//! The housekeeping rules of the planner (issue 4 item 4): one scenario per rule — renewal of
//! pending invitations (age, `max_reinvites`), expiry (disable or delete), deletion after
//! `delete_after`. Restore, e-mail changes and the brake are in `lifecycle_restore`.

use guestsync::plan::{ExpireAction, LifecyclePolicy, LinkLifecycle};

use super::*;

pub(super) fn days(n: i64) -> Duration {
    Duration::days(n)
}

/// A guest still pending acceptance since `changed` before [`now`].
pub(super) fn pending(id: &str, mail: &str, changed: Duration) -> ObservedGuest {
    ObservedGuest {
        external_user_state: Some("PendingAcceptance".into()),
        external_user_state_changed_at: Some(now() - changed),
        ..guest(id, mail, &[(DN, "Ann")])
    }
}

/// A link invited (and last written) `ago` before [`now`], with `lifecycle`.
pub(super) fn owned(ago: Duration, lifecycle: LinkLifecycle) -> LinkState {
    LinkState {
        lifecycle,
        ..link("a1", "g1", E1, &[(DN, "Ann")], ago)
    }
}

pub(super) fn me() -> Vec<Identity> {
    vec![ident("a1", E1, &[(DN, "Ann")])]
}

pub(super) fn policy(lifecycle: LifecyclePolicy) -> PlanPolicy {
    PlanPolicy {
        lifecycle,
        ..no_brake()
    }
}

pub(super) fn renewing() -> LifecyclePolicy {
    LifecyclePolicy {
        reinvite_pending_after: Some(days(7)),
        max_reinvites: 2,
        ..LifecyclePolicy::default()
    }
}

pub(super) fn expiring(action: ExpireAction) -> LifecyclePolicy {
    LifecyclePolicy {
        expire_pending_after: Some(days(30)),
        expire_action: action,
        delete_after: Some(days(10)),
        ..renewing()
    }
}

pub(super) fn actions(input: &PlanInput, policy: &PlanPolicy) -> Vec<Action> {
    let p = plan(input, policy, now());
    assert!(p.conflicts.is_empty(), "{:?}", p.conflicts);
    p.items.into_iter().map(|i| i.action).collect()
}

fn renew(round: u32) -> Action {
    Action::Renew {
        object_id: "g1".into(),
        email: email(E1),
        round,
    }
}

#[test]
fn a_pending_guest_is_renewed_after_the_age_and_at_most_max_reinvites_times() {
    let p = policy(renewing());
    let world = |changed, lifecycle| {
        input(
            me(),
            vec![pending("g1", E1, changed)],
            vec![owned(changed, lifecycle)],
        )
    };
    let none = LinkLifecycle::default();
    assert_eq!(actions(&world(days(6), none.clone()), &p), vec![]);
    assert_eq!(actions(&world(days(7), none.clone()), &p), vec![renew(1)]);
    let once = |ago| LinkLifecycle {
        reinvites: 1,
        reinvited_at: Some(now() - ago),
        ..LinkLifecycle::default()
    };
    assert_eq!(actions(&world(days(20), once(days(3))), &p), vec![]);
    assert_eq!(actions(&world(days(20), once(days(8))), &p), vec![renew(2)]);
    let twice = LinkLifecycle {
        reinvites: 2,
        reinvited_at: Some(now() - days(8)),
        ..LinkLifecycle::default()
    };
    assert_eq!(
        actions(&world(days(20), twice), &p),
        vec![],
        "max_reinvites reached"
    );
    assert_eq!(
        actions(&world(days(20), none), &policy(LifecyclePolicy::default())),
        vec![],
        "renewal is off by default"
    );
}

#[test]
fn an_accepted_guest_is_never_renewed_or_expired() {
    let accepted = guest("g1", E1, &[(DN, "Ann")]);
    let world = input(
        me(),
        vec![accepted],
        vec![owned(days(90), LinkLifecycle::default())],
    );
    assert_eq!(
        actions(&world, &policy(expiring(ExpireAction::Delete))),
        vec![]
    );
}

#[test]
fn a_guest_pending_too_long_expires_by_disable_or_delete() {
    let world = input(
        me(),
        vec![pending("g1", E1, days(31))],
        vec![owned(days(31), LinkLifecycle::default())],
    );
    let expire = |delete| Action::Expire {
        object_id: "g1".into(),
        delete,
    };
    assert_eq!(
        actions(&world, &policy(expiring(ExpireAction::Disable))),
        vec![expire(false)]
    );
    assert_eq!(
        actions(&world, &policy(expiring(ExpireAction::Delete))),
        vec![expire(true)]
    );
    let p = plan(&world, &policy(expiring(ExpireAction::Delete)), now());
    assert_eq!((p.counts.deletes, p.counts.disables), (1, 0));
}

#[test]
fn pending_since_is_the_earlier_of_the_tenant_change_and_the_first_invitation() {
    // The tenant's change time moved (a re-invitation may move it); the first invitation is old.
    let world = input(
        me(),
        vec![pending("g1", E1, days(1))],
        vec![owned(days(31), LinkLifecycle::default())],
    );
    let got = actions(&world, &policy(expiring(ExpireAction::Disable)));
    assert!(
        matches!(got.as_slice(), [Action::Expire { delete: false, .. }]),
        "{got:?}"
    );
}

#[test]
fn an_expired_guest_is_not_enabled_and_is_deleted_after_delete_after() {
    let expired = |disabled_ago| LinkState {
        disabled_by_us: true,
        ..owned(
            days(60),
            LinkLifecycle {
                disabled_at: Some(now() - disabled_ago),
                expired_at: Some(now() - disabled_ago),
                ..LinkLifecycle::default()
            },
        )
    };
    let mut g = pending("g1", E1, days(60));
    g.account_enabled = Some(false);
    let world = |ago| input(me(), vec![g.clone()], vec![expired(ago)]);
    let p = policy(expiring(ExpireAction::Disable));
    assert_eq!(
        actions(&world(days(9)), &p),
        vec![],
        "no enable, no renewal"
    );
    let delete = Action::Delete {
        object_id: "g1".into(),
    };
    assert_eq!(actions(&world(days(10)), &p), vec![delete]);
    let never = policy(LifecyclePolicy {
        delete_after: None,
        ..expiring(ExpireAction::Disable)
    });
    assert_eq!(actions(&world(days(400)), &never), vec![]);
}

#[test]
fn a_guest_disabled_out_of_scope_is_deleted_after_delete_after_only() {
    let disabled = |ago, by_us| LinkState {
        disabled_by_us: by_us,
        ..owned(
            days(100),
            LinkLifecycle {
                disabled_at: by_us.then(|| now() - ago),
                ..LinkLifecycle::default()
            },
        )
    };
    let mut g = guest("g1", E1, &[]);
    g.account_enabled = Some(false);
    let world = |ago, by_us| input(vec![], vec![g.clone()], vec![disabled(ago, by_us)]);
    let p = policy(expiring(ExpireAction::Disable));
    let delete = Action::Delete {
        object_id: "g1".into(),
    };
    assert_eq!(actions(&world(days(9), true), &p), vec![]);
    assert_eq!(actions(&world(days(10), true), &p), vec![delete]);
    assert_eq!(
        actions(&world(days(50), false), &p),
        vec![],
        "not disabled by guestsync"
    );
    let default = policy(LifecyclePolicy::default());
    assert_eq!(
        actions(&world(days(500), true), &default),
        vec![],
        "never by default"
    );
}
