//! Operator commands: `migrate`, `check`, `runs`, `items`, `approve`, `reject`. The operations
//! themselves live in [`crate::ops::queries`], shared with the admin API.

use std::process::ExitCode;
use std::sync::Arc;

use super::build::{graph_config, open_store, source_reader};
use super::print;
use crate::cli::{ItemAction, ItemsArgs, RunsArgs};
use crate::clock::{Clock, SystemClock};
use crate::graph::GraphClient;
use crate::ops::queries;
use crate::settings::Settings;
use crate::store::{ItemFilter, ItemState};

/// `guestsync migrate`.
pub async fn migrate(settings: &Settings) -> anyhow::Result<ExitCode> {
    open_store(settings).await?;
    println!("the state store is up to date");
    Ok(ExitCode::SUCCESS)
}

/// `guestsync check`: configuration, source, token.
pub async fn check(settings: &Settings) -> anyhow::Result<ExitCode> {
    println!("configuration: ok");
    let source = source_reader(settings).await?;
    let snapshot = source.read().await?;
    println!(
        "source: ok ({} rows, {} valid, {} rejected, {} held)",
        snapshot.rows_read,
        snapshot.identities.len(),
        snapshot.rejected.len(),
        snapshot.conflicts.len()
    );
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let graph = GraphClient::new(&graph_config(settings)?, clock)?;
    graph.tokens().token().await?;
    println!("token: ok");
    Ok(ExitCode::SUCCESS)
}

/// `guestsync runs [RUN_ID]`.
pub async fn runs(settings: &Settings, args: RunsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let dead = queries::dead_by_run(&*store).await?;
    match args.run_id {
        None => print::runs_table(&store.run_list(args.limit).await?, &dead),
        Some(id) => {
            let run = store.run_get(id).await?;
            print::runs_table(std::slice::from_ref(&run), &dead);
            if let Some(crate::store::RunOutcome::Failed(reason)) = &run.outcome {
                println!("\nfailed: {reason}");
            }
            println!("\nrejected rows:");
            for row in store.run_rejections(id).await? {
                let anchor = row.anchor.as_deref().unwrap_or("(none)");
                println!("  row {:>6}  {anchor:<24} {}", row.row_number, row.reason);
            }
            println!("\nheld:");
            for conflict in store.run_conflicts(id).await? {
                println!(
                    "  {:<24} {:<32} {}",
                    conflict.anchor, conflict.email, conflict.reason
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `guestsync items [--state S] [retry ANCHOR]`.
pub async fn items(settings: &Settings, args: ItemsArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    if let Some(ItemAction::Retry { anchor }) = args.action {
        queries::retry_dead(&*store, &anchor, SystemClock.now()).await?;
        println!("{anchor} will be retried");
        return Ok(ExitCode::SUCCESS);
    }
    if args.state.as_deref() == Some("held") {
        let Some(latest) = store.run_list(1).await?.into_iter().next() else {
            return Ok(ExitCode::SUCCESS);
        };
        println!("held in run {}:", latest.id);
        for conflict in store.run_conflicts(latest.id).await? {
            println!(
                "  {:<24} {:<32} {}",
                conflict.anchor, conflict.email, conflict.reason
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let state = match args.state.as_deref() {
        None => None,
        Some(name) => Some(ItemState::parse(name).ok_or_else(|| {
            anyhow::anyhow!("--state: \"{name}\" is not pending, running, done, held or dead")
        })?),
    };
    let filter = ItemFilter {
        state,
        action: None,
        after: None,
        limit: 10_000,
    };
    let guests = store.link_redemption_counts().await?;
    print::redemption_summary(&guests, &store.mail_counts().await?);
    print::items_table(&store.item_list(filter).await?);
    Ok(ExitCode::SUCCESS)
}

/// `guestsync approve RUN_ID`.
pub async fn approve(settings: &Settings, run_id: i64) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    let summary = queries::approve(&*store, run_id, SystemClock.now()).await?;
    println!(
        "run {run_id} approved: {} actions queued; the workers of `guestsync run` (or the next `guestsync sync --once`) apply them",
        summary.inserted + summary.changed
    );
    Ok(ExitCode::SUCCESS)
}

/// `guestsync reject RUN_ID`.
pub async fn reject(settings: &Settings, run_id: i64) -> anyhow::Result<ExitCode> {
    let store = open_store(settings).await?;
    queries::reject(&*store, run_id, SystemClock.now()).await?;
    println!("run {run_id} rejected: its held actions were discarded");
    Ok(ExitCode::SUCCESS)
}
