//! `guestsync demo`: writes a SQLite source of sample partners, starts the emulator in-process
//! with throttling and faults, runs a cycle and applies it with progress, runs a second cycle
//! to show that a converged tenant costs no writes, and prints how to look at the result.

use std::process::ExitCode;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::build::parts;
use super::print;
use crate::cli::DemoArgs;
use crate::demo::{demo_knobs, hand_made_guests, sample, source};
use crate::emulator::EmulatorConfig;
use crate::settings::Settings;

/// Runs the demo.
pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create {}", args.dir.display()))?;
    let dir = std::fs::canonicalize(&args.dir)?;
    let (source_db, state_db) = (dir.join("source.db"), dir.join("state.db"));
    for stale in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    let rows = sample::partner_rows(args.partners);
    source::write_source(&source_db, &rows).await?;
    println!(
        "source: {} rows in {} (table partners)",
        rows.len(),
        source_db.display()
    );

    let config = EmulatorConfig {
        knobs: demo_knobs(),
        seed_users: hand_made_guests(),
        ..EmulatorConfig::default()
    };
    let emulator = crate::emulator::start(config, "127.0.0.1:0".parse()?).await?;
    println!(
        "emulator: {} (20 writes/s, 5 % random 5xx, up to 3 s replication lag)",
        emulator.base_url()
    );

    let toml = demo_config(&emulator, &source_db, &state_db);
    let config_path = dir.join("guestsync.toml");
    std::fs::write(&config_path, &toml)?;
    let settings = Settings::load_with_env(
        Some(&config_path),
        [(
            "GUESTSYNC__GRAPH__RETRY_FALLBACK".to_string(),
            "1s".to_string(),
        )],
    )?;
    crate::telemetry::init(&settings.log)?;
    let parts = parts(&settings).await?;

    println!("\ncycle 1: reading the source and the tenant, planning, applying …");
    let report = parts.engine.run_cycle("demo").await?;
    let drained = parts.pool.drain(CancellationToken::new(), |_| {}).await?;
    print::cycle_summary(&report, &drained);

    let writes_before = emulator.counters().writes_total;
    let second = parts.engine.run_cycle("demo").await?;
    let drained_again = parts.pool.drain(CancellationToken::new(), |_| {}).await?;
    let counters = emulator.counters();
    println!("\ncycle 2 (nothing changed):");
    print::cycle_summary(&second, &drained_again);
    println!(
        "Graph writes in cycle 2: {}",
        counters.writes_total - writes_before
    );
    println!(
        "\nemulator: {} requests, {} answered 429, {} random faults, {} requests inside a Retry-After window, {} invitation e-mails sent",
        counters.requests_total,
        counters.throttled,
        counters.faults_injected,
        counters.during_retry_after,
        counters.invitation_emails_sent
    );
    println!(
        "\nLook at the result (the state store stays in {}):",
        dir.display()
    );
    println!("  guestsync --config {} runs", config_path.display());
    println!(
        "  guestsync --config {} runs {}",
        config_path.display(),
        report.run_id
    );
    println!(
        "  guestsync --config {} items --state done",
        config_path.display()
    );
    println!(
        "  guestsync --config {} items --state held",
        config_path.display()
    );
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

fn demo_config(
    emulator: &crate::emulator::EmulatorHandle,
    source: &std::path::Path,
    state: &std::path::Path,
) -> String {
    format!(
        "{snippet}\n[state]\nurl = \"sqlite://{state}\"\n\n[source]\nurl = \"sqlite://{source}\"\nquery = \"{query}\"\n\n[workers]\nlease = \"30s\"\n\n[sync]\nreplication_window = \"10s\"\n\n[log]\nlevel = \"warn\"\n",
        snippet = emulator.config_snippet(),
        state = state.display(),
        source = source.display(),
        query = source::DEMO_QUERY,
    )
}
