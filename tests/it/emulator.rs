//! Tests of the Graph emulator, in process on `127.0.0.1:0` with plain reqwest.

mod harness;
mod invitations;
mod throttle;
mod tokens;
mod users;
