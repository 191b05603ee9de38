//! The readiness entries about replicas: `leader` names this replica and says whether it leads
//! (informational: it never fails), and a follower's `last_cycle` passes with a note, since
//! cycles run on the leader.

use super::ready::{Check, Status};
use super::state::HealthState;
use crate::replicas::Role;

/// The `leader` entry: always `ok`; the detail names this replica and its role.
pub(super) fn leader_check(health: &HealthState) -> Check {
    let detail = match health.replica() {
        None => "no leader election runs in this process".to_string(),
        Some(status) => {
            let role = match status.role {
                Role::Starting => "starting".to_string(),
                Role::Leader { epoch } => format!("leader (epoch {epoch})"),
                Role::Follower { leader: Some(l) } => format!("follower of replica {l}"),
                Role::Follower { leader: None } => "follower".to_string(),
            };
            format!("replica {}: {role}", status.replica)
        }
    };
    Check {
        name: "leader",
        status: Status::Ok,
        detail: Some(detail),
    }
}

/// For a replica that does not lead: a passing `last_cycle` entry saying so. `None` when this
/// replica leads or no election runs (its own cycles are then checked).
pub(super) fn cycles_elsewhere(health: &HealthState) -> Option<Check> {
    let status = health.replica()?;
    if status.is_leader() {
        return None;
    }
    Some(Check {
        name: "last_cycle",
        status: Status::Ok,
        detail: Some("cycles run on the leader".to_string()),
    })
}
