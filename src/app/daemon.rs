//! `guestsync run`: the daemon. A cycle every `sync.interval` (missed ticks skipped), the worker
//! pool, a rescuer of expired leases, and the HTTP surface (health probes, metrics and the admin
//! API) on `http.listen`; cycles go through the [`CycleRunner`] (pause, quarantine); SIGINT/SIGTERM stop everything in order and release the leases at once.

use std::process::ExitCode;
use std::time::Duration;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use super::build::{Parts, parts};
use super::http;
use crate::http::{AppState, HealthState};
use crate::ops::{CycleRunner, RunnerError};
use crate::settings::Settings;

/// How often the store-backed gauges are refreshed and histograms drained.
const GAUGES_EVERY: Duration = Duration::from_secs(15);

/// Runs until SIGINT or SIGTERM.
pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let exporter = http::global_exporter()?;
    let parts = parts(settings).await?;
    let health = HealthState::new();
    let state = http::app_state(http::probes(settings, &parts, health.clone()), exporter);
    let runner = http::runner(settings, &parts, health);
    let api = http::admin_api(settings, &parts, runner.clone());
    let cancel = CancellationToken::new();
    let server = http::start(settings, state.clone(), api, cancel.clone()).await?;
    let pool = {
        let (pool, cancel) = (parts.pool.clone(), cancel.clone());
        tokio::spawn(async move { pool.run(cancel).await })
    };
    let mut cycles = tokio::time::interval(settings.sync.interval);
    cycles.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut rescue = tokio::time::interval(Duration::from_secs(30));
    let mut gauges = tokio::time::interval(GAUGES_EVERY);
    gauges.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let stop = super::shutdown_signal();
    tokio::pin!(stop);
    tracing::info!(
        interval_s = settings.sync.interval.as_secs(),
        "guestsync is running"
    );
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = cycles.tick() => {
                scheduled_cycle(&runner).await;
                refresh_gauges(&state, &parts).await;
            }
            _ = rescue.tick() => rescue_leases(&parts).await,
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
    if let Err(error) = server.await {
        tracing::error!(%error, "the HTTP server ended abnormally");
    }
    Ok(ExitCode::SUCCESS)
}

/// One scheduled cycle through the runner (skipped while paused or quarantined).
async fn scheduled_cycle(runner: &CycleRunner) {
    match runner.scheduled().await {
        Ok(_) => {}
        Err(RunnerError::Paused) => tracing::info!("paused: the scheduled cycle is skipped"),
        Err(error @ RunnerError::Quarantined { .. }) => {
            tracing::warn!(%error, "the scheduled cycle is skipped");
        }
        Err(error) => tracing::error!(%error, "cycle failed; the next one runs on schedule"),
    }
}

async fn rescue_leases(parts: &Parts) {
    match parts.store.item_rescue_expired(parts.clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(
            rescued = n,
            "returned items with expired leases to the queue"
        ),
        Err(error) => tracing::error!(%error, "lease rescue failed"),
    }
}

async fn refresh_gauges(state: &AppState, parts: &Parts) {
    if let Err(error) = state
        .exporter
        .refresh(&*parts.store, parts.graph.throttle())
        .await
    {
        tracing::warn!(%error, "cannot refresh the queue gauges");
    }
    state.exporter.run_upkeep();
}
