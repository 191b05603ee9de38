//! The pure quarantine decision: which failures count as a tenant-wide permanent cause, and
//! whether a cycle's tally of Graph call outcomes says "most calls failed with one cause".
//! No I/O and no clock: `now` is a parameter.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::graph::{ErrorClass, GraphError};
use crate::store::{ItemError, QuarantineRecord};

/// A permanent, tenant-wide cause of failure: a stable key and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// Bounded and stable: `credential` (the token endpoint refused the app, or Graph answered
    /// 401 after a fresh token) or `forbidden:{code}` (403 with Graph's `error.code`).
    pub key: String,
    /// The first message seen with this cause (Graph's `error.message`; never a secret).
    pub message: String,
}

/// The thresholds of the decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuarantinePolicy {
    /// Share of the cycle's calls (0..=1) that must fail with the one cause; "most" is 0.5,
    /// and the share must be strictly above it.
    pub error_ratio: f64,
    /// Failures with the one cause needed before the ratio is considered, so one odd 403 on
    /// a quiet cycle does not stop everything.
    pub min_failures: u64,
    /// Time between two probes while quarantined.
    pub retry_every: Duration,
}

impl Default for QuarantinePolicy {
    fn default() -> Self {
        Self {
            error_ratio: 0.5,
            min_failures: 3,
            retry_every: Duration::from_secs(3600),
        }
    }
}

/// Outcomes of the Graph calls of one cycle (a call is one logical request after retries).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Every finished call.
    pub calls: u64,
    /// Failures per permanent cause key, with the first message seen.
    pub causes: BTreeMap<String, (u64, String)>,
    /// The cycle's tenant read failed with this cause: nothing else could run, so the cause
    /// decides on its own.
    pub read_failed: Option<Cause>,
}

impl Tally {
    /// Counts one finished call.
    pub fn record(&mut self, result: Result<(), &GraphError>) {
        self.calls += 1;
        if let Err(error) = result
            && let Some(cause) = cause_of(error)
        {
            let entry = self.causes.entry(cause.key).or_insert((0, cause.message));
            entry.0 += 1;
        }
    }
}

/// The permanent, tenant-wide cause of `error`, if it is one. Decided on the class, status
/// and `error.code`, never on the message. Throttling, 5xx, 404 and 400s are not causes:
/// they are transient or belong to one item.
pub fn cause_of(error: &GraphError) -> Option<Cause> {
    let key = match (error.class, error.status) {
        (ErrorClass::Unauthorised, _) => "credential".to_string(),
        (ErrorClass::Permanent, Some(403)) => {
            format!("forbidden:{}", error.code.as_deref().unwrap_or("unknown"))
        }
        _ => return None,
    };
    Some(Cause {
        key,
        message: error.message.clone(),
    })
}

/// Whether a stored item failure was caused by the quarantine cause `key` (so the item is
/// revived when the quarantine is lifted): `credential` matches the `unauthorised` class,
/// `forbidden:{code}` a 403 with that code.
pub fn item_failed_with(error: &ItemError, key: &str) -> bool {
    match key.strip_prefix("forbidden:") {
        Some(code) => error.status == Some(403) && error.code == code,
        None => key == "credential" && error.class == ErrorClass::Unauthorised.as_str(),
    }
}

/// Whether the tally calls for quarantine, and with which cause.
pub fn decide(tally: &Tally, policy: &QuarantinePolicy) -> Option<Cause> {
    if let Some(cause) = &tally.read_failed {
        return Some(cause.clone());
    }
    let (key, (failures, message)) = tally.causes.iter().max_by_key(|(_, (n, _))| *n)?;
    let share = *failures as f64 / tally.calls.max(1) as f64;
    (*failures >= policy.min_failures && share > policy.error_ratio).then(|| Cause {
        key: key.clone(),
        message: message.clone(),
    })
}

/// The quarantine to record when `cause` is found at `now`: a fresh one, or the one in force
/// after a failed probe (same start, one more probe).
pub fn enter(
    current: Option<&QuarantineRecord>,
    cause: &Cause,
    now: DateTime<Utc>,
    policy: &QuarantinePolicy,
) -> QuarantineRecord {
    QuarantineRecord {
        cause: cause.key.clone(),
        message: cause.message.clone(),
        since: current.map_or(now, |q| q.since),
        next_probe_at: next_probe(now, policy),
        probes: current.map_or(0, |q| q.probes.saturating_add(1)),
    }
}

/// When the next probe may run after one at `now`.
pub fn next_probe(now: DateTime<Utc>, policy: &QuarantinePolicy) -> DateTime<Utc> {
    now + chrono::Duration::from_std(policy.retry_every).unwrap_or(chrono::Duration::hours(1))
}

#[cfg(test)]
#[path = "decide_tests.rs"]
mod tests;
