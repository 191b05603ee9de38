//! Crash and restart (issue 8 §2): `guestsync` SIGKILLed at seeded random points with the
//! SQLite and the PostgreSQL state store, the PostgreSQL state store restarted under a running
//! daemon, and the source database stopped in the middle of a read. After each: converged, no
//! duplicate, no lost item, nothing disabled or deleted because of the fault ([`checks`]).
//! Private PostgreSQL servers come from `support::private_pg`, never the shared one.

pub mod checks;
pub mod daemon;
mod seeded;
mod source_stop;
mod store_restart;
