//! The HTTP surface: health probes, metrics and the admin API (status page to come).
//!
//! - [`state`]: [`HealthState`], what the daemon reports after each cycle.
//! - [`ready`]: the readiness checks ([`Probes`]) and their JSON answer.
//! - [`token_probe`]: the rate-limited token check.
//! - [`exporter`]: the Prometheus recorder and the gauges refreshed from the store.
//! - [`routes`]: the router ([`router`]) and [`serve`].
//! - [`api`]: the admin API under `/api/v1/` (merged into the router by the daemon).

pub mod api;
pub mod exporter;
pub mod ready;
mod ready_control;
pub mod routes;
pub mod state;
pub mod token_probe;

pub use exporter::MetricsExporter;
pub use ready::{Check, Probes, Readiness, Status};
pub use routes::{AppState, router, serve};
pub use state::{CycleMark, CycleOutcome, HealthState};
pub use token_probe::TokenProbe;
