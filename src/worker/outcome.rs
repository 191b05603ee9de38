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
