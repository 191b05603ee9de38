//! Fresh databases for tests.
//!
//! PostgreSQL and MariaDB URLs come from `GUESTSYNC_TEST_POSTGRES_URL` and
//! `GUESTSYNC_TEST_MYSQL_URL` (server URLs without a database name). Each test gets a database of
//! its own, named uniquely, so tests run in parallel. Without a URL the test is skipped with a loud
//! message, unless `GUESTSYNC_REQUIRE_DB_TESTS=1`, where a missing database is a failure.
//!
//! A test database is named `gs_test_{pid}_{uuid}` after the test process that made it, so that
//! `.ci/run` can drop the ones whose process is gone before a run (they would pile up on a
//! machine that runs the suite again and again) without touching a run in progress.

use sqlx::Connection;

/// Whether database tests are required (set by `.ci/run`).
pub fn required() -> bool {
    std::env::var("GUESTSYNC_REQUIRE_DB_TESTS").is_ok_and(|v| v == "1")
}

fn server_url(var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_string()),
        _ if required() => panic!("{var} is not set but GUESTSYNC_REQUIRE_DB_TESTS=1"),
        _ => {
            eprintln!("\n!!! SKIPPED: {var} is not set; this database test did not run !!!\n");
            None
        }
    }
}

fn unique_name(prefix: &str) -> String {
    let (pid, id) = (std::process::id(), uuid::Uuid::new_v4().simple());
    format!("{prefix}_{pid}_{id}")
}

/// A fresh, empty PostgreSQL database; returns its URL, or `None` when skipped.
pub async fn fresh_postgres() -> Option<String> {
    let server = server_url("GUESTSYNC_TEST_POSTGRES_URL")?;
    let name = unique_name("gs_test");
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {server}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    Some(format!("{server}/{name}"))
}

/// A fresh, empty MariaDB/MySQL database; returns its URL, or `None` when skipped.
pub async fn fresh_mysql() -> Option<String> {
    let server = server_url("GUESTSYNC_TEST_MYSQL_URL")?;
    let name = unique_name("gs_test");
    let mut admin = sqlx::MySqlConnection::connect(&server)
        .await
        .unwrap_or_else(|e| panic!("cannot reach MariaDB at {server}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )))
    .execute(&mut admin)
    .await
    .expect("create test database");
    Some(format!("{server}/{name}"))
}

/// A fresh SQLite database file in a temporary directory that lives as long as the guard.
pub fn fresh_sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    (dir, url)
}
