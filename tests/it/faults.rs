//! The fault matrix (issue 8 §1) and malformed Graph answers (§3), end to end: SQLite source,
//! SQLite state store, guestsync's engine and worker pool, and the emulator with its fault knobs.
//! Every row ends with [`support::FaultWorld::check`]: converged (every row's guest carries its
//! attributes and is linked, every item done), one guest per address, no lost item, nothing
//! disabled or deleted, and a quiet second cycle that writes nothing to Graph.
//!
//! Time: the rows run on tokio's paused clock, which both guestsync (throttle pauses, token
//! expiry, backoff; items' `run_after` through [`support::TokioClock`]) and the emulator
//! (`Retry-After` windows, token lifetimes, replication lag, latency) read. A 30 s `Retry-After`,
//! 30 s of replication lag or a 60 s token lifetime therefore cost no wall time. SQLite runs on
//! its own threads, which the paused clock cannot see; a ticker keeps virtual time from running
//! more than ~20× faster than wall time while the runtime waits for them (see
//! [`support::Ticker`]), so no timeout fires because of a jump.

mod admin;
mod lost;
mod malformed;
mod matrix;
mod support;
