//! Wires the HTTP surface into the daemon: builds the probes, the app state, the cycle runner
//! and the admin API from the parts, binds `http.listen`, logs the bound address and serves
//! until cancelled.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::build::Parts;
use axum::Router;

use crate::http::api::{self, ApiState, BearerToken};
use crate::http::{
    AppState, HealthState, MetricsExporter, PageState, Probes, TokenProbe, router, serve,
};
use crate::ops::CycleRunner;
use crate::quarantine::QuarantinePolicy;
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

/// The admin API routes when `http.admin_token` is set; an empty router (so `/api/v1/`
/// answers 404) otherwise.
pub fn admin_api(settings: &Settings, parts: &Parts, runner: Arc<CycleRunner>) -> Router {
    let Some(token) = &settings.http.admin_token else {
        return Router::new();
    };
    let state = ApiState {
        store: parts.store.clone(),
        clock: parts.clock.clone(),
        runner,
        worker: parts.pool.worker().clone(),
    };
    api::router(state, BearerToken::new(token))
}

/// The cycle runner of the daemon (shared by the schedule and the admin API).
pub fn runner(settings: &Settings, parts: &Parts, health: HealthState) -> Arc<CycleRunner> {
    let q = &settings.quarantine;
    let policy = QuarantinePolicy {
        error_ratio: q.error_ratio,
        min_failures: q.min_failures,
        retry_every: q.retry_every,
    };
    Arc::new(
        CycleRunner::new(
            parts.engine.clone(),
            parts.store.clone(),
            parts.clock.clone(),
            health,
            parts.tally.clone(),
            policy,
        )
        .with_leadership(parts.leadership.clone()),
    )
}

/// Binds `http.listen` and serves health, metrics and `extra` (the admin API) until `cancel`
/// fires; returns the bound address with the server's task.
pub async fn start(
    settings: &Settings,
    state: AppState,
    extra: Router,
    cancel: CancellationToken,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let listen = settings.http.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("http.listen: cannot listen on {listen}"))?;
    let bound = listener.local_addr()?;
    tracing::info!(address = %bound, "serving the status page /, /health/live, /health/ready and /metrics");
    let task = tokio::spawn(async move {
        if let Err(error) = serve(listener, router(state).merge(extra), cancel).await {
            tracing::error!(%error, "the HTTP server stopped");
        }
    });
    Ok((bound, task))
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
