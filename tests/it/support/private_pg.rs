//! A private PostgreSQL server for tests that stop, crash or restart their database (the shared
//! server on 5432 must never be touched). Each instance is an `initdb` into a temporary folder,
//! served on a free port with its socket in that folder; dropping it stops the server
//! (`immediate`) and removes the folder. A test process killed before its drop ran (SIGKILL,
//! a timeout) leaves its servers running: each folder holds the owning process id, and every
//! new instance first stops and removes the servers of owners that are gone.
//!
//! The binaries are found in `/usr/lib/postgresql/<newest>/bin` (Debian's layout; `.ci/run`
//! machines have it because they run PostgreSQL), else on `PATH`. `initdb` and `postgres` refuse to
//! run as root: as root they run as the `postgres` user through `runuser`. Without the binaries
//! the test is skipped loudly, unless `GUESTSYNC_REQUIRE_DB_TESTS=1`, where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::db::required;

/// A running (or stopped) private PostgreSQL server.
pub struct PrivatePg {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_root: bool,
}

impl PrivatePg {
    /// Initialises and starts a server; `None` (after a loud message) when the test is skipped.
    pub async fn start() -> Option<Self> {
        let bin = binaries()?;
        let server = tokio::task::spawn_blocking(move || Self::start_blocking(bin))
            .await
            .unwrap();
        Some(server)
    }

    fn start_blocking(bin: PathBuf) -> Self {
        reap_orphans(&bin);
        let dir = tempfile::Builder::new().prefix(PREFIX).tempdir().unwrap();
        std::fs::write(dir.path().join(OWNER), std::process::id().to_string()).unwrap();
        let as_root = run_plain("id", &["-u"]).trim() == "0";
        if as_root {
            run_plain(
                "chown",
                &["postgres:postgres", &dir.path().display().to_string()],
            );
        }
        let server = Self {
            bin,
            dir,
            port: free_port(),
            as_root,
        };
        let data = server.data().display().to_string();
        server.pg(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        server.start_again_blocking();
        server
    }

    /// `postgres://postgres@127.0.0.1:PORT/{database}`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Stops the server the hard way (`immediate`: clients cut off, crash recovery on start).
    pub async fn crash(&self) {
        self.ctl_async(&["stop", "-m", "immediate", "-w"]).await;
    }

    /// Starts the stopped server again on the same port and waits until it accepts connections.
    pub async fn start_again(&self) {
        let options = self.server_options();
        let log = self.dir.path().join("server.log").display().to_string();
        self.ctl_async(&["start", "-w", "-t", "120", "-l", &log, "-o", &options])
            .await;
    }

    fn start_again_blocking(&self) {
        let options = self.server_options();
        let log = self.dir.path().join("server.log").display().to_string();
        let data = self.data().display().to_string();
        self.pg(
            "pg_ctl",
            &[
                "start", "-w", "-t", "120", "-D", &data, "-l", &log, "-o", &options,
            ],
        );
    }

    /// Creates a database and returns its URL.
    pub async fn create_database(&self, name: &str) -> String {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.url("postgres"))
            .await
            .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .unwrap();
        self.url(name)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn server_options(&self) -> String {
        format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
             -c shared_buffers=16MB -c max_connections=60",
            self.port,
            self.dir.path().display()
        )
    }

    async fn ctl_async(&self, args: &[&str]) {
        let (bin, data, as_root) = (self.bin.clone(), self.data(), self.as_root);
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        tokio::task::spawn_blocking(move || {
            let mut all = vec!["-D".to_string(), data.display().to_string()];
            all.extend(args);
            let all: Vec<&str> = all.iter().map(String::as_str).collect();
            check(run_pg(&bin, as_root, "pg_ctl", &all), "pg_ctl");
        })
        .await
        .unwrap();
    }

    fn pg(&self, tool: &str, args: &[&str]) {
        check(run_pg(&self.bin, self.as_root, tool, args), tool);
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let data = self.data().display().to_string();
        // Best effort: the server may already be stopped.
        let _ = run_pg(
            &self.bin,
            self.as_root,
            "pg_ctl",
            &["stop", "-m", "immediate", "-w", "-D", &data],
        );
    }
}

/// The prefix of every private server's folder in the temporary directory.
const PREFIX: &str = "guestsync-pg-";
/// The file in that folder naming the test process that owns the server.
const OWNER: &str = "owner.pid";

/// Stops and removes the private servers whose owning test process is gone. A folder without
/// an owner file is left alone (it is being created right now, or is not ours).
fn reap_orphans(bin: &Path) {
    let as_root = run_plain("id", &["-u"]).trim() == "0";
    let entries = std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten();
    for dir in entries.flatten().map(|e| e.path()) {
        let ours = dir
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(PREFIX));
        let Ok(owner) = std::fs::read_to_string(dir.join(OWNER)) else {
            continue;
        };
        let alive = Path::new("/proc").join(owner.trim()).exists();
        if !ours || alive {
            continue;
        }
        let data = dir.join("data").display().to_string();
        let _ = run_pg(
            bin,
            as_root,
            "pg_ctl",
            &["stop", "-m", "immediate", "-w", "-D", &data],
        );
        eprintln!("stopped and removed a private PostgreSQL left by process {owner}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// The folder holding `initdb`, `pg_ctl` and `postgres`: the newest Debian version folder, else
/// the folder of `pg_ctl` on `PATH`.
fn binaries() -> Option<PathBuf> {
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin);
    let found = debian.or_else(|| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path).find(|dir| dir.join("initdb").is_file())
    });
    if found.is_none() {
        let what = "PostgreSQL server binaries (initdb, pg_ctl)";
        if required() {
            panic!("{what} not found (Debian package postgresql) but GUESTSYNC_REQUIRE_DB_TESTS=1");
        }
        eprintln!("\n!!! SKIPPED: {what} not found; this test did not run !!!\n");
    }
    found
}

fn run_pg(bin: &Path, as_root: bool, tool: &str, args: &[&str]) -> Output {
    let program = bin.join(tool);
    let mut command = if as_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&program);
        c
    } else {
        Command::new(&program)
    };
    command
        .args(args)
        .current_dir("/")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()))
}

fn check(output: Output, tool: &str) {
    assert!(
        output.status.success(),
        "{tool} failed ({}): {}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn run_plain(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap();
    check(output.clone(), program);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A port nobody listens on right now (bound and released; a race with another binder is
/// possible but unlikely on a test machine).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    port
}
