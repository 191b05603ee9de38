//! Writes the demo's SQLite source: a `partners` table as an IDM team might keep it.

use std::path::Path;

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use super::sample::PartnerRow;

/// The query guestsync runs against the demo source (aliases map the columns).
pub const DEMO_QUERY: &str = "SELECT partner_id AS anchor, email, display_name, given_name, surname, \
     job_title, department, company AS company_name, office AS office_location \
     FROM partners WHERE active = 1";

/// Creates `path` afresh with `rows` in a `partners` table.
pub async fn write_source(path: &Path, rows: &[PartnerRow]) -> Result<(), sqlx::Error> {
    if path.exists() {
        std::fs::remove_file(path)?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&options).await?;
    sqlx::query(
        "CREATE TABLE partners (
            partner_id TEXT, email TEXT NOT NULL, display_name TEXT, given_name TEXT,
            surname TEXT, job_title TEXT, department TEXT, company TEXT, office TEXT,
            active INTEGER NOT NULL DEFAULT 1)",
    )
    .execute(&mut conn)
    .await?;
    let mut tx = conn.begin().await?;
    for row in rows {
        sqlx::query(
            "INSERT INTO partners (partner_id, email, display_name, given_name, surname, job_title, department, company, office)
             VALUES (?, ?, ?, NULLIF(?, ''), NULLIF(?, ''), ?, ?, ?, ?)",
        )
        .bind(&row.partner_id)
        .bind(&row.email)
        .bind(&row.display_name)
        .bind(&row.given_name)
        .bind(&row.surname)
        .bind(&row.job_title)
        .bind(&row.department)
        .bind(&row.company)
        .bind(&row.office)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    conn.close().await
}
