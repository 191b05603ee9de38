//! The brake: disables over the count or percentage threshold are held; the rest goes ahead.

use super::*;

/// `n` owned guests `a000…`, of which the first `out` have left the source, plus one new
/// identity to invite.
fn world(n: usize, out: usize) -> PlanInput {
    let id = |i: usize| format!("a{i:03}");
    let mail = |i: usize| format!("u{i}@partner.example");
    let mut desired: Vec<Identity> = (out..n).map(|i| ident(&id(i), &mail(i), &[])).collect();
    desired.push(ident("new", "new@partner.example", &[]));
    let observed = (0..n)
        .map(|i| guest(&format!("g{i}"), &mail(i), &[]))
        .collect();
    let links = (0..n)
        .map(|i| link(&id(i), &format!("g{i}"), &mail(i), &[], old()))
        .collect();
    input(desired, observed, links)
}

fn assert_held(p: &Plan, disables: u64, owned: u64) {
    assert!(
        matches!(p.brake, BrakeDecision::Held { disables: d, owned: o, .. } if d == disables && o == owned),
        "{:?}",
        p.brake
    );
    assert_eq!(p.held_disables.len() as u64, disables);
    assert!(
        p.held_disables
            .iter()
            .all(|h| matches!(h.action, Action::Disable { .. }))
    );
    assert!(
        p.items
            .iter()
            .all(|i| !matches!(i.action, Action::Disable { .. }))
    );
    assert_eq!(p.counts.disables, disables);
    assert_eq!(p.counts.invites, 1);
    assert_eq!(p.items.len(), 1, "the invite goes ahead");
}

#[test]
fn brake_holds_by_count() {
    let policy = PlanPolicy {
        max_disables: 2,
        max_disable_percent: 100.0,
        ..PlanPolicy::default()
    };
    assert_held(&plan(&world(4, 3), &policy, now()), 3, 4);
    let released = plan(&world(4, 2), &policy, now());
    assert_eq!(released.brake, BrakeDecision::Released);
    assert_eq!(released.items.len(), 3);
    assert!(released.held_disables.is_empty());
}

#[test]
fn brake_holds_by_percent() {
    let policy = PlanPolicy::default();
    assert_held(&plan(&world(100, 6), &policy, now()), 6, 100);
    let released = plan(&world(100, 5), &policy, now());
    assert_eq!(released.brake, BrakeDecision::Released);
    assert_eq!(released.counts.disables, 5);
}

#[test]
fn an_empty_source_holds_every_disable() {
    let mut empty = world(10, 10);
    empty.desired.clear();
    let p = plan(&empty, &PlanPolicy::default(), now());
    assert!(p.brake.is_held());
    assert_eq!(p.held_disables.len(), 10);
    assert!(p.items.is_empty());
}

#[test]
fn items_are_in_anchor_order_and_hashes_are_stable() {
    let w = world(50, 2);
    let a = plan(&w, &PlanPolicy::default(), now());
    let b = plan(&w, &PlanPolicy::default(), now());
    assert_eq!(a, b);
    let anchors: Vec<_> = a.items.iter().map(|i| i.anchor.clone()).collect();
    let mut sorted = anchors.clone();
    sorted.sort();
    assert_eq!(anchors, sorted);
    assert_eq!(a.items.len(), 3);
    assert_ne!(a.items[0].desired_hash, a.items[1].desired_hash);
}

#[test]
fn action_round_trips_as_tagged_json() {
    let action = Action::Update {
        object_id: "g1".into(),
        changes: attrs(&[(DN, "Ann")]),
    };
    let json = serde_json::to_value(&action).unwrap();
    assert_eq!(json["kind"], "update");
    assert_eq!(json["changes"]["displayName"], "Ann");
    assert_eq!(action.kind_name(), "update");
    assert_eq!(serde_json::from_value::<Action>(json).unwrap(), action);
}
