//! `guestsync run`: the daemon. A cycle every `sync.interval` (missed ticks skipped), the worker
//! pool, and a rescuer of expired leases; SIGINT/SIGTERM stop everything in order and release
//! the leases at once.

use std::process::ExitCode;
use std::time::Duration;

use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use super::build::parts;
use crate::settings::Settings;

/// Runs until SIGINT or SIGTERM.
pub async fn run(settings: &Settings) -> anyhow::Result<ExitCode> {
    let parts = parts(settings).await?;
    let cancel = CancellationToken::new();
    let pool = {
        let (pool, cancel) = (parts.pool.clone(), cancel.clone());
        tokio::spawn(async move { pool.run(cancel).await })
    };
    let mut cycles = tokio::time::interval(settings.sync.interval);
    cycles.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut rescue = tokio::time::interval(Duration::from_secs(30));
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
                if let Err(error) = parts.engine.run_cycle("scheduled").await {
                    tracing::error!(%error, "cycle failed; the next one runs on schedule");
                }
            }
            _ = rescue.tick() => {
                match parts.store.item_rescue_expired(parts.clock.now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::warn!(rescued = n, "returned items with expired leases to the queue"),
                    Err(error) => tracing::error!(%error, "lease rescue failed"),
                }
            }
        }
    }
    tracing::info!("stopping: releasing leases");
    cancel.cancel();
    if let Err(error) = pool.await {
        tracing::error!(%error, "the worker pool ended abnormally");
    }
    Ok(ExitCode::SUCCESS)
}
