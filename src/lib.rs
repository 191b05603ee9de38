//! guestsync keeps Microsoft Entra ID B2B guest users in line with an on-premises SQL identity
//! store. See `DESIGN.md` in the steering repository for the architecture.
//!
//! Module map:
//! - [`settings`]: typed, validated configuration (defaults, file, `GUESTSYNC__` environment).
//! - [`clock`]: the only place that reads the wall clock.
//! - [`identity`]: anchors, e-mail addresses and identity attributes as validated newtypes.
//! - [`source`]: reads the operator's SQL query into identities (sqlx).
//! - [`plan`]: the pure planner and the mass-change brake (no I/O, no clock).
//! - [`groups`]: managed group memberships: config, the `groups` cell, the pure group planner.
//! - [`store`]: the state store: links, the one-row-per-anchor queue, runs, attempt history.
//! - [`graph`]: the Microsoft Graph client: tokens, throttle, paging, batch, error classes.
//! - [`worker`]: the worker pool that claims, executes and settles queue items.
//! - [`replicas`]: several daemons on one PostgreSQL: the leader lease, the shared throttle.
//! - [`notify`]: guestsync's own invitation mail over SMTP (the outbox mailer).
//! - [`writeback`]: the results table in the source database.
//! - [`quarantine`]: the breaker for permanent, tenant-wide Graph failures.
//! - [`ops`]: operator actions shared by the CLI and the admin API; the cycle runner.
//! - [`http`]: health, metrics, admin API and status page.
//! - [`emulator`]: a strict Microsoft Graph emulator for tests, the demo and rehearsals.
//! - [`telemetry`]: tracing subscriber set-up.
//! - [`cli`] and [`app`]: the command line and the composition root.

pub mod app;
pub mod cli;
pub mod clock;
pub mod demo;
pub mod emulator;
pub mod graph;
pub mod groups;
pub mod http;
pub mod identity;
pub mod notify;
pub mod ops;
pub mod plan;
pub mod quarantine;
pub mod replicas;
pub mod settings;
pub mod source;
pub mod store;
pub mod sync;
pub mod telemetry;
pub mod worker;
pub mod writeback;
