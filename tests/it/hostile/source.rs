//! Writes the hostile corpus as a SQLite source table whose columns have no declared type, so
//! each cell keeps the storage class the corpus gives it (text, integer, real, blob, or bytes
//! that are not UTF-8 stored as text).

use std::path::Path;

use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Sqlite};

use super::corpus::{ATTRIBUTES, Cell, Row};

/// The source query guestsync runs: the default column names, in corpus order.
pub const QUERY: &str = "SELECT anchor, email, display_name, given_name, surname, job_title, \
     department, company_name, office_location FROM hostile ORDER BY seq";

type Insert<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments>;

fn bind<'q>(query: Insert<'q>, cell: &Cell) -> Insert<'q> {
    match cell {
        Cell::Null => query.bind(None::<String>),
        Cell::Text(s) => query.bind(s.clone()),
        Cell::Int(i) => query.bind(*i),
        Cell::Real(r) => query.bind(*r),
        Cell::Blob(b) | Cell::BadText(b) => query.bind(b.clone()),
    }
}

/// Creates the `hostile` table in `path` (next to the harness's own table) holding `rows`.
pub async fn write(path: &Path, rows: &[Row]) {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query(
        "CREATE TABLE hostile (seq INTEGER PRIMARY KEY, anchor, email, display_name, \
         given_name, surname, job_title, department, company_name, office_location)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let columns: Vec<&str> = ["anchor", "email"]
        .into_iter()
        .chain(ATTRIBUTES.iter().map(|(column, _)| *column))
        .collect();
    let mut tx = conn.begin().await.unwrap();
    for (seq, row) in rows.iter().enumerate() {
        let seq = i64::try_from(seq).unwrap();
        let cells: Vec<&Cell> = [&row.anchor, &row.email]
            .into_iter()
            .chain(row.attributes.iter())
            .collect();
        let mut insert =
            sqlx::query("INSERT INTO hostile VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").bind(seq);
        for cell in &cells {
            insert = bind(insert, cell);
        }
        insert.execute(&mut *tx).await.unwrap();
        for (column, cell) in columns.iter().zip(&cells) {
            if matches!(cell, Cell::BadText(_)) {
                let sql =
                    format!("UPDATE hostile SET {column} = CAST({column} AS TEXT) WHERE seq = ?");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(seq)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
        }
    }
    tx.commit().await.unwrap();
    conn.close().await.unwrap();
}
