//! Acceptance tests of the Graph client (`src/graph/`) against the in-process emulator.

mod support;

mod errors;
mod paging;
mod resilience;
mod tokens;
