//! Property tests of the housekeeping rules over random worlds of owned guests (pending or
//! accepted, enabled or disabled, deleted or not, in scope or not) and random policies:
//! renewals respect age and `max_reinvites`, deletes only hit what the rules allow, an
//! expired guest is never enabled, and a plan applied then planned again yields no action.

use guestsync::plan::{ExpireAction, LifecyclePolicy, LinkLifecycle};
use proptest::prelude::*;

use super::*;

/// One owned guest: (pending, enabled, disabled_by_us, changed days ago, reinvites,
/// reinvited days ago, disabled days ago, deleted days ago, expired, in scope).
type Seed = (
    (bool, bool, bool, i64),
    (u32, Option<i64>, i64),
    (Option<i64>, bool, bool),
);

fn seed() -> impl Strategy<Value = Seed> {
    (
        (any::<bool>(), any::<bool>(), any::<bool>(), 0..70i64),
        (0..4u32, proptest::option::of(0..40i64), 0..70i64),
        (proptest::option::of(0..45i64), any::<bool>(), any::<bool>()),
    )
}

fn policy() -> impl Strategy<Value = LifecyclePolicy> {
    let day = |r: std::ops::Range<i64>| proptest::option::of(r.prop_map(Duration::days));
    (day(1..20), 0..4u32, day(20..60), any::<bool>(), day(1..40)).prop_map(
        |(reinvite, max_reinvites, expire, delete, delete_after)| LifecyclePolicy {
            reinvite_pending_after: reinvite,
            max_reinvites,
            expire_pending_after: expire,
            expire_action: if delete {
                ExpireAction::Delete
            } else {
                ExpireAction::Disable
            },
            delete_after,
        },
    )
}

fn world(seeds: Vec<Seed>) -> PlanInput {
    let mut w = input(vec![], vec![], vec![]);
    for (
        i,
        (
            (pending, enabled, by_us, changed),
            (reinvites, reinvited, disabled),
            (deleted, expired, in_scope),
        ),
    ) in seeds.into_iter().enumerate()
    {
        let (a, id, mail) = (
            format!("a{i}"),
            format!("g{i}"),
            format!("u{i}@partner.example"),
        );
        if in_scope {
            w.desired.push(ident(&a, &mail, &[]));
        }
        let deleted_at = deleted.map(|d| now() - Duration::days(d));
        if deleted_at.is_none() {
            let mut g = guest(&id, &mail, &[]);
            g.account_enabled = Some(enabled || !by_us);
            g.external_user_state = Some(
                if pending {
                    "PendingAcceptance"
                } else {
                    "Accepted"
                }
                .into(),
            );
            g.external_user_state_changed_at = Some(now() - Duration::days(changed));
            w.observed.push(g);
        }
        let mut l = link(&a, &id, &mail, &[], Duration::days(changed));
        l.disabled_by_us = by_us && !enabled;
        l.lifecycle = LinkLifecycle {
            reinvites,
            reinvited_at: reinvited.map(|d| now() - Duration::days(d)),
            disabled_at: l.disabled_by_us.then(|| now() - Duration::days(disabled)),
            deleted_at,
            expired_at: (expired && (deleted_at.is_some() || l.disabled_by_us)).then(now),
        };
        w.links.push(l);
    }
    w
}

fn guest_of<'a>(w: &'a PlanInput, object_id: &str) -> Option<&'a ObservedGuest> {
    w.observed.iter().find(|g| g.object_id == object_id)
}

fn link_of<'a>(w: &'a PlanInput, object_id: &str) -> &'a LinkState {
    w.links.iter().find(|l| l.object_id == object_id).unwrap()
}

fn is_pending(g: &ObservedGuest) -> bool {
    g.external_user_state.as_deref() == Some("PendingAcceptance")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn housekeeping_follows_its_rules(seeds in proptest::collection::vec(seed(), 1..8), lifecycle in policy()) {
        let w = world(seeds);
        let p = plan(&w, &PlanPolicy { lifecycle: lifecycle.clone(), ..no_brake() }, now());
        for item in p.items.iter().chain(&p.held_disables) {
            match &item.action {
                Action::Renew { object_id, round, .. } => {
                    let (g, l) = (guest_of(&w, object_id).unwrap(), link_of(&w, object_id));
                    prop_assert!(is_pending(g));
                    prop_assert!(l.lifecycle.reinvites < lifecycle.max_reinvites);
                    prop_assert_eq!(*round, l.lifecycle.reinvites + 1);
                    let last = l.lifecycle.reinvited_at.or(l.invited_at).unwrap();
                    prop_assert!(now() - last >= lifecycle.reinvite_pending_after.unwrap());
                }
                Action::Delete { object_id } => {
                    let (g, l) = (guest_of(&w, object_id).unwrap(), link_of(&w, object_id));
                    prop_assert!(l.disabled_by_us && g.account_enabled == Some(false));
                    let at = l.lifecycle.disabled_at.unwrap();
                    prop_assert!(now() - at >= lifecycle.delete_after.unwrap());
                }
                Action::Expire { object_id, delete } => {
                    prop_assert!(is_pending(guest_of(&w, object_id).unwrap()));
                    prop_assert!(link_of(&w, object_id).lifecycle.expired_at.is_none());
                    prop_assert_eq!(*delete, lifecycle.expire_action == ExpireAction::Delete);
                }
                Action::Enable { object_id, .. } => {
                    prop_assert!(link_of(&w, object_id).lifecycle.expired_at.is_none());
                }
                Action::Restore { object_id, .. } => {
                    let l = link_of(&w, object_id);
                    prop_assert!(l.lifecycle.expired_at.is_none());
                    prop_assert!(now() - l.lifecycle.deleted_at.unwrap() < Duration::days(30));
                }
                _ => {}
            }
        }
    }

    /// Converges within two cycles: an enable comes first, and a renewal of that guest, if
    /// due, follows in the next cycle (one action per anchor and cycle).
    #[test]
    fn housekeeping_converges(seeds in proptest::collection::vec(seed(), 1..8), lifecycle in policy()) {
        let policy = PlanPolicy { lifecycle, ..no_brake() };
        let mut w = world(seeds);
        let first = plan(&w, &policy, now());
        simulate::apply(&mut w, first.items.iter().chain(&first.held_disables), now());
        let second = plan(&w, &policy, now());
        let enabled: BTreeSet<&Anchor> = first
            .items
            .iter()
            .filter(|i| matches!(i.action, Action::Enable { .. }))
            .map(|i| &i.anchor)
            .collect();
        for item in &second.items {
            let renewal_after_enable =
                matches!(item.action, Action::Renew { .. }) && enabled.contains(&item.anchor);
            prop_assert!(renewal_after_enable, "first: {:#?}\nsecond: {:#?}", first.items, second.items);
        }
        simulate::apply(&mut w, second.items.iter(), now());
        let third = plan(&w, &policy, now());
        prop_assert!(third.items.is_empty(), "{:#?}", third.items);
        prop_assert!(third.held_disables.is_empty());
    }
}
