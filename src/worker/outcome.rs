//! What executing one item came to, and how a Graph failure becomes one: throttling snoozes
//! (no attempt used), transient failures retry with backoff until attempts run out, a 404 shortly
//! after our own write waits for replication, anything else is dead with Graph's error.

use std::time::Duration;

use crate::graph::{ErrorClass, GraphError};
use crate::store::{ItemError, LinkUpdate};

use super::payload::ItemPayload;

/// The result of executing one claimed item.
#[derive(Debug)]
pub enum Outcome {
    /// Applied; the link changes as given.
    Done(LinkUpdate),
    /// Part applied (the invitation): keep the link, continue with `next` after `after`.
    Progress {
        /// The link as it now stands.
        link: LinkUpdate,
        /// What is left to do.
        next: ItemPayload,
        /// When to continue.
        after: Duration,
        /// Why it paused (for the attempt history).
        reason: String,
    },
    /// Throttled or waiting for replication: try again after `after`, no attempt used.
    Snooze {
        /// How long to wait.
        after: Duration,
        /// Why.
        reason: String,
    },
    /// A transient failure: try again after `after`; uses an attempt.
    Retry {
        /// How long to wait.
        after: Duration,
        /// The failure.
        error: ItemError,
    },
    /// A permanent failure, or attempts exhausted.
    Dead(ItemError),
}

/// How long to wait for our own write to replicate before trying again.
pub const REPLICATION_PAUSE: Duration = Duration::from_secs(2);

/// Turns a failed Graph call into an outcome.
///
/// `recent_write` says whether guestsync wrote this guest within the replication window (a 404
/// is then lag, not absence); `attempts` is the number of failures so far.
pub fn from_graph_error(
    error: &GraphError,
    recent_write: bool,
    attempts: u32,
    max_attempts: u32,
    backoff: Duration,
    throttle_fallback: Duration,
) -> Outcome {
    match error.class {
        ErrorClass::Throttled => Outcome::Snooze {
            after: error
                .retry_after
                .filter(|d| !d.is_zero())
                .unwrap_or(throttle_fallback),
            reason: "throttled by Graph".into(),
        },
        ErrorClass::NotFound if recent_write => Outcome::Snooze {
            after: REPLICATION_PAUSE,
            reason: "not yet replicated".into(),
        },
        ErrorClass::Transient | ErrorClass::Unauthorised if attempts + 1 < max_attempts => {
            Outcome::Retry {
                after: backoff,
                error: item_error(error),
            }
        }
        _ => Outcome::Dead(item_error(error)),
    }
}

/// A failed reset of redemption sent right after guestsync set the new `mail`: Graph checks
/// the address on the user as its replica sees it (notes/graph.md §1: the new address must
/// already be in `mail`; §7: a property just written may not be visible yet), so a 400 may
/// only mean the mail has not replicated. It becomes transient: retried with backoff until
/// the item's attempts run out, instead of dead at once (a dead item with an unchanged plan
/// would stay dead, the mail changed and the redemption never reset).
pub fn reset_after_mail_write(error: &GraphError) -> GraphError {
    let mut error = error.clone();
    if error.status == Some(400) {
        error.class = ErrorClass::Transient;
    }
    error
}

/// The stored form of a Graph failure: class, code, message, request-id, status.
pub fn item_error(error: &GraphError) -> ItemError {
    ItemError {
        class: error.class.as_str().to_string(),
        code: error.code.clone().unwrap_or_else(|| "none".into()),
        message: error.message.clone(),
        request_id: error.request_id.clone(),
        status: error.status,
    }
}

/// An error guestsync found itself (e.g. an unreadable payload).
pub fn internal_error(code: &str, message: impl Into<String>) -> ItemError {
    ItemError {
        class: "internal".into(),
        code: code.into(),
        message: message.into(),
        request_id: None,
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph_error(status: u16) -> GraphError {
        let body = br#"{"error":{"code":"BadRequest","message":"m"}}"#;
        crate::graph::classify(status, &reqwest::header::HeaderMap::new(), body)
    }

    fn outcome(error: &GraphError) -> Outcome {
        let second = Duration::from_secs(1);
        from_graph_error(error, false, 1, 8, second, second)
    }

    #[test]
    fn a_reset_refused_with_400_after_the_mail_write_is_retried() {
        let refused = graph_error(400);
        assert!(matches!(outcome(&refused), Outcome::Dead(_)));
        let retried = outcome(&reset_after_mail_write(&refused));
        assert!(matches!(retried, Outcome::Retry { .. }), "{retried:?}");
        let denied = reset_after_mail_write(&graph_error(403));
        assert!(matches!(outcome(&denied), Outcome::Dead(_)));
    }
}
