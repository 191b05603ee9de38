//! The command line (clap). Each command is carried out by [`crate::app`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// guestsync keeps Microsoft Entra ID B2B guests in line with a SQL identity store.
#[derive(Debug, Parser)]
#[command(name = "guestsync", version, about)]
pub struct Cli {
    /// Configuration file (TOML); see config/default.toml for every key.
    #[arg(long, short = 'c', global = true, env = "GUESTSYNC_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format, overriding `log.format`: auto (text on a terminal, JSON otherwise), text
    /// or json (one object per line, with the span fields: run id, anchor, Graph request-id).
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormatArg>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormatArg {
    /// Text on a terminal, JSON otherwise.
    Auto,
    /// Human-readable text.
    Text,
    /// One JSON object per line.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the built-in Microsoft Graph emulator (for rehearsals, tests and the demo).
    Emulator(EmulatorArgs),
    /// Run the embedded default end to end: a SQLite source with sample partners, the emulator
    /// with throttling and faults, two cycles with their summary, then the daemon with the
    /// status page until Ctrl-C (`--once`: stop after the summary).
    Demo(DemoArgs),
    /// The daemon: a cycle every `sync.interval`, workers applying the queue, health and
    /// metrics served on `http.listen`.
    Run,
    /// Probe the daemon's readiness (for a container HEALTHCHECK): exit 0 ready, 1 not.
    Health(HealthArgs),
    /// One cycle, then apply until nothing is runnable. Exit 0 when all applied, 1 when items
    /// are dead or the run is held, 2 on configuration errors.
    Sync(SyncArgs),
    /// A dry run: what a cycle would do. Writes nothing anywhere.
    Plan(PlanArgs),
    /// Create or upgrade the state store's schema.
    Migrate,
    /// Check the configuration, reach the source and obtain a token.
    Check,
    /// Recent runs with their counts; with a run id, its rejected rows and conflicts.
    Runs(RunsArgs),
    /// Queue items by state; `items retry ANCHOR` revives a dead item.
    Items(ItemsArgs),
    /// Apply the disables a held run would have done.
    Approve {
        /// The held run.
        run_id: i64,
    },
    /// Discard the disables of a held run.
    Reject {
        /// The held run.
        run_id: i64,
    },
    /// Print the default configuration, with every key documented.
    DefaultConfig,
    /// Validate the configuration and print it with secrets redacted.
    CheckConfig,
}

/// Options of `guestsync demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo's source and state databases.
    #[arg(long, default_value = "guestsync-demo")]
    pub dir: PathBuf,
    /// Number of sample partners (bad sample rows are added to these).
    #[arg(long, default_value_t = 300)]
    pub partners: usize,
    /// Where the daemon serves the status page, probes, metrics and admin API after the two
    /// cycles.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Stop after the two cycles and their summary instead of going on as the daemon.
    #[arg(long)]
    pub once: bool,
}

/// Options of `guestsync health`.
#[derive(Debug, Args)]
pub struct HealthArgs {
    /// The readiness URL; default `http://{http.listen}/health/ready` from the configuration.
    #[arg(long)]
    pub url: Option<String>,
}

/// Options of `guestsync sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Run one cycle and apply it, then exit (the only mode; `guestsync run` is the daemon).
    #[arg(long)]
    pub once: bool,
}

/// Options of `guestsync plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Options of `guestsync runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Show this run's rejected rows and conflicts.
    pub run_id: Option<i64>,
    /// How many runs to list.
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
}

/// Options of `guestsync items`.
#[derive(Debug, Args)]
pub struct ItemsArgs {
    /// Only items in this state: pending, running, done, dead; `held` lists the conflicts of
    /// the latest run.
    #[arg(long)]
    pub state: Option<String>,
    /// An action on one item.
    #[command(subcommand)]
    pub action: Option<ItemAction>,
}

/// Actions on one item.
#[derive(Debug, Subcommand)]
pub enum ItemAction {
    /// Revive a dead item.
    Retry {
        /// The item's anchor.
        anchor: String,
    },
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
    /// Users to start with: a file of JSON lines, one user each, with the fields of the
    /// control API's `POST /_emulator/users` (mail, display_name, user_type, creation_type,
    /// account_enabled, other_mails, extra). Loaded before the address is printed.
    #[arg(long)]
    pub seed_file: Option<PathBuf>,
}
