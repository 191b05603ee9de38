//! Wires the HTTP surface into the daemon: builds the probes and the app state from the parts,
//! binds `http.listen`, logs the bound address and serves until cancelled.

use std::sync::Arc;

use anyhow::Context;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::build::Parts;
use crate::http::{
    AppState, HealthState, MetricsExporter, PageState, Probes, TokenProbe, router, serve,
};
use crate::settings::Settings;

/// The readiness probes over the daemon's parts.
pub fn probes(settings: &Settings, parts: &Parts, health: HealthState) -> Probes {
    Probes {
        store: parts.store.clone(),
        throttle: parts.graph.throttle().clone(),
        clock: parts.clock.clone(),
        interval: settings.sync.interval,
        health,
        token: TokenProbe::new(parts.graph.tokens().clone()),
    }
}

/// Binds `http.listen` and serves health and metrics until `cancel` fires.
pub async fn start(
    settings: &Settings,
    state: AppState,
    cancel: CancellationToken,
) -> anyhow::Result<JoinHandle<()>> {
    let listen = settings.http.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("http.listen: cannot listen on {listen}"))?;
    let bound = listener.local_addr()?;
    tracing::info!(address = %bound, "serving the status page /, /health/live, /health/ready and /metrics");
    Ok(tokio::spawn(async move {
        if let Err(error) = serve(listener, router(state), cancel).await {
            tracing::error!(%error, "the HTTP server stopped");
        }
    }))
}

/// A Prometheus exporter installed as the process recorder (once per process).
pub fn global_exporter() -> anyhow::Result<MetricsExporter> {
    let exporter = MetricsExporter::new().context("cannot build the metrics recorder")?;
    exporter.install_global()?;
    Ok(exporter)
}

/// The app state of the daemon.
pub fn app_state(probes: Probes, exporter: MetricsExporter) -> AppState {
    AppState {
        probes: Arc::new(probes),
        exporter,
        page: PageState::new(),
    }
}
