//! `guestsync emulator`: serves the built-in Graph emulator until SIGINT/SIGTERM, after seeding
//! the users of `--seed-file` and printing its address and the `[graph]`/`[auth]` configuration
//! that points guestsync at it.

use std::io::BufRead;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::cli::EmulatorArgs;
use crate::emulator::{Budget, EmulatorConfig, EmulatorHandle, Knobs, SeedUser};

/// Knobs from the command line.
pub fn knobs(args: &EmulatorArgs) -> Knobs {
    let budget = |per_second: f64| Budget {
        per_second,
        burst: per_second.ceil().max(1.0) as u32,
    };
    Knobs {
        write_budget: args.write_budget.map(budget),
        read_budget: args.read_budget.map(budget),
        fault_rate: args.fault_rate,
        latency_ms: args.latency_ms,
        replication_lag_max_ms: args.replication_lag_ms,
        token_lifetime_secs: Some(args.token_lifetime_secs),
        ..Knobs::default()
    }
}

/// Serves until stopped.
pub async fn serve(args: EmulatorArgs) -> anyhow::Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.fault_rate) {
        anyhow::bail!("--fault-rate: {} is not between 0 and 1", args.fault_rate);
    }
    let config = EmulatorConfig {
        knobs: knobs(&args),
        ..EmulatorConfig::default()
    };
    let handle = crate::emulator::start(config, args.listen).await?;
    if let Some(path) = &args.seed_file {
        let seeded = seed_from_file(&handle, path)?;
        println!("seeded {seeded} users from {}", path.display());
    }
    println!(
        "guestsync Graph emulator listening on http://{}",
        handle.addr()
    );
    println!(
        "\n# Paste into a guestsync configuration to use it:\n{}",
        handle.config_snippet()
    );
    super::shutdown_signal().await;
    handle.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Adds the users of a JSON-lines file (blank lines skipped); returns how many.
pub fn seed_from_file(handle: &EmulatorHandle, path: &Path) -> anyhow::Result<usize> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot open the seed file {}", path.display()))?;
    let mut seeded = 0;
    for (number, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let seed: SeedUser = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}: not a user", path.display(), number + 1))?;
        handle.add_user(seed);
        seeded += 1;
    }
    Ok(seeded)
}
