//! `guestsync demo`: writes a SQLite source of sample partners, starts the emulator in-process
//! with throttling and faults, runs a cycle and applies it with progress, runs a second cycle
//! to show that a converged tenant costs no writes, then goes on as the daemon (`guestsync
//! run`) against the same emulator, with the status page, probes, metrics and admin API on
//! `--listen`, until Ctrl-C. `--once` stops after the two cycles.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use tokio_util::sync::CancellationToken;

use super::build::parts;
use super::{daemon, http, print};
use crate::cli::DemoArgs;
use crate::demo::{demo_knobs, hand_made_guests, sample, source};
use crate::emulator::{EmulatorConfig, EmulatorHandle};
use crate::settings::Settings;

/// Time between the daemon's cycles in the demo (short, so an edit of the source shows soon).
const DEMO_INTERVAL: &str = "30s";

/// Runs the demo.
pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    if !args.once {
        ensure_free(args.listen)?;
    }
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

    let token_file = dir.join("admin-token");
    write_admin_token(&token_file)?;
    let demo = DemoFiles {
        source: &source_db,
        state: &state_db,
        admin_token: &token_file,
    };
    let config_path = dir.join("guestsync.toml");
    std::fs::write(&config_path, demo_config(&emulator, &demo, args.listen))?;
    let settings = Settings::load_with_env(
        Some(&config_path),
        [(
            "GUESTSYNC__GRAPH__RETRY_FALLBACK".to_string(),
            "1s".to_string(),
        )],
    )?;
    crate::telemetry::init(&settings.log)?;
    // Installed before the first cycle, so that /metrics counts the two cycles below too.
    let exporter = http::global_exporter()?;

    let first_run = two_cycles(&settings, &emulator).await?;
    print_where_to_look(&config_path, first_run);
    let code = if args.once {
        ExitCode::SUCCESS
    } else {
        daemon::run_with(&settings, exporter, |bound| {
            print_serving(bound, &token_file, &source_db)
        })
        .await?
    };
    emulator.shutdown().await;
    Ok(code)
}

/// The first cycle (everything invited) and the second (nothing changed), each applied and
/// summarised; returns the first run's id.
async fn two_cycles(settings: &Settings, emulator: &EmulatorHandle) -> anyhow::Result<i64> {
    let parts = parts(settings).await?;
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
    Ok(report.run_id)
}

fn print_where_to_look(config_path: &Path, first_run: i64) {
    let dir = config_path.parent().unwrap_or(config_path);
    println!(
        "\nLook at the result (the state store stays in {}):",
        dir.display()
    );
    let config = config_path.display();
    println!("  guestsync --config {config} runs");
    println!("  guestsync --config {config} runs {first_run}");
    println!("  guestsync --config {config} items --state done");
    println!("  guestsync --config {config} items --state held");
}

fn print_serving(bound: SocketAddr, token_file: &Path, source_db: &Path) {
    println!("\nguestsync now runs as the daemon, a cycle every {DEMO_INTERVAL}:");
    println!("  status page  http://{bound}/");
    println!("  readiness    http://{bound}/health/ready");
    println!("  metrics      http://{bound}/metrics");
    println!(
        "  admin API    http://{bound}/api/v1/ (bearer token in {}; the page's buttons ask for it)",
        token_file.display()
    );
    println!(
        "Change a partner in {} (sqlite3) and watch the next cycle apply it. Ctrl-C stops.",
        source_db.display()
    );
}

/// Fails early, before the cycles, when `listen` is taken (the daemon binds it afterwards).
fn ensure_free(listen: SocketAddr) -> anyhow::Result<()> {
    std::net::TcpListener::bind(listen)
        .map(drop)
        .with_context(|| {
            format!("cannot listen on {listen}: pass --listen with a free address, or --once")
        })
}

/// A fresh random admin token in `path`, readable by the owner only (never printed).
fn write_admin_token(path: &Path) -> anyhow::Result<()> {
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    std::io::Write::write_all(&mut file, token.as_bytes())?;
    Ok(())
}

/// The files the demo's configuration points at.
struct DemoFiles<'a> {
    source: &'a Path,
    state: &'a Path,
    admin_token: &'a Path,
}

fn demo_config(emulator: &EmulatorHandle, files: &DemoFiles<'_>, listen: SocketAddr) -> String {
    format!(
        "{snippet}\n[state]\nurl = \"sqlite://{state}\"\n\n[source]\nurl = \"sqlite://{source}\"\nquery = \"{query}\"\n\n[workers]\nlease = \"30s\"\n\n[sync]\ninterval = \"{DEMO_INTERVAL}\"\nreplication_window = \"10s\"\n\n[http]\nlisten = \"{listen}\"\nadmin_token_file = \"{token}\"\n\n[log]\nlevel = \"warn\"\n",
        snippet = emulator.config_snippet(),
        state = files.state.display(),
        source = files.source.display(),
        token = files.admin_token.display(),
        query = source::DEMO_QUERY,
    )
}
