//! `guestsync emulator`: serves the built-in Graph emulator until SIGINT/SIGTERM, after printing
//! its address and the `[graph]`/`[auth]` configuration that points guestsync at it.

use std::process::ExitCode;

use crate::cli::EmulatorArgs;
use crate::emulator::{Budget, EmulatorConfig, Knobs};

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
