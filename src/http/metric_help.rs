//! The `# HELP` text and unit of every guestsync series, registered on an exporter's recorder
//! when it is built, so `/metrics` passes `promtool check metrics` (which wants help text on
//! every metric). Add a line here with every new series.

use metrics::Unit;

use crate::sync::metrics as names;

/// Counters: name, unit, help.
const COUNTERS: &[(&str, Unit, &str)] = &[
    (
        "guestsync_cycles_total",
        Unit::Count,
        "Cycles finished, by outcome (succeeded, held, failed).",
    ),
    (
        names::ROWS_READ,
        Unit::Count,
        "Source rows read by cycles that recorded a plan.",
    ),
    (
        names::ROWS_REJECTED,
        Unit::Count,
        "Source rows rejected by validation.",
    ),
    (
        names::ROWS_HELD,
        Unit::Count,
        "Source identities held as conflicts.",
    ),
    (
        "guestsync_actions_total",
        Unit::Count,
        "Queue items settled, by action and outcome (succeeded, dead).",
    ),
    (
        "guestsync_lease_lost_total",
        Unit::Count,
        "Settles refused because the item's lease was lost.",
    ),
    (
        "guestsync_graph_requests_total",
        Unit::Count,
        "Graph HTTP attempts, by operation and status class.",
    ),
    (
        "guestsync_graph_throttled_total",
        Unit::Count,
        "Graph answers with status 429.",
    ),
    (
        "guestsync_graph_retry_after_seconds_total",
        Unit::Seconds,
        "Seconds of pause asked for by Graph's 429 answers.",
    ),
    (
        "guestsync_graph_token_refreshes_total",
        Unit::Count,
        "Access tokens obtained from the token endpoint.",
    ),
    (
        "guestsync_invitation_mails_total",
        Unit::Count,
        "Invitation mails guestsync sent itself, by outcome (sent, retry, failed).",
    ),
    (
        "guestsync_writeback_failures_total",
        Unit::Count,
        "Write-back table updates that failed (retried at the next cycle).",
    ),
];

/// Gauges: name, unit, help.
const GAUGES: &[(&str, Unit, &str)] = &[
    (names::ITEMS, Unit::Count, "Queue items, by state."),
    (
        names::THROTTLE_PAUSE,
        Unit::Seconds,
        "Seconds left of the Graph pause in force.",
    ),
    (
        names::LAST_SUCCESS,
        Unit::Seconds,
        "Unix time of the last cycle that recorded a plan.",
    ),
    (
        names::OWNED_GUESTS,
        Unit::Count,
        "Guests guestsync owns, by externalUserState, at the last tenant read.",
    ),
    (
        names::GUESTS,
        Unit::Count,
        "Live links in the state store, by recorded redemption state.",
    ),
    (
        crate::replicas::LEADER_GAUGE,
        Unit::Count,
        "1 while this replica leads (reads, plans, rescues), else 0.",
    ),
    (
        "guestsync_quarantined",
        Unit::Count,
        "1 while guestsync is quarantined for a permanent Graph failure, else 0.",
    ),
];

/// Histograms: name, unit, help.
const HISTOGRAMS: &[(&str, Unit, &str)] = &[
    (
        names::CYCLE_DURATION,
        Unit::Seconds,
        "Duration of cycles, by outcome.",
    ),
    (
        names::CYCLE_PHASE,
        Unit::Seconds,
        "Duration of the phases of recorded cycles (source read, tenant read, links read, plan, record).",
    ),
    (
        "guestsync_graph_request_duration_seconds",
        Unit::Seconds,
        "Duration of Graph HTTP attempts, by operation.",
    ),
];

/// Describes every series to the current recorder (call inside `with_local_recorder`).
pub fn describe_all() {
    for (name, unit, help) in COUNTERS {
        metrics::describe_counter!(*name, *unit, *help);
    }
    for (name, unit, help) in GAUGES {
        metrics::describe_gauge!(*name, *unit, *help);
    }
    for (name, unit, help) in HISTOGRAMS {
        metrics::describe_histogram!(*name, *unit, *help);
    }
}
