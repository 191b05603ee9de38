//! Property tests of the planner's invariants over small random worlds: (1) applying a plan
//! and planning again yields no action (DESIGN.md invariant 4); (2) no action ever names a
//! guest that is neither linked nor matched by e-mail to a desired identity (invariant 1).

use proptest::prelude::*;

use super::*;

const N: usize = 6;
const VALUES: [&str; 3] = ["x", "y", "z"];

fn mail(i: usize, upper: bool) -> String {
    let m = format!("p{i}@partner.example");
    if upper { m.to_uppercase() } else { m }
}

fn attrs_strategy() -> impl Strategy<Value = Attributes> {
    (
        proptest::option::of(0..3usize),
        proptest::option::of(0..3usize),
    )
        .prop_map(|(d, j)| {
            let mut a = Attributes::new();
            if let Some(v) = d {
                a.set(DN, VALUES[v]);
            }
            if let Some(v) = j {
                a.set(JT, VALUES[v]);
            }
            a
        })
}

fn guest_strategy() -> impl Strategy<Value = ObservedGuest> {
    let mails = (
        proptest::option::of((0..N, any::<bool>())),
        proptest::collection::vec(0..N, 0..2),
    );
    let kind = (0..3u8, proptest::option::of(any::<bool>()));
    (mails, kind, attrs_strategy()).prop_map(|((m, others), (kind, enabled), attributes)| {
        let (user_type, creation_type) = match kind {
            0 => (Some("Guest"), Some("Invitation")),
            1 => (Some("Member"), Some("Invitation")),
            _ => (Some("Member"), None),
        };
        ObservedGuest {
            object_id: String::new(),
            mail: m.map(|(i, upper)| mail(i, upper)),
            other_mails: others.into_iter().map(|i| mail(i, false)).collect(),
            user_type: user_type.map(Into::into),
            creation_type: creation_type.map(Into::into),
            account_enabled: enabled,
            external_user_state: None,
            external_user_state_changed_at: None,
            attributes,
        }
    })
}

/// A link template: target guest index (≥ guest count = gone), e-mail index, disabled_by_us,
/// last applied attributes, seconds since the last write.
type LinkSeed = (usize, usize, bool, Attributes, i64);

fn link_strategy() -> impl Strategy<Value = Option<LinkSeed>> {
    proptest::option::of((0..N + 2, 0..N, any::<bool>(), attrs_strategy(), 0..600i64))
}

fn world_strategy() -> impl Strategy<Value = PlanInput> {
    let desired = proptest::collection::vec(proptest::option::of(attrs_strategy()), N);
    let emails = Just((0..N).collect::<Vec<_>>()).prop_shuffle();
    let guests = proptest::collection::vec(guest_strategy(), 0..N);
    let links = proptest::collection::vec(link_strategy(), N);
    let present = proptest::collection::vec(any::<bool>(), N);
    (desired, emails, guests, links, present).prop_map(build_world)
}

/// The raw draws of one world: desired attributes per anchor, e-mail permutation, guests,
/// link seeds per anchor, presence per anchor.
type WorldSeed = (
    Vec<Option<Attributes>>,
    Vec<usize>,
    Vec<ObservedGuest>,
    Vec<Option<LinkSeed>>,
    Vec<bool>,
);

fn build_world((desired, emails, mut guests, links, present): WorldSeed) -> PlanInput {
    for (i, g) in guests.iter_mut().enumerate() {
        g.object_id = format!("g{i}");
    }
    let id = |i: usize| format!("a{i}");
    let desired = desired.into_iter().enumerate().filter_map(|(i, a)| {
        a.map(|attributes| Identity {
            anchor: anchor(&id(i)),
            email: email(&mail(emails[i], false)),
            attributes,
            extras: Default::default(),
        })
    });
    let mut taken = BTreeSet::new();
    let links = links.into_iter().enumerate().filter_map(|(i, seed)| {
        let (target, e, disabled, applied, ago) = seed?;
        let object_id = if target < guests.len() && taken.insert(target) {
            format!("g{target}")
        } else {
            format!("gone{i}")
        };
        let mut l = link(
            &id(i),
            &object_id,
            &mail(e, false),
            &[],
            Duration::seconds(ago),
        );
        l.disabled_by_us = disabled;
        l.last_applied = applied;
        Some(l)
    });
    let present = present
        .into_iter()
        .enumerate()
        .filter(|(_, p)| *p)
        .map(|(i, _)| anchor(&id(i)));
    PlanInput {
        desired: desired.collect(),
        present_anchors: present.collect(),
        links: links.collect(),
        observed: guests,
    }
}

