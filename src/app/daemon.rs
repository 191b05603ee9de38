//! `guestsync run`: the daemon. A cycle every `sync.interval` (missed ticks skipped), the worker
//! pool, and the HTTP surface (status page, health probes, metrics and the admin API) on
//! `http.listen`. Cycles go through the [`CycleRunner`] (pause, quarantine). SIGINT/SIGTERM stop
//! everything in order, also in the middle of a cycle (its reads are abandoned and the run is
//! finished as cancelled), and release the leases at once. With several replicas on one
//! PostgreSQL, only the leader runs cycles and rescues expired leases
//! ([`crate::replicas::leadership`]); a replica that becomes the leader runs a cycle at once.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use super::build::{Parts, parts};
use super::http;
use crate::http::{AppState, HealthState, MetricsExporter};
use crate::ops::{CycleRunner, RunnerError};
use crate::settings::Settings;

/// How often the store-backed gauges are refreshed and histograms drained.
const GAUGES_EVERY: Duration = Duration::from_secs(15);

/// Runs until SIGINT or SIGTERM.
pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    run_with(settings, http::global_exporter()?, |_| {}).await
}

/// [`run`] with the process's metrics `exporter` already installed, calling `serving` with the
/// bound HTTP address once the surface is up (the demo prints it).
pub async fn run_with(
    settings: &Settings,
    exporter: MetricsExporter,
    serving: impl FnOnce(SocketAddr),
) -> anyhow::Result<ExitCode> {
    let parts = parts(settings).await?;
    let health = HealthState::new();
    let state = http::app_state(http::probes(settings, &parts, health.clone()), exporter);
    let runner = http::runner(settings, &parts, health.clone());
    let api = http::admin_api(settings, &parts, runner.clone());
    let cancel = CancellationToken::new();
    let (bound, server) = http::start(settings, state.clone(), api, cancel.clone()).await?;
    serving(bound);
    let pool = {
        let (pool, cancel) = (parts.pool.clone(), cancel.clone());
        tokio::spawn(async move { pool.run(cancel).await })
    };
    health.follow_replica(parts.leadership.subscribe());
    let mut gains = parts.leadership.gains();
    // The lease is released only after the loop ended, so a cycle cancelled by SIGTERM still
    // finishes its run as cancelled instead of being dropped as "leadership lost".
    let stop_leading = CancellationToken::new();
    let leadership = {
        let (leadership, stop) = (parts.leadership.clone(), stop_leading.clone());
        tokio::spawn(async move { leadership.run(stop).await })
    };
    let mut cycles = tokio::time::interval(settings.sync.interval);
    cycles.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut gauges = tokio::time::interval(GAUGES_EVERY);
    gauges.set_missed_tick_behavior(MissedTickBehavior::Skip);
    tokio::spawn({
        let cancel = cancel.clone();
        async move {
            super::shutdown_signal().await;
            tracing::info!("stop requested");
            cancel.cancel();
        }
    });
    tracing::info!(
        interval_s = settings.sync.interval.as_secs(),
        "guestsync is running"
    );
    loop {
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = cycles.tick() => {
                scheduled_cycle(&runner, &cancel).await;
                if cancel.is_cancelled() {
                    break;
                }
                refresh_gauges(&state, &parts).await;
            }
            _ = gains.next() => cycles.reset_immediately(),
            _ = gauges.tick() => {
                if let Err(error) = runner.evaluate().await {
                    tracing::error!(%error, "cannot evaluate the quarantine");
                }
                refresh_gauges(&state, &parts).await;
            }
        }
    }
    tracing::info!("stopping: releasing leases");
    cancel.cancel();
    if let Err(error) = pool.await {
        tracing::error!(%error, "the worker pool ended abnormally");
    }
    stop_leading.cancel();
    if let Err(error) = leadership.await {
        tracing::error!(%error, "the leader election ended abnormally");
    }
    if let Err(error) = server.await {
        tracing::error!(%error, "the HTTP server ended abnormally");
    }
    Ok(ExitCode::SUCCESS)
}

/// One scheduled cycle through the runner (skipped while paused, quarantined or following).
async fn scheduled_cycle(runner: &CycleRunner, cancel: &CancellationToken) {
    match runner.scheduled_until(cancel).await {
        Ok(_) => {}
        Err(RunnerError::Paused) => tracing::info!("paused: the scheduled cycle is skipped"),
        Err(RunnerError::NotLeader) => tracing::debug!("another replica leads: no cycle here"),
        Err(error @ RunnerError::Quarantined { .. }) => {
            tracing::warn!(%error, "the scheduled cycle is skipped");
        }
        Err(error) => tracing::error!(%error, "cycle failed; the next one runs on schedule"),
    }
}

async fn refresh_gauges(state: &AppState, parts: &Parts) {
    let throttle = parts.graph.throttle();
    state
        .page
        .sample_throttle(parts.clock.now(), throttle)
        .await;
    if let Err(error) = state.exporter.refresh(&*parts.store, throttle).await {
        tracing::warn!(%error, "cannot refresh the queue gauges");
    }
    state.exporter.run_upkeep();
}
