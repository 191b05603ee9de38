//! Tests of the plan part: one scenario per planning rule (a table), the brake, and the
//! property tests of the planner's invariants (`props`).

// Test helpers outside `#[test]` functions may unwrap too (common rules: tests may unwrap).
#![allow(clippy::unwrap_used)]

mod lifecycle;
mod lifecycle_props;
mod lifecycle_restore;
mod props;
mod simulate;
mod simulate_lifecycle;

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use guestsync::identity::{Anchor, Attributes, Email, Identity, Property};
use guestsync::plan::{
    Action, BrakeDecision, ConflictReason, LinkState, ObservedGuest, Plan, PlanInput, PlanPolicy,
    plan,
};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap()
}

fn anchor(a: &str) -> Anchor {
    Anchor::parse(a).unwrap()
}

fn email(e: &str) -> Email {
    Email::parse(e).unwrap()
}

fn attrs(pairs: &[(Property, &str)]) -> Attributes {
    let mut a = Attributes::new();
    for (p, v) in pairs {
        a.set(*p, *v);
    }
    a
}

fn ident(a: &str, e: &str, pairs: &[(Property, &str)]) -> Identity {
    Identity {
        anchor: anchor(a),
        email: email(e),
        attributes: attrs(pairs),
        extras: Default::default(),
    }
}

fn guest(id: &str, mail: &str, pairs: &[(Property, &str)]) -> ObservedGuest {
    ObservedGuest {
        object_id: id.into(),
        mail: Some(mail.into()),
        other_mails: vec![],
        user_type: Some("Guest".into()),
        creation_type: Some("Invitation".into()),
        account_enabled: Some(true),
        external_user_state: Some("Accepted".into()),
        external_user_state_changed_at: None,
        attributes: attrs(pairs),
    }
}

/// A link last written (and invited) `ago` before [`now`].
fn link(a: &str, id: &str, e: &str, applied: &[(Property, &str)], ago: Duration) -> LinkState {
    LinkState {
        anchor: anchor(a),
        object_id: id.into(),
        email: email(e),
        disabled_by_us: false,
        last_applied: attrs(applied),
        last_applied_at: Some(now() - ago),
        invited_at: Some(now() - ago),
        lifecycle: Default::default(),
    }
}

fn input(desired: Vec<Identity>, observed: Vec<ObservedGuest>, links: Vec<LinkState>) -> PlanInput {
    PlanInput {
        desired,
        present_anchors: BTreeSet::new(),
        observed,
        links,
    }
}

fn no_brake() -> PlanPolicy {
    PlanPolicy {
        max_disables: u64::MAX,
        max_disable_percent: 100.0,
        ..PlanPolicy::default()
    }
}

const DN: Property = Property::DisplayName;
const JT: Property = Property::JobTitle;
const DEP: Property = Property::Department;
const E1: &str = "ann@partner.example";

fn old() -> Duration {
    Duration::minutes(10)
}

fn fresh() -> Duration {
    Duration::seconds(30)
}

/// What a scenario expects.
enum Want {
    /// Exactly these actions, no conflicts, nothing held.
    Items(Vec<Action>),
    /// One conflict, no action.
    Conflict(ConflictReason),
    /// No action, no conflict; this many anchors pending replication.
    Quiet { pending: u64 },
}

struct Case {
    name: &'static str,
    input: PlanInput,
    policy: PlanPolicy,
    want: Want,
}

fn case(name: &'static str, input: PlanInput, want: Want) -> Case {
    let policy = no_brake();
    Case {
        name,
        input,
        policy,
        want,
    }
}

fn check(case: &Case, plan: &Plan) -> Result<(), String> {
    let actions: Vec<&Action> = plan.items.iter().map(|p| &p.action).collect();
    let held = plan.held_disables.len();
    let ok = match &case.want {
        Want::Items(want) => {
            actions == want.iter().collect::<Vec<_>>() && plan.conflicts.is_empty() && held == 0
        }
        Want::Conflict(reason) => {
            actions.is_empty()
                && held == 0
                && plan.conflicts.len() == 1
                && plan.conflicts[0].reason == *reason
                && plan.counts.conflicts == 1
        }
        Want::Quiet { pending } => {
            actions.is_empty()
                && held == 0
                && plan.conflicts.is_empty()
                && plan.counts.pending_replication == *pending
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{}: got {plan:#?}", case.name))
    }
}

mod scenarios;

#[test]
fn every_rule_scenario_plans_as_expected() {
    let failures: Vec<String> = scenarios::all()
        .iter()
        .filter_map(|c| check(c, &plan(&c.input, &c.policy, now())).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

mod brake;