use super::simulate;

/// An e-mail change frees its old address; an identity held because another owned guest
/// carried that address is invited or adopted only by the next cycle. So after a plan with
/// e-mail changes, one more round is applied before the world must be quiet.
fn follow_up(world: &mut PlanInput, first: &Plan, lag: simulate::Lag) {
    let changed = first
        .items
        .iter()
        .any(|i| matches!(i.action, Action::ChangeEmail { .. }));
    if changed {
        let next = plan(world, &no_brake(), now());
        simulate::apply_with(
            world,
            next.items.iter().chain(&next.held_disables),
            now(),
            lag,
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn applying_a_plan_then_replanning_yields_no_action(world in world_strategy()) {
        let first = plan(&world, &no_brake(), now());
        let mut after = world.clone();
        simulate::apply(&mut after, first.items.iter().chain(&first.held_disables), now());
        follow_up(&mut after, &first, simulate::Lag::None);
        let second = plan(&after, &no_brake(), now());
        prop_assert!(second.items.is_empty(), "first: {:#?}\nsecond: {:#?}", first.items, second.items);
        prop_assert!(second.held_disables.is_empty());
    }

    #[test]
    fn once_the_window_has_passed_nothing_is_left_pending(world in world_strategy()) {
        let later = now() + PlanPolicy::default().replication_window + Duration::seconds(1);
        let mut after = world.clone();
        for at in [now(), later] {
            let p = plan(&after, &no_brake(), at);
            simulate::apply(&mut after, p.items.iter().chain(&p.held_disables), at);
        }
        let last = plan(&after, &no_brake(), later);
        prop_assert!(last.items.is_empty(), "{:#?}", last.items);
        prop_assert_eq!(last.counts.pending_replication, 0, "{:#?}", after);
    }

    #[test]
    fn our_writes_not_yet_replicated_cause_no_action(world in world_strategy()) {
        let first = plan(&world, &no_brake(), now());
        let mut after = world.clone();
        let items = first.items.iter().chain(&first.held_disables);
        simulate::apply_with(&mut after, items, now(), simulate::Lag::Replicating);
        follow_up(&mut after, &first, simulate::Lag::Replicating);
        let second = plan(&after, &no_brake(), now());
        prop_assert!(second.items.is_empty(), "first: {:#?}\nsecond: {:#?}", first.items, second.items);
    }

    #[test]
    fn guest_positions_from_the_caller_plan_the_same(world in world_strategy()) {
        // What the cycle hands over: per link, the last guest with its object id.
        let mut last = std::collections::BTreeMap::new();
        for (at, guest) in world.observed.iter().enumerate() {
            last.insert(guest.object_id.as_str(), at as u32);
        }
        let positions: Vec<u32> = world
            .links
            .iter()
            .map(|l| last.get(l.object_id.as_str()).copied().unwrap_or(u32::MAX))
            .collect();
        let policy = PlanPolicy::default();
        let given = guestsync::plan::plan_with_link_guests(&world, positions, &policy, now());
        prop_assert_eq!(given, plan(&world, &policy, now()));
    }

    #[test]
    fn no_action_names_an_unowned_unmatched_guest(world in world_strategy()) {
        let p = plan(&world, &PlanPolicy::default(), now());
        let allowed = simulate::owned_or_matched(&world);
        for item in p.items.iter().chain(&p.held_disables) {
            if let Some(target) = item.action.target_object_id() {
                prop_assert!(allowed.contains(target), "{item:?} names {target}");
            }
        }
    }
}
