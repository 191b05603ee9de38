//! A whole world for end-to-end tests: the emulator in-process, a SQLite source of sample
//! partners and a SQLite state store in a temporary folder, and settings pointing at them.

use std::path::PathBuf;

use guestsync::app::build::{Parts, parts};
use guestsync::demo::sample::PartnerRow;
use guestsync::demo::source::{DEMO_QUERY, write_source};
use guestsync::emulator::{EmulatorConfig, EmulatorHandle, Knobs, SeedUser};
use guestsync::settings::Settings;
use guestsync::sync::CycleReport;
use guestsync::worker::DrainReport;
use tokio_util::sync::CancellationToken;

/// The emulator, the source and the state store of one test.
pub struct World {
    pub emulator: EmulatorHandle,
    pub dir: tempfile::TempDir,
    pub source_db: PathBuf,
    pub extra_env: Vec<(String, String)>,
}

impl World {
    /// Starts the emulator with `knobs` and `seed` users and writes `rows` as the source.
    pub async fn start(knobs: Knobs, seed: Vec<SeedUser>, rows: &[PartnerRow]) -> Self {
        let config = EmulatorConfig {
            knobs,
            seed_users: seed,
            ..EmulatorConfig::default()
        };
        let emulator = guestsync::emulator::start(config, "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let source_db = dir.path().join("source.db");
        write_source(&source_db, rows).await.unwrap();
        Self {
            emulator,
            dir,
            source_db,
            extra_env: Vec::new(),
        }
    }

    /// Replaces the source rows.
    pub async fn set_rows(&self, rows: &[PartnerRow]) {
        write_source(&self.source_db, rows).await.unwrap();
    }

    /// The state store's URL.
    pub fn state_url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("state.db").display())
    }

    /// The guestsync binary configured for this world (nothing else of the caller's
    /// environment), no stdin, killed when dropped.
    pub fn command(&self) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"));
        command
            .env_clear()
            .envs(self.env())
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        command
    }

    /// The environment that configures guestsync for this world.
    pub fn env(&self) -> Vec<(String, String)> {
        let config = self.emulator.config();
        let mut env: Vec<(String, String)> = [
            ("GUESTSYNC__GRAPH__BASE_URL", self.emulator.base_url()),
            ("GUESTSYNC__GRAPH__RETRY_BASE", "200ms".into()),
            ("GUESTSYNC__GRAPH__RETRY_FALLBACK", "1s".into()),
            (
                "GUESTSYNC__AUTH__AUTHORITY_URL",
                self.emulator.authority_url(),
            ),
            ("GUESTSYNC__AUTH__TENANT_ID", config.tenant_id.clone()),
            ("GUESTSYNC__AUTH__CLIENT_ID", config.client_id.clone()),
            (
                "GUESTSYNC__AUTH__CLIENT_SECRET",
                config.client_secret.clone(),
            ),
            ("GUESTSYNC__STATE__URL", self.state_url()),
            (
                "GUESTSYNC__SOURCE__URL",
                format!("sqlite://{}", self.source_db.display()),
            ),
            ("GUESTSYNC__SOURCE__QUERY", DEMO_QUERY.into()),
            ("GUESTSYNC__SYNC__REPLICATION_WINDOW", "15s".into()),
            ("GUESTSYNC__WORKERS__LEASE", "10s".into()),
            // Tests never bind a fixed port: a daemon serves health and metrics on any free one.
            ("GUESTSYNC__HTTP__LISTEN", "127.0.0.1:0".into()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        env.extend(self.extra_env.iter().cloned());
        env
    }

    /// Settings for this world.
    pub fn settings(&self) -> Settings {
        Settings::load_with_env(None, self.env()).unwrap()
    }

    /// Fresh parts (store, Graph client, engine, pool) for this world.
    pub async fn parts(&self) -> Parts {
        parts(&self.settings()).await.unwrap()
    }

    /// One cycle and a drain of the queue.
    pub async fn sync_once(&self) -> (CycleReport, DrainReport) {
        let parts = self.parts().await;
        let report = parts.engine.run_cycle("test").await.unwrap();
        let drained = parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
        (report, drained)
    }

    /// How many live users of the emulator are disabled.
    pub fn disabled_users(&self) -> usize {
        self.emulator
            .users()
            .iter()
            .filter(|u| u["accountEnabled"] == false)
            .count()
    }

    /// The live users the emulator holds whose mail is `mail` (case-insensitive).
    pub fn users_with_mail(&self, mail: &str) -> Vec<serde_json::Value> {
        self.emulator
            .users()
            .into_iter()
            .filter(|u| {
                u["mail"]
                    .as_str()
                    .is_some_and(|m| m.eq_ignore_ascii_case(mail))
            })
            .collect()
    }
}
