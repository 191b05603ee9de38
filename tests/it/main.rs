//! The one integration test binary. Each module tests one part; `support` holds the harness.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod admin_api;
mod cli;
mod crash;
mod emulator;
mod engine;
mod engine_sources;
mod graph_client;
mod http;
mod plan;
mod settings;
mod source;
mod store_conformance;
