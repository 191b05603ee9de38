//! Control state shared through the store by every process: an operator's pause and the
//! quarantine (the breaker that stops work on a permanent Graph failure).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// An operator's pause: no cycles run and no item is claimed until resumed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paused {
    /// When guestsync was paused.
    pub since: DateTime<Utc>,
    /// Why, as the operator said (free text, may be empty).
    pub reason: String,
}

/// The quarantine in force: most Graph calls failed with one permanent cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantineRecord {
    /// The cause, stable and bounded (e.g. `credential`, `forbidden:Authorization_RequestDenied`).
    pub cause: String,
    /// Graph's (or the token endpoint's) message for people; never a secret.
    pub message: String,
    /// When the quarantine began.
    pub since: DateTime<Utc>,
    /// When the next probe may run.
    pub next_probe_at: DateTime<Utc>,
    /// Probes that failed since the quarantine began.
    pub probes: u32,
}

/// The control row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ControlState {
    /// The pause in force, if any.
    pub paused: Option<Paused>,
    /// The quarantine in force, if any.
    pub quarantine: Option<QuarantineRecord>,
}

impl ControlState {
    /// Whether workers must not claim items (paused or quarantined).
    pub fn holds_work(&self) -> bool {
        self.paused.is_some() || self.quarantine.is_some()
    }
}
