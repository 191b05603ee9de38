//! The Microsoft Graph emulator: serves the subset of Graph and of the Entra token endpoint that
//! guestsync uses, as strictly as Graph itself (see `notes/graph.md`): a request real Graph would
//! reject is rejected with the same status and `error.code`. It has knobs for throttling, faults,
//! latency and replication lag, counters as evidence for tests, and a control API under
//! `/_emulator/`.

mod admin;
mod assertion;
mod batch;
mod config;
mod control;
mod deleted;
mod exchange;
mod filter;
mod filter_lex;
mod groups;
mod handle;
mod invitations;
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

pub use config::{Budget, EmulatorConfig, Knobs, RetryAfterMode, SeedUser};
pub use handle::{Counters, EmulatorHandle, start};
