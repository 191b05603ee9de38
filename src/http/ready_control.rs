//! The readiness checks read from the control row of the state store: `quarantine` (fails
//! naming the cause and the next probe) and `paused` (fails while an operator paused).

use std::time::Duration;

use super::ready::{Check, Status};
use crate::store::Store;

/// How long the control read may take.
const TIMEOUT: Duration = Duration::from_secs(5);

/// The `quarantine` and `paused` checks.
pub(super) async fn control_checks(store: &dyn Store) -> [Check; 2] {
    let control = match tokio::time::timeout(TIMEOUT, store.control_get()).await {
        Ok(Ok(control)) => control,
        Ok(Err(error)) => return both_failed(error.to_string()),
        Err(_) => return both_failed("the state store did not answer in time".into()),
    };
    let quarantine = control.quarantine.map(|q| {
        format!(
            "quarantined since {}: {} ({}); next probe at {}",
            q.since.to_rfc3339(),
            q.cause,
            q.message,
            q.next_probe_at.to_rfc3339()
        )
    });
    let paused = control.paused.map(|p| {
        let reason = if p.reason.is_empty() {
            String::new()
        } else {
            format!(": {}", p.reason)
        };
        format!(
            "paused by an operator since {}{reason}",
            p.since.to_rfc3339()
        )
    });
    [check("quarantine", quarantine), check("paused", paused)]
}

fn both_failed(detail: String) -> [Check; 2] {
    [
        check("quarantine", Some(detail.clone())),
        check("paused", Some(detail)),
    ]
}

fn check(name: &'static str, failure: Option<String>) -> Check {
    Check {
        name,
        status: if failure.is_some() {
            Status::Fail
        } else {
            Status::Ok
        },
        detail: failure,
    }
}
