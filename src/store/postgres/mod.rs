//! The PostgreSQL adapter of [`Store`](crate::store::Store): the production store, shared by
//! several replicas.
//!
//! One connection pool. Claims use `FOR UPDATE SKIP LOCKED`, so replicas never wait on each
//! other's batches; every settle locks and fences its row (anchor, lease token, `running`)
//! inside one transaction. Recording a plan, approving a held run and reviving a dead item
//! send `NOTIFY guestsync_item` in their transaction; [`PgStore::listen`] turns those into
//! wake-ups.

mod batch;
mod claim;
mod codec;
mod control;
mod items;
mod leader;
mod links;
mod listen;
mod mail;
mod plan;
mod redemption;
mod runs;
mod settle;
mod store_impl;
mod throttle;

pub use throttle::SlotBudget;

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, SqlSafeStr};

use crate::store::{StoreError, StoreResult};

/// Connections in the pool.
const CONNECTIONS: u32 = 10;
/// How long a caller waits for a free connection before failing.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The state store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…` or `postgresql://…`).
    /// Does not migrate: call [`Store::migrate`](crate::store::Store::migrate).
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::InvalidUrl(
                "expected a postgres:// URL".to_string(),
            ));
        }
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::InvalidUrl(e.to_string()))?
            .application_name("guestsync");
        // One direct connection first, so a wrong URL or an unreachable server fails at once
        // instead of after the pool's acquire timeout.
        PgConnection::connect_with(&options).await?.close().await?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options);
        Ok(Self { pool })
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The embedded migrations of `migrations/postgres`.
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
            include_str!("../../../migrations/postgres/0001_state_store.sql"),
        ),
        migration(
            2,
            "replicas",
            include_str!("../../../migrations/postgres/0002_replicas.sql"),
        ),
        migration(
            3,
            "control",
            include_str!("../../../migrations/postgres/0003_control.sql"),
        ),
        migration(
            4,
            "redemption",
            include_str!("../../../migrations/postgres/0004_redemption.sql"),
        ),
        migration(
            5,
            "link lifecycle",
            include_str!("../../../migrations/postgres/0005_link_lifecycle.sql"),
        ),
        migration(
            6,
            "queue claim index",
            include_str!("../../../migrations/postgres/0006_queue_claim_index.sql"),
        ),
        migration(
            7,
            "held superseded",
            include_str!("../../../migrations/postgres/0007_held_superseded.sql"),
        ),
    ])
}

/// Sends the wake-up notification inside the caller's transaction (delivered at commit).
async fn notify(conn: &mut sqlx::PgConnection) -> StoreResult<()> {
    sqlx::query("SELECT pg_notify('guestsync_item', '')")
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::PgStore;
    use crate::store::StoreError;

    #[tokio::test]
    async fn a_bad_url_is_a_typed_error() {
        let err = PgStore::connect("sqlite://nope.db").await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidUrl(_)), "{err:?}");
        let err = PgStore::connect("postgres://[bad").await.unwrap_err();
        assert!(matches!(err, StoreError::InvalidUrl(_)), "{err:?}");
    }
}
