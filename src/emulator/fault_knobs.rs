//! The opt-in fault knobs beyond random 5xx: answers that are cut, lost, malformed or huge
//! ([`AnswerFault`]), and a storm of 429s with a chosen `Retry-After` ([`Storm`]). All are off by
//! default and settable through the handle or `PUT /_emulator/knobs`.
//!
//! What a "lost response" looks like to a client: the request reached Graph and the write was
//! applied, but the client never learns it. Two shapes are served, because clients meet both:
//! [`AnswerFaultKind::LostResponse`] answers 504 `GatewayTimeout` after applying the write (what
//! a gateway in front of Graph sends when the backend answered too late; graph.md §6 lists 504 as
//! retryable, so a client retries a write that did happen), and [`AnswerFaultKind::CutBody`] on a
//! write sends the status line and half of the body, then closes the connection (what a client
//! sees when a connection breaks mid-answer: a transport error, no object id).

use serde::{Deserialize, Serialize};

use super::config::RetryAfterMode;

/// A fault applied to the successful (2xx) answers of chosen top-level Graph requests, after
/// the request was performed. Items inside `$batch` are not affected.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnswerFault {
    /// What is done to the answer.
    pub kind: AnswerFaultKind,
    /// Share (0.0..=1.0) of matching requests hit; drawn from the fault generator.
    pub rate: f64,
    /// Route templates hit, e.g. `POST /invitations` or `GET /users`; empty = every route.
    pub routes: Vec<String>,
    /// Stop after this many hits; `None` = no limit.
    pub max_hits: Option<u64>,
}

impl AnswerFault {
    /// Every matching answer of `routes` gets `kind`, at most `max_hits` times.
    pub fn on(kind: AnswerFaultKind, routes: &[&str], max_hits: Option<u64>) -> Self {
        Self {
            kind,
            rate: 1.0,
            routes: routes.iter().map(|r| (*r).to_owned()).collect(),
            max_hits,
        }
    }
}

/// What an [`AnswerFault`] does to a 2xx answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnswerFaultKind {
    /// The status line, the headers (with the full `Content-Length`) and half of the body are
    /// sent, then the connection is closed.
    #[default]
    CutBody,
    /// The request is performed (a write is applied), then answered 504 `GatewayTimeout`.
    LostResponse,
    /// Every JSON value of the body is replaced by one of another type (string → number,
    /// number/bool → string, array → object, object → array at the leaves).
    WrongTypes,
    /// The fields a client needs are removed at every depth: every `id` (so `invitedUser.id`
    /// and the ids of the users of a page) and `inviteRedeemUrl`.
    MissingFields,
    /// The body is an empty object `{}`: every required field is missing (a page's `value`,
    /// an invitation's `invitedUser`).
    EmptyObject,
    /// The body is not JSON: the real body cut in the middle, sent with a matching length.
    InvalidJson,
    /// The real body padded with a string member until it is `mb` MiB long (still valid JSON).
    HugeBody {
        /// Size of the body in MiB.
        mb: u32,
    },
}

/// A storm: every Graph request (top-level or `$batch` item) is answered 429 for `duration_ms`
/// after the knobs are set, with a `Retry-After` per `retry_after` (`Computed` = the seconds
/// left in the storm, rounded up). Requests are not counted against the budgets meanwhile.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Storm {
    /// How long the storm lasts, from the moment the knobs are set (or the emulator starts).
    pub duration_ms: u64,
    /// The `Retry-After` of the storm's 429s.
    pub retry_after: RetryAfterMode,
}
