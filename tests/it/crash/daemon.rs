//! Driving `guestsync` as a child process: `run` or `sync --once` with short leases and
//! intervals, its log in the world's folder, the health address read from that log, and polling
//! with a generous deadline instead of fixed sleeps.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::{Child, Command};

use crate::support::world::World;

/// How the child runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `guestsync run`: the daemon, a cycle every second.
    Run,
    /// `guestsync sync --once`: one cycle, drained, exit.
    Once,
}

/// Settings (after the world's, before its `extra_env`) that make crash recovery quick: items leased for 2 s, the leader lease (and so
/// the rescue of expired item leases) renewed every second, a fixed replica id so a restarted
/// daemon leads again at once.
pub const QUICK: [(&str, &str); 5] = [
    ("GUESTSYNC__WORKERS__LEASE", "2s"),
    ("GUESTSYNC__WORKERS__COUNT", "4"),
    ("GUESTSYNC__SYNC__INTERVAL", "1s"),
    ("GUESTSYNC__REPLICAS__LEADER_LEASE", "3s"),
    ("GUESTSYNC__REPLICAS__ID", "crash"),
];

/// A guestsync child process; killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `guestsync` in `mode` for `world`; `life` numbers the log file.
    pub fn spawn(world: &World, mode: Mode, life: usize) -> Self {
        let log = log_dir(world).join(format!("life-{life}.log"));
        let file = std::fs::File::create(&log).unwrap();
        let args: &[&str] = match mode {
            Mode::Run => &["run"],
            Mode::Once => &["sync", "--once"],
        };
        let child = Command::new(env!("CARGO_BIN_EXE_guestsync"))
            .args(args)
            .env_clear()
            .envs(world.env())
            .envs(QUICK)
            .envs(world.extra_env.clone())
            .env("GUESTSYNC__LOG__FORMAT", "json")
            .envs(std::env::var("GUESTSYNC_CRASH_LOG_LEVEL").map(|l| ("GUESTSYNC__LOG__LEVEL", l)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        Self { child, log }
    }

    /// Whether the child is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// SIGKILL, and wait for it to be gone.
    pub async fn kill(&mut self) {
        self.child.start_kill().ok();
        self.child.wait().await.unwrap();
    }

    /// SIGTERM (a clean stop), and wait for it to be gone.
    pub async fn terminate(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
        self.child.wait().await.unwrap();
    }

    /// The last lines of the log and where it is (for failure messages).
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        format!(
            "{} (log {}; keep logs with GUESTSYNC_CRASH_LOGS=DIR)",
            lines[lines.len().saturating_sub(15)..].join("\n"),
            self.log.display()
        )
    }

    /// The `http://addr` the daemon serves health on, once it logged it.
    pub fn health_base(&self) -> Option<String> {
        let text = std::fs::read_to_string(&self.log).ok()?;
        text.lines()
            .filter(|line| line.contains("serving the status page"))
            .find_map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).ok()?;
                let address = value["fields"]["address"]
                    .as_str()
                    .or(value["address"].as_str())?;
                Some(format!("http://{address}"))
            })
    }
}

/// Where the children's logs go: the world's folder (removed with it), or a folder of it under
/// `GUESTSYNC_CRASH_LOGS` when that is set (kept, to read after a failure).
fn log_dir(world: &World) -> PathBuf {
    match std::env::var_os("GUESTSYNC_CRASH_LOGS") {
        Some(root) => {
            let dir = PathBuf::from(root).join(world.dir.path().file_name().unwrap());
            std::fs::create_dir_all(&dir).unwrap();
            dir
        }
        None => world.dir.path().to_path_buf(),
    }
}

/// Polls `done` every `every` until it holds; fails after `limit`, naming `what`.
pub async fn poll_until<F: AsyncFnMut() -> bool>(
    what: &str,
    limit: Duration,
    every: Duration,
    mut done: F,
) {
    let started = tokio::time::Instant::now();
    while !done().await {
        assert!(started.elapsed() < limit, "timed out waiting until {what}");
        tokio::time::sleep(every).await;
    }
}
