//! Operations shared by the CLI (`guestsync runs`, `items`, `approve`, `reject`) and the admin
//! API (`/api/v1/`), so both do exactly the same thing.
//!
//! - [`views`]: what operators see of runs, items and attempts (serialisable; never a redeem
//!   URL or token).
//! - [`queries`]: listing and showing runs and items; retrying dead items; approving and
//!   rejecting held runs; pausing and resuming.
//! - [`runner`]: [`CycleRunner`], the one way to run a cycle (scheduled, triggered or as a
//!   quarantine probe), which honours pause and quarantine.
//! - [`on_demand`]: syncing one anchor right away.

pub mod on_demand;
pub mod queries;
pub mod runner;
pub mod views;

pub use on_demand::{OnDemandError, OnDemandReport, sync_anchor};
pub use runner::{CycleRunner, Ran, RunnerError};
pub use views::{AttemptView, ItemDetail, ItemView, RunDetail, RunView};
