//! The Microsoft Graph emulator: serves the subset of Graph and of the Entra token endpoint that
//! guestsync uses, as strictly as Graph itself (see `notes/graph.md`): a request real Graph would
//! reject is rejected with the same status and `error.code`. It has knobs for throttling, faults,
//! latency and replication lag, counters as evidence for tests, and a control API under
//! `/_emulator/`.
//!
//! Choices where graph.md says UNCONFIRMED (the most plausible behaviour was picked):
//! `$top` outside 1..=999 → 400 `Request_UnsupportedQuery`; a mangled `$skiptoken` → 400
//! `Request_BadRequest`; invalid invitation bodies → 400 `BadRequest`; `$filter` syntax errors →
//! 400 `BadRequest`, unsupported clauses → 400 `Request_UnsupportedQuery`; re-inviting an existing
//! address returns the same user id and a new redeem URL; seeded invited guests are `Accepted`;
//! `$orderby`, `$search` and `$expand` are rejected even with `ConsistencyLevel: eventual` (the
//! emulator serves no advanced queries; stricter, never more lenient).

mod admin;
mod assertion;
mod batch;
mod config;
mod control;
mod deleted;
mod exchange;
mod fault_knobs;
mod filter;
mod filter_lex;
#[cfg(test)]
mod filter_tests;
mod group_patch;
mod groups;
mod handle;
mod invitations;
mod mangle;
mod objects;
mod paging;
mod pipeline;
mod router;
mod schema;
mod server;
mod state;
mod throttle;
mod token;
mod users;
mod write_peaks;

pub use config::{
    AnswerFault, AnswerFaultKind, Budget, EmulatorConfig, InvitationDenial, Knobs, RetryAfterMode,
    SeedUser, Storm,
};
pub use filter::{Filter, Literal};
pub use handle::{Counters, EmulatorHandle, start, start_with_clock};

/// Parses a `$filter` value as the emulator does for `GET /users`: the parsed filter, or the
/// `error.code` and message Graph would answer with. For tests and the fuzz targets (`fuzz/`),
/// which check that guestsync's OData literals parse back to exactly the value they quote.
pub fn parse_filter(filter: &str) -> Result<Filter, String> {
    filter::parse(filter).map_err(|e| {
        let error = e.body.as_ref().and_then(|b| b.get("error"));
        let text = |k: &str| error.and_then(|e| e.get(k)).and_then(|v| v.as_str());
        format!(
            "{}: {}",
            text("code").unwrap_or(""),
            text("message").unwrap_or("")
        )
    })
}
