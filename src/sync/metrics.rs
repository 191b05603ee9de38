//! The cycle's metrics: names fixed here, emitted through the `metrics` facade. Labels take
//! bounded values only (outcomes, states); never an e-mail address, anchor or object id.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::phases::Phase;
use super::redemption::RedemptionSummary;
use super::{CycleError, CycleReport, Redemption};
use crate::store::RedemptionState;

/// Histogram: how long a cycle took, by outcome.
pub const CYCLE_DURATION: &str = "guestsync_cycle_duration_seconds";
/// Histogram: how long each phase of a recorded cycle took (`phase` = source_read,
/// tenant_read, links_read, plan, record).
pub const CYCLE_PHASE: &str = "guestsync_cycle_phase_seconds";
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
        for phase in Phase::ALL {
            metrics::histogram!(CYCLE_PHASE, "phase" => phase.label())
                .record(report.phases.get(phase).as_secs_f64());
        }
        metrics::counter!(ROWS_READ).increment(report.counts.read);
        metrics::counter!(ROWS_REJECTED).increment(report.counts.rejected);
        metrics::counter!(ROWS_HELD).increment(report.counts.held_conflicts);
        metrics::gauge!(LAST_SUCCESS).set(now.timestamp() as f64);
    }
}

/// Sets the owned-guest gauge from the tenant read, by redemption state, from the counts
/// [`super::redemption::summarise`] took of the same read (owned guests it found). Every state
/// is set (zeros included) so none goes stale. Returns the funnel for the cycle report, with
/// `owned` live links of which guestsync `invited` some.
pub fn owned_guests(summary: &RedemptionSummary, owned: u64, invited: u64) -> Redemption {
    for state in RedemptionState::ALL {
        metrics::gauge!(OWNED_GUESTS, "external_user_state" => state_label(state))
            .set(summary.count(state) as f64);
    }
    Redemption {
        owned,
        invited,
        pending: summary.count(RedemptionState::Pending),
        accepted: summary.count(RedemptionState::Accepted),
    }
}

/// The `external_user_state` label of a redemption state (Graph's name, in snake case).
fn state_label(state: RedemptionState) -> &'static str {
    match state {
        RedemptionState::Pending => "pending_acceptance",
        RedemptionState::Accepted => "accepted",
        RedemptionState::Unknown => "unknown",
        RedemptionState::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redemption_labels_are_bounded() {
        let labels: Vec<_> = RedemptionState::ALL.into_iter().map(state_label).collect();
        assert_eq!(
            labels,
            ["pending_acceptance", "accepted", "unknown", "other"]
        );
    }
}
