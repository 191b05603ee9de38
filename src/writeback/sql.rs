//! The write-back SQL per dialect: the table (created when missing) and the batched upsert
//! (PostgreSQL and SQLite `ON CONFLICT`, MySQL/MariaDB `ON DUPLICATE KEY UPDATE`). Values are
//! always bound; only the table name, validated at start-up, is part of the SQL text.

use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, MySql, Postgres, QueryBuilder, Sqlite};

use super::WriteBackRow;
use crate::source::config::Backend;

/// Binds every row's columns (in [`COLUMNS`] order) as one `VALUES` list.
macro_rules! bind_rows {
    ($qb:ident, $rows:expr) => {
        $qb.push_values($rows.iter(), |mut b, row| {
            b.push_bind(row.anchor.clone())
                .push_bind(row.object_id.clone())
                .push_bind(row.user_principal_name.clone())
                .push_bind(row.user_type.clone())
                .push_bind(row.redeem_url.clone())
                .push_bind(row.redemption_state.clone())
                .push_bind(row.redemption_changed_at)
                .push_bind(row.last_sync_at)
                .push_bind(row.last_error.clone());
        })
    };
}

/// Rows per statement (10 columns each, far below every backend's parameter limit).
pub(super) const BATCH: usize = 500;

/// The columns, in insert order.
const COLUMNS: [&str; 9] = [
    "anchor",
    "object_id",
    "user_principal_name",
    "user_type",
    "redeem_url",
    "redemption_state",
    "redemption_changed_at",
    "last_sync_at",
    "last_error",
];

/// The SQL dialect of the write-back database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

/// A pool and the table name.
pub(super) enum Target {
    Sqlite(SqlitePool, String),
    Postgres(PgPool, String),
    MySql(MySqlPool, String),
}

impl Target {
    pub(super) async fn connect(
        backend: Backend,
        url: &SecretString,
        table: &str,
    ) -> Result<Self, sqlx::Error> {
        let url = url.expose_secret();
        let table = table.to_string();
        Ok(match backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?;
                let pool = SqlitePoolOptions::new().max_connections(1);
                Target::Sqlite(pool.connect_with(options).await?, table)
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)?.application_name("guestsync");
                let pool = PgPoolOptions::new().max_connections(2);
                Target::Postgres(pool.connect_with(options).await?, table)
            }
            Backend::MySql => {
                let options = MySqlConnectOptions::from_str(url)?;
                let pool = MySqlPoolOptions::new().max_connections(2);
                Target::MySql(pool.connect_with(options).await?, table)
            }
        })
    }

    pub(super) fn dialect(&self) -> Dialect {
        match self {
            Target::Sqlite(..) => Dialect::Sqlite,
            Target::Postgres(..) => Dialect::Postgres,
            Target::MySql(..) => Dialect::MySql,
        }
    }

    pub(super) async fn create_table(&self) -> Result<(), sqlx::Error> {
        match self {
            Target::Sqlite(pool, t) => {
                let ddl = create_sql(t, "TEXT", "TEXT", "TEXT");
                sqlx::query(AssertSqlSafe(ddl)).execute(pool).await?;
            }
            Target::Postgres(pool, t) => {
                let ddl = create_sql(t, "text", "text", "timestamptz");
                sqlx::query(AssertSqlSafe(ddl)).execute(pool).await?;
            }
            Target::MySql(pool, t) => {
                let ddl = create_sql(t, "VARCHAR(255)", "TEXT", "DATETIME(6)");
                sqlx::query(AssertSqlSafe(ddl)).execute(pool).await?;
            }
        }
        Ok(())
    }

    pub(super) async fn upsert(&self, rows: &[&WriteBackRow]) -> Result<(), sqlx::Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let updates = |fmt: &dyn Fn(&str) -> String| {
            COLUMNS[1..]
                .iter()
                .map(|c| format!("{c} = {}", fmt(c)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Target::Sqlite(pool, t) => {
                let tail = format!(
                    " ON CONFLICT (anchor) DO UPDATE SET {}",
                    updates(&|c| format!("excluded.{c}"))
                );
                let mut qb = QueryBuilder::<Sqlite>::new(insert_head(t));
                bind_rows!(qb, rows)
                    .push(tail)
                    .build()
                    .execute(pool)
                    .await?;
            }
            Target::Postgres(pool, t) => {
                let tail = format!(
                    " ON CONFLICT (anchor) DO UPDATE SET {}",
                    updates(&|c| format!("EXCLUDED.{c}"))
                );
                let mut qb = QueryBuilder::<Postgres>::new(insert_head(t));
                bind_rows!(qb, rows)
                    .push(tail)
                    .build()
                    .execute(pool)
                    .await?;
            }
            Target::MySql(pool, t) => {
                let tail = format!(
                    " ON DUPLICATE KEY UPDATE {}",
                    updates(&|c| format!("VALUES({c})"))
                );
                let mut qb = QueryBuilder::<MySql>::new(insert_head(t));
                bind_rows!(qb, rows)
                    .push(tail)
                    .build()
                    .execute(pool)
                    .await?;
            }
        }
        Ok(())
    }
}

fn insert_head(table: &str) -> String {
    format!("INSERT INTO {table} ({}) ", COLUMNS.join(", "))
}

fn create_sql(table: &str, key: &str, text: &str, time: &str) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (anchor {key} PRIMARY KEY, object_id {text} NOT NULL, \
         user_principal_name {text}, user_type {text}, redeem_url {text}, \
         redemption_state {text}, redemption_changed_at {time}, last_sync_at {time} NOT NULL, \
         last_error {text})"
    )
}
