//! Tests of the source part: the reader against real SQLite, PostgreSQL and MariaDB databases.
//! Normalisation rules have unit tests in `src/identity/` and `src/source/`.

use std::time::Duration;

use guestsync::identity::Property;
use guestsync::source::{SourceConfig, SourceError, SourceReader, SourceSnapshot};
use sqlx::Connection;

use crate::support::db;

pub(crate) fn config(url: &str, query: &str) -> SourceConfig {
    SourceConfig {
        url: url.to_string().into(),
        query: query.to_string(),
        statement_timeout: Duration::from_secs(30),
        max_rows: None,
    }
}

pub(crate) async fn read(url: &str, query: &str) -> Result<SourceSnapshot, SourceError> {
    SourceReader::connect(&config(url, query))
        .await?
        .read()
        .await
}

pub(crate) fn anchors(s: &SourceSnapshot) -> Vec<&str> {
    s.identities.iter().map(|i| i.anchor.as_str()).collect()
}

fn rejected(s: &SourceSnapshot) -> Vec<(u64, Option<&str>, &str)> {
    s.rejected
        .iter()
        .map(|r| (r.row_number, r.anchor.as_deref(), r.reason.as_str()))
        .collect()
}

/// 1,000 generated rows whose 500th fails in SQLite (abs of the smallest integer overflows).
const SQLITE_FAILS_HALF_WAY: &str = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 \
     FROM s WHERE n < 1000) SELECT n AS anchor, 'u' || n || '@x.example' AS email, \
     abs(-9223372036854775807 + 499 - n) AS boom FROM s";

