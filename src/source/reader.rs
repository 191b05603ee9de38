//! [`SourceReader`]: one pool per backend (an enum, not `sqlx::Any`), and the read-only,
//! time-limited run of the operator's query.
//!
//! - PostgreSQL: `BEGIN READ ONLY`, then `set_config('statement_timeout', …, true)` (the same
//!   as `SET LOCAL statement_timeout`).
//! - MariaDB: `SET SESSION max_statement_time` (MySQL: `max_execution_time`), then
//!   `START TRANSACTION READ ONLY`.
//! - SQLite: the pool opens the file read-only; the timeout is enforced by the client.
//!
//! Every backend is also bounded by a client-side timeout, so a hung server cannot hang a cycle.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use secrecy::ExposeSecret;
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, Column, Connection, Executor, SqlSafeStr, SqlStr, Statement};

use super::config::Backend;
use super::decode::{mysql::MySqlDecoder, postgres::PgDecoder, sqlite::SqliteDecoder};
use super::mapping::Mapping;
use super::stream::{Limits, check_columns, drain};
use super::{SourceConfig, SourceError, SourceSnapshot};

/// Extra client-side time on top of the server-side statement timeout (connection acquisition,
/// the server's own cancellation).
const CLIENT_GRACE: Duration = Duration::from_secs(5);
/// Connections per source pool: reads are sequential, one spare.
const MAX_CONNECTIONS: u32 = 2;

/// A connection pool to the source, per backend.
#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
    MySql(MySqlPool),
}

/// Reads the source: connects once, then [`SourceReader::read`] runs the query per cycle.
#[derive(Clone)]
pub struct SourceReader {
    pool: Pool,
    query: SqlStr,
    limits: Limits,
    mapping: Arc<Mapping>,
}

/// Names the backend and limits only: nothing of the URL.
impl fmt::Debug for SourceReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let backend = match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
            Pool::MySql(_) => Backend::MySql,
        };
        f.debug_struct("SourceReader")
            .field("backend", &backend)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

impl SourceReader {
    /// Connects to the source named by `config.url` (the backend is chosen by its scheme).
    pub async fn connect(config: &SourceConfig) -> Result<Self, SourceError> {
        let (backend, url) = Backend::from_url(&config.url)?;
        let url = url.expose_secret();
        let bad_url = |e: sqlx::Error| SourceError::Url(e.to_string());
        let pool = match backend {
            Backend::Sqlite => {
                let options = SqliteConnectOptions::from_str(url).map_err(bad_url)?;
                let options = options.read_only(true).create_if_missing(false);
                Pool::Sqlite(connected(
                    SqlitePoolOptions::new().connect_with(options).await,
                )?)
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url).map_err(bad_url)?;
                let options = options.application_name("guestsync-source");
                Pool::Postgres(connected(pool_options_pg().connect_with(options).await)?)
            }
            Backend::MySql => {
                let options = MySqlConnectOptions::from_str(url).map_err(bad_url)?;
                Pool::MySql(connected(pool_options_my().connect_with(options).await)?)
            }
        };
        let limits = Limits {
            timeout: config.statement_timeout,
            max_rows: config.max_rows,
        };
        let query = AssertSqlSafe(config.query.clone()).into_sql_str();
        Ok(Self {
            pool,
            query,
            limits,
            mapping: Arc::new(Mapping::default()),
        })
    }

    /// Reads the columns of `mapping` instead of the default mapping.
    pub fn with_mapping(mut self, mapping: Mapping) -> Self {
        self.mapping = Arc::new(mapping);
        self
    }

    /// Runs the query once and returns the complete snapshot, or an error: never a partial one.
    #[tracing::instrument(name = "source.read", skip_all, err)]
    pub async fn read(&self) -> Result<SourceSnapshot, SourceError> {
        let timeout = self.limits.timeout;
        let (bound, read) = match &self.pool {
            Pool::Sqlite(pool) => (
                timeout,
                sqlite(pool, self.query.clone(), self.limits, &self.mapping).boxed(),
            ),
            Pool::Postgres(pool) => (
                timeout + CLIENT_GRACE,
                postgres(pool, self.query.clone(), self.limits, &self.mapping).boxed(),
            ),
            Pool::MySql(pool) => (
                timeout + CLIENT_GRACE,
                mysql(pool, self.query.clone(), self.limits, &self.mapping).boxed(),
            ),
        };
        tokio::time::timeout(bound, read)
            .await
            .unwrap_or(Err(SourceError::Timeout(timeout)))
    }
}

