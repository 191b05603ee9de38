//! The one integration test binary. Each module tests one part; `support` holds the harness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod admin_api;
mod cli;
mod container;
mod crash;
mod cycle_phases;
mod demo;
mod emulator;
mod engine;
mod engine_sources;
mod faults;
mod graph_client;
mod groups;
mod groups_resilience;
mod hostile;
mod housekeeping;
mod http;
mod logs;
mod mapping;
mod plan;
mod redemption;
mod replicas;
mod settings;
mod settings_groups;
mod shutdown;
mod source;
mod source_100k;
mod store_conformance;
