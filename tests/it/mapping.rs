//! `[mapping]`, per-row invitation options and `[[scope]]` end to end: a source table of any
//! shape (`People`), a configuration file, and the emulator read back with `$select`.

mod options;
mod roundtrip;
mod rules;
mod scoping;

use std::io::Write;
use std::path::PathBuf;

use guestsync::app::build::parts;
use guestsync::emulator::Knobs;
use guestsync::settings::Settings;
use guestsync::sync::CycleReport;
use guestsync::worker::DrainReport;
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tokio_util::sync::CancellationToken;

use crate::support::world::World;

/// A SQLite `people` table with text columns of our choosing, read with `SELECT *`.
pub struct People {
    pub world: World,
    pub path: PathBuf,
    pub columns: Vec<String>,
    config: tempfile::NamedTempFile,
}

/// One row: a value (or NULL) per column.
pub type Row = Vec<Option<String>>;

impl People {
    /// The emulator and an empty source with `columns`; `config` is the TOML file's text.
    pub async fn start(columns: &[&str], config: &str) -> Self {
        let mut world = World::start(Knobs::default(), Vec::new(), &[]).await;
        let path = world.dir.path().join("people.db");
        world.extra_env.push((
            "GUESTSYNC__SOURCE__URL".into(),
            format!("sqlite://{}", path.display()),
        ));
        world.extra_env.push((
            "GUESTSYNC__SOURCE__QUERY".into(),
            "SELECT * FROM people".into(),
        ));
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        file.write_all(config.as_bytes()).unwrap();
        let people = Self {
            world,
            path,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            config: file,
        };
        people.set_rows(&[]).await;
        people
    }

    /// Replaces the table's rows.
    pub async fn set_rows(&self, rows: &[Row]) {
        if self.path.exists() {
            std::fs::remove_file(&self.path).unwrap();
        }
        let options = SqliteConnectOptions::new()
            .filename(&self.path)
            .create_if_missing(true);
        let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("\"{c}\" TEXT"))
            .collect();
        let create = format!("CREATE TABLE people ({})", columns.join(", "));
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&mut conn)
            .await
            .unwrap();
        let marks = vec!["?"; self.columns.len()].join(", ");
        for row in rows {
            let insert = format!("INSERT INTO people VALUES ({marks})");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(insert));
            for value in row {
                query = query.bind(value.clone());
            }
            query.execute(&mut conn).await.unwrap();
        }
        conn.close().await.unwrap();
    }

    /// The settings: the world's environment over the configuration file.
    pub fn settings(&self) -> Settings {
        Settings::load_with_env(Some(self.config.path()), self.world.env()).unwrap()
    }

    /// One cycle and a drain of the queue.
    pub async fn sync_once(&self) -> (CycleReport, DrainReport) {
        let parts = parts(&self.settings()).await.unwrap();
        let report = parts.engine.run_cycle("test").await.unwrap();
        let drained = parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
        (report, drained)
    }

    /// The one live user whose mail is `mail`.
    pub fn user(&self, mail: &str) -> serde_json::Value {
        let users = self.world.users_with_mail(mail);
        assert_eq!(users.len(), 1, "{mail}: {users:?}");
        users[0].clone()
    }
}

/// `Some(text)`.
pub fn s(text: &str) -> Option<String> {
    Some(text.to_string())
}
