//! The Graph client's metrics (names fixed here; labels bounded: operation names and classes).

use std::time::Duration;

/// One finished HTTP attempt of `operation` that ended in `outcome` (`ok` or an error class).
pub(super) fn request(operation: &'static str, outcome: &'static str, took: Duration) {
    metrics::counter!("guestsync_graph_requests_total", "operation" => operation, "status_class" => outcome)
        .increment(1);
    metrics::histogram!("guestsync_graph_request_duration_seconds", "operation" => operation)
        .record(took.as_secs_f64());
}

/// A 429 and the pause it caused.
pub(super) fn throttled(pause: Duration) {
    metrics::counter!("guestsync_graph_throttled_total").increment(1);
    metrics::counter!("guestsync_graph_retry_after_seconds_total").increment(pause.as_secs());
}
