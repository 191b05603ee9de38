//! The SQLite adapter of [`Store`](crate::store::Store): the embedded default (one file, one
//! process).
//!
//! WAL journal, `busy_timeout`, foreign keys on. Writes go through a one-connection pool (one
//! writer, as SQLite wants) and every writing transaction starts with `BEGIN IMMEDIATE`; reads
//! use a small pool of their own, which WAL lets run beside the writer. In-memory databases
//! are not supported (the two pools would see two databases).

mod claim;
mod codec;
mod control;
mod items;
mod leader;
mod links;
mod mail;
mod plan;
mod redemption;
mod runs;
mod settle;
mod store_impl;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqlSafeStr, SqlitePool};

use crate::store::{StoreError, StoreResult};

/// How long a statement waits for a lock held by another process before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections for readers.
const READERS: u32 = 4;

/// The state store on SQLite.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at `url`, e.g. `sqlite://state.db`.
    /// Does not migrate: call [`Store::migrate`](crate::store::Store::migrate).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if !url.starts_with("sqlite:") {
            return Err(StoreError::InvalidUrl("expected a sqlite: URL".to_string()));
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let writer = first_connection(&options).await?;
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(options)
            .await?;
        Ok(Self { writer, reader })
    }

    /// Closes both pools.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// The writer pool. Its first connection switches a new file to WAL, which fails at once with
/// "database is locked" while another process does the same; that is tried again a few times.
async fn first_connection(options: &SqliteConnectOptions) -> StoreResult<SqlitePool> {
    let mut attempt = 1;
    loop {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await;
        match pool {
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("5") && attempt < 10 => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            other => return Ok(other?),
        }
    }
}

/// The embedded migrations of `migrations/sqlite`.
fn migrator() -> Migrator {
    let migration = |version, description: &'static str, sql: &'static str| {
        Migration::new(
            version,
            description.into(),
            MigrationType::Simple,
            sql.into_sql_str(),
            false,
        )
    };
    Migrator::with_migrations(vec![
        migration(
            1,
            "state store",
            include_str!("../../../migrations/sqlite/0001_state_store.sql"),
        ),
        migration(
            2,
            "replicas",
            include_str!("../../../migrations/sqlite/0002_replicas.sql"),
        ),
        migration(
            3,
            "control",
            include_str!("../../../migrations/sqlite/0003_control.sql"),
        ),
        migration(
            4,
            "redemption",
            include_str!("../../../migrations/sqlite/0004_redemption.sql"),
        ),
        migration(
            5,
            "link lifecycle",
            include_str!("../../../migrations/sqlite/0005_link_lifecycle.sql"),
        ),
        migration(
            6,
            "queue claim index",
            include_str!("../../../migrations/sqlite/0006_queue_claim_index.sql"),
        ),
        migration(
            7,
            "held superseded",
            include_str!("../../../migrations/sqlite/0007_held_superseded.sql"),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::SqliteStore;
    use crate::store::{ItemState, PlannedItem, Store};

    #[tokio::test]
    async fn data_survives_reconnect_and_remigration() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("state.db").display());
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let run = store.run_start(now, "once").await.unwrap();
        let item = PlannedItem {
            anchor: "a".into(),
            action: "invite".into(),
            desired_hash: "h".into(),
            payload: serde_json::json!({}),
        };
        store.plan_record(run, now, vec![item]).await.unwrap();
        store.close().await;
        let again = SqliteStore::connect(&url).await.unwrap();
        again.migrate().await.unwrap();
        let item = again.item_get("a").await.unwrap().unwrap();
        assert_eq!(item.state, ItemState::Pending);
    }

    #[tokio::test]
    async fn a_bad_url_is_a_typed_error() {
        let err = SqliteStore::connect("postgres://nope").await.unwrap_err();
        assert!(
            matches!(err, crate::store::StoreError::InvalidUrl(_)),
            "{err:?}"
        );
    }
}
