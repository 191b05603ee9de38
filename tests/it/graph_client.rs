//! Acceptance tests of the Graph client (`src/graph/`) against the in-process emulator.

// Test helpers outside `#[test]` functions may unwrap too (house rule: tests/ may unwrap).
#![allow(clippy::unwrap_used)]

mod support;

mod directory;
mod errors;
mod groups;
mod malformed;
mod paging;
mod resilience;
mod tokens;
