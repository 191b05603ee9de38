//! The mass-change brake (DESIGN.md "The cycle" step 4): when one cycle's disables and deletes
//! together exceed the absolute or the relative threshold, none of them is queued; they wait for
//! an operator.

use serde::{Deserialize, Serialize};

use super::actions::{Action, PlannedAction};
use super::model::PlanPolicy;

/// Whether the cycle's disables and deletes may be queued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum BrakeDecision {
    /// Under both thresholds: disables and deletes are queued.
    Released,
    /// Over a threshold: disables wait for an operator.
    Held {
        /// How many disables and deletes the cycle planned.
        disables: u64,
        /// How many guests guestsync owns (links).
        owned: u64,
        /// Which threshold was exceeded, for people.
        reason: String,
    },
}

impl BrakeDecision {
    /// Whether the brake holds.
    pub fn is_held(&self) -> bool {
        matches!(self, BrakeDecision::Held { .. })
    }
}

/// Decides the brake for `disables` planned disables and deletes out of `owned` owned guests.
pub fn decide(disables: u64, owned: u64, policy: &PlanPolicy) -> BrakeDecision {
    if disables == 0 {
        return BrakeDecision::Released;
    }
    let percent = if owned == 0 {
        100.0
    } else {
        disables as f64 * 100.0 / owned as f64
    };
    let reason = if disables > policy.max_disables {
        format!(
            "{disables} disables and deletes exceed the limit of {}",
            policy.max_disables
        )
    } else if percent > policy.max_disable_percent {
        format!(
            "{disables} disables and deletes are {percent:.1} % of {owned} owned guests, over {} %",
            policy.max_disable_percent
        )
    } else {
        return BrakeDecision::Released;
    };
    BrakeDecision::Held {
        disables,
        owned,
        reason,
    }
}

/// Whether an action takes a guest away (a disable or a delete): what the brake counts.
pub fn is_removal(action: &Action) -> bool {
    matches!(
        action,
        Action::Disable { .. } | Action::Delete { .. } | Action::Expire { .. }
    )
}

/// Splits the planned actions: returns (items to queue, held disables and deletes, decision).
pub(crate) fn apply(
    items: Vec<PlannedAction>,
    owned: u64,
    policy: &PlanPolicy,
) -> (Vec<PlannedAction>, Vec<PlannedAction>, BrakeDecision) {
    let removal = |p: &PlannedAction| is_removal(&p.action);
    let disables = items.iter().filter(|p| removal(p)).count() as u64;
    let decision = decide(disables, owned, policy);
    if !decision.is_held() {
        return (items, Vec::new(), decision);
    }
    let (held, queued) = items.into_iter().partition(removal);
    (queued, held, decision)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_strictly_greater() {
        let policy = PlanPolicy::default();
        assert_eq!(decide(0, 0, &policy), BrakeDecision::Released);
        assert_eq!(decide(5, 100, &policy), BrakeDecision::Released);
        assert!(decide(6, 100, &policy).is_held());
        assert_eq!(decide(500, 100_000, &policy), BrakeDecision::Released);
        assert!(decide(501, 100_000, &policy).is_held());
    }
}
