//! The command line (clap). Each command is carried out by [`crate::app`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// guestsync keeps Microsoft Entra ID B2B guests in line with a SQL identity store.
#[derive(Debug, Parser)]
#[command(name = "guestsync", version, about)]
pub struct Cli {
    /// Configuration file (TOML); see config/default.toml for every key.
    #[arg(long, short = 'c', global = true, env = "GUESTSYNC_CONFIG")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the built-in Microsoft Graph emulator (for rehearsals, tests and the demo).
    Emulator(EmulatorArgs),
    /// Print the default configuration, with every key documented.
    DefaultConfig,
    /// Validate the configuration and print it with secrets redacted.
    CheckConfig,
}

/// Options of `guestsync emulator`.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Write budget (POST/PATCH/DELETE per second); unlimited when absent.
    #[arg(long)]
    pub write_budget: Option<f64>,
    /// Read budget (GET per second); unlimited when absent.
    #[arg(long)]
    pub read_budget: Option<f64>,
    /// Share of requests answered with a random 500/503/504 (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Milliseconds added to every Graph request.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Upper bound of the replication lag of new or changed users, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub replication_lag_ms: u64,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, default_value_t = 3600)]
    pub token_lifetime_secs: u64,
}