fn connected<P>(result: Result<P, sqlx::Error>) -> Result<P, SourceError> {
    result.map_err(|e| SourceError::Connect(e.to_string()))
}

fn pool_options_pg() -> PgPoolOptions {
    PgPoolOptions::new().max_connections(MAX_CONNECTIONS)
}

fn pool_options_my() -> MySqlPoolOptions {
    MySqlPoolOptions::new().max_connections(MAX_CONNECTIONS)
}

async fn sqlite(
    pool: &SqlitePool,
    query: SqlStr,
    limits: Limits,
    mapping: &Mapping,
) -> Result<SourceSnapshot, SourceError> {
    let mut tx = pool.begin().await.map_err(|e| limits.error(e))?;
    let rows = sqlx::query(query.clone()).fetch(&mut *tx);
    let snapshot = match drain::<SqliteDecoder>(rows, limits, mapping).await? {
        Some(snapshot) => snapshot,
        None => {
            let statement = (&mut *tx)
                .prepare(query)
                .await
                .map_err(|e| limits.error(e))?;
            check_columns(statement.columns().iter().map(|c| c.name()), mapping)?
        }
    };
    tx.rollback().await.map_err(|e| limits.error(e))?;
    Ok(snapshot)
}

async fn postgres(
    pool: &PgPool,
    query: SqlStr,
    limits: Limits,
    mapping: &Mapping,
) -> Result<SourceSnapshot, SourceError> {
    let fail = |e| limits.error(e);
    let mut tx = pool.begin_with("BEGIN READ ONLY").await.map_err(fail)?;
    sqlx::query("SELECT set_config('statement_timeout', $1, true)")
        .bind(format!("{}ms", limits.timeout.as_millis().max(1)))
        .execute(&mut *tx)
        .await
        .map_err(fail)?;
    let rows = sqlx::query(query.clone()).fetch(&mut *tx);
    let snapshot = match drain::<PgDecoder>(rows, limits, mapping).await? {
        Some(snapshot) => snapshot,
        None => {
            let statement = (&mut *tx).prepare(query).await.map_err(fail)?;
            check_columns(statement.columns().iter().map(|c| c.name()), mapping)?
        }
    };
    tx.rollback().await.map_err(fail)?;
    Ok(snapshot)
}

async fn mysql(
    pool: &MySqlPool,
    query: SqlStr,
    limits: Limits,
    mapping: &Mapping,
) -> Result<SourceSnapshot, SourceError> {
    let fail = |e| limits.error(e);
    let mut conn = pool.acquire().await.map_err(fail)?;
    mysql_timeout(&mut conn, limits.timeout)
        .await
        .map_err(fail)?;
    let mut tx = conn
        .begin_with("START TRANSACTION READ ONLY")
        .await
        .map_err(fail)?;
    let rows = sqlx::query(query.clone()).fetch(&mut *tx);
    let snapshot = match drain::<MySqlDecoder>(rows, limits, mapping).await? {
        Some(snapshot) => snapshot,
        None => {
            let statement = (&mut *tx).prepare(query).await.map_err(fail)?;
            check_columns(statement.columns().iter().map(|c| c.name()), mapping)?
        }
    };
    tx.rollback().await.map_err(fail)?;
    Ok(snapshot)
}

/// Sets the session's statement timeout: MariaDB's `max_statement_time` (seconds), or MySQL's
/// `max_execution_time` (milliseconds) where the former does not exist (error 1193).
async fn mysql_timeout(
    conn: &mut sqlx::MySqlConnection,
    timeout: Duration,
) -> Result<(), sqlx::Error> {
    let seconds = format!(
        "SET SESSION max_statement_time = {:.3}",
        timeout.as_secs_f64()
    );
    match sqlx::query(AssertSqlSafe(seconds))
        .execute(&mut *conn)
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_unknown_variable(&e) => {
            let ms = format!(
                "SET SESSION max_execution_time = {}",
                timeout.as_millis().max(1)
            );
            sqlx::query(AssertSqlSafe(ms))
                .execute(&mut *conn)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    }
}

fn is_unknown_variable(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|m| m.number() == 1193)
}