async fn sqlite_source() -> (tempfile::TempDir, String) {
    let (dir, url) = db::fresh_sqlite();
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    let long = "x".repeat(300);
    let rows = [
        "CREATE TABLE people (id INTEGER, mail TEXT, name TEXT, title TEXT, note TEXT)",
        "INSERT INTO people VALUES (1, ' Ada@Partner.EXAMPLE ', ' Ada  Lovelace ', 'Eng\tLead', 'x')",
        "INSERT INTO people VALUES (2, 'o''brien@partner.example', NULL, '', NULL)",
        "INSERT INTO people VALUES (NULL, 'nobody@partner.example', NULL, NULL, NULL)",
        "INSERT INTO people VALUES (4, 'bad@@partner.example', NULL, NULL, NULL)",
        "INSERT INTO people VALUES (5, 'zw' || char(8203) || '@partner.example', NULL, NULL, NULL)",
        "INSERT INTO people VALUES (6, 'ok6@partner.example', 'LONG', NULL, NULL)",
        "INSERT INTO people VALUES (7, 'dup7@partner.example', NULL, NULL, NULL)",
        "INSERT INTO people VALUES (7, 'dup7b@partner.example', NULL, NULL, NULL)",
        "INSERT INTO people VALUES (8, 'Shared@bücher.example', NULL, NULL, NULL)",
        "INSERT INTO people VALUES (9, 'shared@xn--bcher-kva.example', NULL, NULL, NULL)",
        "INSERT INTO people VALUES ('guid-10', 'ten@partner.example', NULL, NULL, NULL)",
    ];
    for sql in rows {
        let sql = sql.replace("'LONG'", &format!("'{long}'"));
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
    (dir, url)
}

const PEOPLE: &str = "SELECT id AS anchor, mail AS email, name AS display_name, \
     title AS job_title, note FROM people ORDER BY rowid";

#[tokio::test]
async fn sqlite_source_sorts_good_bad_duplicate_and_shared_rows() {
    let (_dir, url) = sqlite_source().await;
    let s = read(&url, PEOPLE).await.unwrap();
    assert_eq!(s.rows_read, 11);
    assert_eq!(anchors(&s), ["1", "2", "guid-10"]);
    let ada = &s.identities[0];
    assert_eq!(ada.email.as_str(), "Ada@partner.example");
    assert_eq!(
        ada.attributes.get(Property::DisplayName),
        Some("Ada  Lovelace")
    );
    assert_eq!(ada.attributes.get(Property::JobTitle), Some("Eng Lead"));
    assert_eq!(s.identities[1].attributes.get(Property::JobTitle), None);
    let got = rejected(&s);
    assert_eq!(got[0], (3, None, "anchor is NULL"));
    assert_eq!(
        got[1],
        (4, Some("4"), "invalid e-mail: contains more than one '@'")
    );
    assert_eq!(
        got[2].2,
        "invalid e-mail: contains an invisible character U+200B"
    );
    assert_eq!(
        got[3],
        (
            6,
            Some("6"),
            "displayName is 300 characters, the limit is 256"
        )
    );
    assert_eq!(got[4], (7, Some("7"), "duplicate anchor"));
    assert_eq!(got[5], (8, Some("7"), "duplicate anchor"));
    assert_eq!(got.len(), 6);
    let held: Vec<(&str, &str)> = s
        .conflicts
        .iter()
        .map(|c| (c.anchor.as_str(), c.reason.as_str()))
        .collect();
    assert_eq!(
        held,
        [
            ("8", "e-mail shared with anchors 9"),
            ("9", "e-mail shared with anchors 8")
        ]
    );
    let present: Vec<&str> = s.present_anchors.iter().map(|a| a.as_str()).collect();
    assert_eq!(present, ["1", "2", "4", "5", "6", "7", "8", "9", "guid-10"]);
}

#[tokio::test]
async fn sqlite_missing_required_column_is_named_with_rows_and_without() {
    let (_dir, url) = sqlite_source().await;
    let e = read(&url, "SELECT id AS anchor, mail FROM people")
        .await
        .unwrap_err();
    assert!(
        matches!(e, SourceError::MissingColumn { column: "email" }),
        "{e}"
    );
    let e = read(&url, "SELECT mail AS email FROM people WHERE 0")
        .await
        .unwrap_err();
    assert!(
        matches!(e, SourceError::MissingColumn { column: "anchor" }),
        "{e}"
    );
    let empty = read(
        &url,
        "SELECT id AS anchor, mail AS email FROM people WHERE 0",
    )
    .await;
    assert_eq!(empty.unwrap(), SourceSnapshot::default());
}

#[tokio::test]
async fn sqlite_error_half_way_is_an_error_not_a_partial_snapshot() {
    let (_dir, url) = sqlite_source().await;
    let e = read(&url, SQLITE_FAILS_HALF_WAY).await.unwrap_err();
    assert!(matches!(e, SourceError::Read(_)), "{e}");
    let ok = SQLITE_FAILS_HALF_WAY.replace("n < 1000", "n < 499");
    assert_eq!(read(&url, &ok).await.unwrap().identities.len(), 499);
}

#[tokio::test]
async fn sqlite_source_is_opened_read_only() {
    let (_dir, url) = sqlite_source().await;
    let q = "DELETE FROM people RETURNING id AS anchor, mail AS email";
    let e = read(&url, q).await.unwrap_err();
    assert!(e.to_string().contains("readonly"), "{e}");
    assert_eq!(read(&url, PEOPLE).await.unwrap().rows_read, 11);
}

#[tokio::test]
async fn sqlite_row_cap_fails_the_read() {
    let (_dir, url) = sqlite_source().await;
    let mut cfg = config(&url, PEOPLE);
    cfg.max_rows = Some(10);
    let e = SourceReader::connect(&cfg)
        .await
        .unwrap()
        .read()
        .await
        .unwrap_err();
    assert!(matches!(e, SourceError::TooManyRows { limit: 10 }), "{e}");
}

#[tokio::test]
async fn unknown_scheme_and_unreachable_source_are_errors_without_password() {
    let e = read("mssql://sa:hunter2@127.0.0.1/db", "SELECT 1")
        .await
        .unwrap_err();
    assert!(
        matches!(e, SourceError::Url(_)) && !e.to_string().contains("hunter2"),
        "{e}"
    );
    let e = read("sqlite:///nonexistent/dir/x.db", "SELECT 1")
        .await
        .unwrap_err();
    assert!(matches!(e, SourceError::Connect(_)), "{e}");
}

mod servers;

#[tokio::test]
async fn sqlite_timeout_fails_the_read() {
    let (_dir, url) = sqlite_source().await;
    let slow = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s \
                WHERE n < 100000000) SELECT count(*) AS anchor, 'a@b.example' AS email FROM s";
    let mut cfg = config(&url, slow);
    cfg.statement_timeout = Duration::from_millis(200);
    let e = SourceReader::connect(&cfg)
        .await
        .unwrap()
        .read()
        .await
        .unwrap_err();
    assert!(matches!(e, SourceError::Timeout(_)), "{e}");
}
