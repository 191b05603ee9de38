//! `guestsync plan` (a dry run) and `guestsync sync --once` (one cycle, applied; refused while
//! paused or quarantined).

use std::io::IsTerminal;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use tokio_util::sync::CancellationToken;

use super::build::parts;
use super::print;
use crate::cli::{PlanArgs, SyncArgs};
use crate::settings::Settings;
use crate::store::ItemState;

/// `guestsync plan`: reads and plans, records nothing.
pub async fn plan(settings: &Settings, args: PlanArgs) -> anyhow::Result<ExitCode> {
    let parts = parts(settings).await?;
    let preview = parts.engine.preview().await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&print::preview_json(&preview))?
        );
    } else {
        print::preview_table(&preview);
    }
    Ok(ExitCode::SUCCESS)
}

/// `guestsync sync --once`: one cycle, then apply until nothing is runnable.
pub async fn sync_once(settings: &Settings, args: SyncArgs) -> anyhow::Result<ExitCode> {
    if !args.once {
        anyhow::bail!("`guestsync sync` needs --once; `guestsync run` is the daemon");
    }
    let parts = parts(settings).await?;
    let control = parts.store.control_get().await?;
    if control.paused.is_some() {
        anyhow::bail!("guestsync is paused (POST /api/v1/resume to resume); nothing was done");
    }
    if let Some(q) = control.quarantine {
        anyhow::bail!(
            "guestsync is quarantined ({}: {}); fix the cause, then POST /api/v1/cycles to probe",
            q.cause,
            q.message
        );
    }
    let report = parts.engine.run_cycle("once").await?;
    let cancel = CancellationToken::new();
    let stop = cancel.clone();
    tokio::spawn(async move {
        super::shutdown_signal().await;
        stop.cancel();
    });
    let bar = progress_bar(report.counts.invites + report.counts.updates + report.counts.disables);
    let drained = parts
        .pool
        .drain(cancel, |counts| {
            let left = [ItemState::Pending, ItemState::Running]
                .iter()
                .map(|s| counts.get(s).copied().unwrap_or(0))
                .sum::<u64>();
            bar.set_message(format!("{left} left"));
            bar.set_position(bar.length().unwrap_or(0).saturating_sub(left));
        })
        .await?;
    bar.finish_and_clear();
    print::cycle_summary(&report, &drained);
    let failed = drained.dead() > 0 || report.is_held();
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}
