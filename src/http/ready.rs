//! The readiness checks behind `GET /health/ready`: state store reachable, last cycle recent
//! and not failed, token obtainable, no run held for an operator, no long Graph pause, not
//! quarantined and not paused ([`super::ready_control`]). Each
//! check is bounded in time; the answer lists every check and an overall status.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;

use super::state::{CycleOutcome, HealthState};
use super::token_probe::TokenProbe;
use crate::clock::Clock;
use crate::graph::Throttle;
use crate::store::Store;

/// A Graph pause longer than this makes the daemon not ready.
pub const MAX_PAUSE: Duration = Duration::from_secs(300);
/// How long a store check may take.
const STORE_TIMEOUT: Duration = Duration::from_secs(5);

/// Pass or fail, for one check and overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The check passed (overall: every check passed).
    Ok,
    /// The check failed (overall: at least one failed).
    Fail,
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// The check's name (`store`, `last_cycle`, `token`, `held_runs`, `throttle`, `leader`,
    /// `quarantine`, `paused`).
    pub name: &'static str,
    /// Its result.
    pub status: Status,
    /// Why it failed, or a short note; never a secret, address or anchor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// The readiness answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Readiness {
    /// `ok` when every check passed.
    pub status: Status,
    /// One entry per check.
    pub checks: Vec<Check>,
}

impl Readiness {
    /// Whether every check passed.
    pub fn is_ready(&self) -> bool {
        self.status == Status::Ok
    }
}

/// What the readiness checks look at.
#[derive(Debug)]
pub struct Probes {
    /// The state store.
    pub store: Arc<dyn Store>,
    /// The Graph throttle (for the pause in force).
    pub throttle: Arc<Throttle>,
    /// The wall clock (for the age of the last cycle).
    pub clock: Arc<dyn Clock>,
    /// `sync.interval`; the last cycle must be younger than three of them.
    pub interval: Duration,
    /// The daemon's cycle history.
    pub health: HealthState,
    /// The rate-limited token check.
    pub token: TokenProbe,
}

impl Probes {
    /// Runs every check (concurrently, each bounded in time).
    pub async fn readiness(&self) -> Readiness {
        let (store, token, held, throttle, control) = tokio::join!(
            self.store_check(),
            self.token.check(),
            self.held_check(),
            self.throttle_check(),
            super::ready_control::control_checks(&*self.store),
        );
        let mut checks = vec![
            store,
            self.cycle_check(),
            check("token", token),
            held,
            throttle,
            super::leader_check::leader_check(&self.health),
        ];
        checks.extend(control);
        let status = if checks.iter().all(|c| c.status == Status::Ok) {
            Status::Ok
        } else {
            Status::Fail
        };
        Readiness { status, checks }
    }

    async fn store_check(&self) -> Check {
        let answer = match tokio::time::timeout(STORE_TIMEOUT, self.store.ping()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err("the state store did not answer in time".to_string()),
        };
        check("store", answer)
    }

    fn cycle_check(&self) -> Check {
        if let Some(note) = super::leader_check::cycles_elsewhere(&self.health) {
            return note;
        }
        let answer = match self.health.last_cycle() {
            None => Err("no cycle has finished yet".to_string()),
            Some(mark) if mark.outcome == CycleOutcome::Failed => {
                Err("the last cycle failed".to_string())
            }
            Some(mark) => {
                let age = (self.clock.now() - mark.finished_at)
                    .to_std()
                    .unwrap_or_default();
                if age > self.interval.saturating_mul(3) {
                    Err(format!("the last cycle finished {}s ago", age.as_secs()))
                } else {
                    Ok(())
                }
            }
        };
        check("last_cycle", answer)
    }

    async fn held_check(&self) -> Check {
        let answer = match tokio::time::timeout(STORE_TIMEOUT, self.store.held_runs()).await {
            Ok(Ok(held)) if held.is_empty() => Ok(()),
            Ok(Ok(held)) => {
                let ids: Vec<String> = held.iter().map(|r| r.id.to_string()).collect();
                Err(format!("held for an operator: run {}", ids.join(", ")))
            }
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err("the state store did not answer in time".to_string()),
        };
        check("held_runs", answer)
    }

    /// Bounded like the store checks: with replicas the pause is kept in the state store.
    async fn throttle_check(&self) -> Check {
        let answer = match tokio::time::timeout(STORE_TIMEOUT, pause_left(&self.throttle)).await {
            Ok(left) if left > MAX_PAUSE => {
                Err(format!("Graph asked to pause for {}s more", left.as_secs()))
            }
            Ok(_) => Ok(()),
            Err(_) => Err("the shared Graph throttle did not answer in time".to_string()),
        };
        check("throttle", answer)
    }
}

/// The time left of the Graph pause in force (zero when not paused).
pub async fn pause_left(throttle: &Throttle) -> Duration {
    throttle
        .paused_until()
        .await
        .map(|until| until.saturating_duration_since(tokio::time::Instant::now()))
        .unwrap_or_default()
}

fn check(name: &'static str, answer: Result<(), String>) -> Check {
    match answer {
        Ok(()) => Check {
            name,
            status: Status::Ok,
            detail: None,
        },
        Err(detail) => Check {
            name,
            status: Status::Fail,
            detail: Some(detail),
        },
    }
}
