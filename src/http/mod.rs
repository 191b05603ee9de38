//! The HTTP surface: health probes, metrics, the status page and the admin API.
//!
//! - [`state`]: [`HealthState`], what the daemon reports after each cycle.
//! - [`ready`]: the readiness checks ([`Probes`]) and their JSON answer; `leader_check` says
//!   which replica leads.
//! - [`token_probe`]: the rate-limited token check.
//! - [`exporter`]: the Prometheus recorder and the gauges refreshed from the store;
//!   `metric_help` describes every series.
//! - [`page`]: the status page `GET /` and its in-memory history ([`PageState`]).
//! - [`routes`]: the router ([`router`]) and [`serve`].
//! - [`api`]: the admin API under `/api/v1/` (merged into the router by the daemon).

pub mod api;
pub mod exporter;
mod leader_check;
mod metric_help;
pub mod page;
pub mod ready;
mod ready_control;
pub mod routes;
pub mod state;
pub mod token_probe;

pub use exporter::MetricsExporter;
pub use page::PageState;
pub use ready::{Check, Probes, Readiness, Status};
pub use routes::{AppState, router, serve};
pub use state::{CycleMark, CycleOutcome, HealthState};
pub use token_probe::TokenProbe;
