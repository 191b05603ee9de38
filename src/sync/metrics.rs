//! The cycle's metrics: names fixed here, emitted through the `metrics` facade. Labels take
//! bounded values only (outcomes, states); never an e-mail address, anchor or object id.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{CycleError, CycleReport, Redemption};
use crate::graph::GraphUser;
use crate::store::Link;

/// Histogram: how long a cycle took, by outcome.
pub const CYCLE_DURATION: &str = "guestsync_cycle_duration_seconds";
/// Counter: source rows read by cycles.
pub const ROWS_READ: &str = "guestsync_source_rows_read_total";
/// Counter: source rows rejected by validation.
pub const ROWS_REJECTED: &str = "guestsync_source_rows_rejected_total";
/// Counter: source rows held as conflicts.
pub const ROWS_HELD: &str = "guestsync_source_rows_held_total";
/// Gauge: Unix time of the last cycle that did not fail (succeeded or held).
pub const LAST_SUCCESS: &str = "guestsync_last_successful_cycle_timestamp_seconds";
/// Gauge: owned guests by `externalUserState`.
pub const OWNED_GUESTS: &str = "guestsync_owned_guests";
/// Gauge: owned guests (live links) by the redemption state the state store holds
/// (`redemption` = pending, accepted, unknown, other).
pub const GUESTS: &str = "guestsync_guests";
/// Gauge: queue items by state.
pub const ITEMS: &str = "guestsync_items";
/// Gauge: seconds left of the Graph pause in force.
pub const THROTTLE_PAUSE: &str = "guestsync_throttle_pause_seconds";

/// Records a finished cycle: its duration, and for a recorded plan the row counters and the
/// last-success time (`now`).
pub fn cycle_finished(
    result: &Result<CycleReport, CycleError>,
    took: Duration,
    now: DateTime<Utc>,
) {
    let outcome = match result {
        Ok(report) if report.is_held() => "held",
        Ok(_) => "succeeded",
        Err(_) => "failed",
    };
    metrics::histogram!(CYCLE_DURATION, "outcome" => outcome).record(took.as_secs_f64());
    if let Ok(report) = result {
        metrics::counter!(ROWS_READ).increment(report.counts.read);
        metrics::counter!(ROWS_REJECTED).increment(report.counts.rejected);
        metrics::counter!(ROWS_HELD).increment(report.counts.held_conflicts);
        metrics::gauge!(LAST_SUCCESS).set(now.timestamp() as f64);
    }
}

/// Sets the owned-guest gauge from the tenant read: guests whose object id a live link holds,
/// counted by redemption state. Every state is set (zeros included) so none goes stale.
/// Returns the same counts as a [`Redemption`] for the cycle report.
pub fn owned_guests(guests: &[GraphUser], links: &[Link]) -> Redemption {
    let live: Vec<&Link> = links.iter().filter(|l| l.deleted_at.is_none()).collect();
    let owned: BTreeSet<&str> = live.iter().map(|l| l.object_id.as_str()).collect();
    let mut counts: BTreeMap<&'static str, u64> =
        REDEMPTION_STATES.iter().map(|s| (*s, 0)).collect();
    for guest in guests.iter().filter(|g| owned.contains(g.id.as_str())) {
        *counts
            .entry(redemption_state(guest.external_user_state.as_deref()))
            .or_default() += 1;
    }
    for (state, n) in &counts {
        metrics::gauge!(OWNED_GUESTS, "external_user_state" => *state).set(*n as f64);
    }
    Redemption {
        owned: live.len() as u64,
        invited: live.iter().filter(|l| l.invited_at.is_some()).count() as u64,
        pending: counts.get("pending_acceptance").copied().unwrap_or(0),
        accepted: counts.get("accepted").copied().unwrap_or(0),
    }
}

const REDEMPTION_STATES: [&str; 4] = ["accepted", "pending_acceptance", "unknown", "other"];

/// A bounded label for `externalUserState`.
fn redemption_state(state: Option<&str>) -> &'static str {
    match state {
        Some(s) if s.eq_ignore_ascii_case("Accepted") => "accepted",
        Some(s) if s.eq_ignore_ascii_case("PendingAcceptance") => "pending_acceptance",
        None => "unknown",
        Some(_) => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redemption_labels_are_bounded() {
        assert_eq!(redemption_state(Some("Accepted")), "accepted");
        assert_eq!(
            redemption_state(Some("PendingAcceptance")),
            "pending_acceptance"
        );
        assert_eq!(redemption_state(None), "unknown");
        assert_eq!(redemption_state(Some("a@b.example")), "other");
    }
}
