//! Tests of the Graph emulator, in process on `127.0.0.1:0` with plain reqwest.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod control;
mod faults;
mod groups;
mod harness;
mod housekeeping;
mod invitations;
mod throttle;
mod tokens;
mod users;
