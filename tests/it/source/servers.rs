//! The reader against PostgreSQL and MariaDB: column types, missing columns, errors half way,
//! read-only transactions and statement timeouts. Each test gets a fresh database, or is skipped
//! when no server URL is set.

use std::time::Duration;

use guestsync::identity::Property;
use guestsync::source::{SourceError, SourceReader};
use sqlx::{Connection, Executor};

use super::{anchors, config, read};
use crate::support::db;

async fn setup_pg(url: &str) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    conn.execute(
        "CREATE TABLE people (id bigint, guid uuid, mail varchar(200), name text, \
         title char(12), hired timestamptz, seen timestamp, active boolean);
         INSERT INTO people VALUES
          (9000000001, 'A1B2C3D4-0000-4000-8000-00000000000A', 'Ada@Partner.example', \
           'Ada Lovelace', 'Engineer', '2026-01-31 08:00:00+00', '2026-01-31 09:30:00', true),
          (9000000002, NULL, 'bob@partner.example', NULL, NULL, NULL, NULL, NULL),
          (NULL, NULL, 'nobody@partner.example', NULL, NULL, NULL, NULL, NULL);",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
}

#[tokio::test]
async fn postgres_decodes_bigint_uuid_text_char_timestamps_and_nulls() {
    let Some(url) = db::fresh_postgres().await else {
        return;
    };
    setup_pg(&url).await;
    let q = "SELECT id AS anchor, mail AS email, name AS display_name, title AS job_title, \
             hired AS department, seen AS office_location, active AS company_name FROM people \
             ORDER BY id";
    let s = read(&url, q).await.unwrap();
    assert_eq!(anchors(&s), ["9000000001", "9000000002"]);
    let ada = &s.identities[0].attributes;
    assert_eq!(s.identities[0].email.as_str(), "Ada@partner.example");
    assert_eq!(ada.get(Property::JobTitle), Some("Engineer"));
    assert_eq!(
        ada.get(Property::Department),
        Some("2026-01-31T08:00:00+00:00")
    );
    assert_eq!(
        ada.get(Property::OfficeLocation),
        Some("2026-01-31T09:30:00")
    );
    assert_eq!(ada.get(Property::CompanyName), Some("true"));
    assert_eq!(s.identities[1].attributes.iter().count(), 0);
    assert_eq!(s.rejected[0].reason, "anchor is NULL");
    let q = "SELECT guid AS anchor, mail AS email FROM people WHERE guid IS NOT NULL";
    let s = read(&url, q).await.unwrap();
    assert_eq!(anchors(&s), ["a1b2c3d4-0000-4000-8000-00000000000a"]);
}

#[tokio::test]
async fn postgres_missing_column_unsupported_type_and_empty_result() {
    let Some(url) = db::fresh_postgres().await else {
        return;
    };
    setup_pg(&url).await;
    let e = read(&url, "SELECT id AS anchor FROM people WHERE false")
        .await
        .unwrap_err();
    assert!(
        matches!(e, SourceError::MissingColumn { column: "email" }),
        "{e}"
    );
    let e = read(
        &url,
        "SELECT 1.5::numeric AS anchor, mail AS email FROM people",
    )
    .await;
    let e = e.unwrap_err();
    assert!(e.to_string().contains("`anchor` has type NUMERIC"), "{e}");
    let s = read(
        &url,
        "SELECT id AS anchor, mail AS email FROM people WHERE false",
    )
    .await;
    assert_eq!(s.unwrap().rows_read, 0);
}

#[tokio::test]
async fn postgres_error_half_way_is_an_error() {
    let Some(url) = db::fresh_postgres().await else {
        return;
    };
    let q = "SELECT n AS anchor, 'u' || n || '@x.example' AS email, 1 / (n - 500) AS boom \
             FROM generate_series(1, 1000) AS n";
    let e = read(&url, q).await.unwrap_err();
    assert!(
        matches!(e, SourceError::Read(_)) && e.to_string().contains("division by zero"),
        "{e}"
    );
}

#[tokio::test]
async fn postgres_read_is_read_only() {
    let Some(url) = db::fresh_postgres().await else {
        return;
    };
    setup_pg(&url).await;
    let q = "WITH gone AS (DELETE FROM people RETURNING id, mail) \
             SELECT id AS anchor, mail AS email FROM gone";
    let e = read(&url, q).await.unwrap_err();
    assert!(e.to_string().contains("read-only transaction"), "{e}");
    let q = "INSERT INTO people (id, mail) VALUES (1, 'x@y.example') \
             RETURNING id AS anchor, mail AS email";
    assert!(read(&url, q).await.is_err());
    let all = read(&url, "SELECT id AS anchor, mail AS email FROM people")
        .await
        .unwrap();
    assert_eq!(all.rows_read, 3);
}

#[tokio::test]
async fn postgres_statement_timeout_stops_the_query() {
    let Some(url) = db::fresh_postgres().await else {
        return;
    };
    let mut cfg = config(
        &url,
        "SELECT pg_sleep(5)::text AS anchor, 'a@b.example' AS email",
    );
    cfg.statement_timeout = Duration::from_secs(1);
    let reader = SourceReader::connect(&cfg).await.unwrap();
    let e = reader.read().await.unwrap_err();
    assert!(matches!(e, SourceError::Timeout(_)), "{e}");
}

#[tokio::test]
async fn postgres_streams_many_rows_into_a_complete_snapshot() {
    let Some(url) = db::fresh_postgres().await else {
        return;
    };
    let q = "SELECT n AS anchor, 'user' || n || '@partner.example' AS email, \
             'User ' || n AS display_name FROM generate_series(1, 200000) AS n";
    let s = read(&url, q).await.unwrap();
    assert_eq!((s.rows_read, s.identities.len()), (200_000, 200_000));
    assert_eq!(s.present_anchors.len(), 200_000);
    assert_eq!(
        s.identities[199_999].email.as_str(),
        "user200000@partner.example"
    );
}

async fn setup_mysql(url: &str) {
    let mut conn = sqlx::MySqlConnection::connect(url).await.unwrap();
    let statements = [
        "CREATE TABLE people (id BIGINT UNSIGNED, code VARCHAR(20) COLLATE utf8mb4_bin, \
         mail VARCHAR(200), name VARCHAR(100), raw VARBINARY(16), hired DATETIME, n INT)",
        "INSERT INTO people VALUES (18000000000000000001, 'K-1', 'zoe@Bücher.example', \
         'Zoë  Ünal', UNHEX('A1B2C3D40000400080000000000000AA'), '2026-01-31 08:00:00', -5)",
        "INSERT INTO people VALUES (2, 'K-2', 'bob@partner.example', NULL, NULL, NULL, NULL)",
        "INSERT INTO people VALUES (NULL, NULL, 'none@partner.example', NULL, NULL, NULL, NULL)",
    ];
    for sql in statements {
        conn.execute(sql).await.unwrap();
    }
    conn.close().await.unwrap();
}

#[tokio::test]
async fn mariadb_decodes_unsigned_binary_collation_datetime_and_nulls() {
    let Some(url) = db::fresh_mysql().await else {
        return;
    };
    setup_mysql(&url).await;
    let q = "SELECT id AS anchor, mail AS email, name AS display_name, code AS job_title, \
             hired AS department, n AS surname FROM people ORDER BY id";
    let s = read(&url, q).await.unwrap();
    assert_eq!(anchors(&s), ["2", "18000000000000000001"]);
    let zoe = &s.identities[1];
    assert_eq!(zoe.email.as_str(), "zoe@xn--bcher-kva.example");
    assert_eq!(zoe.attributes.get(Property::DisplayName), Some("Zoë  Ünal"));
    assert_eq!(zoe.attributes.get(Property::JobTitle), Some("K-1"));
    assert_eq!(
        zoe.attributes.get(Property::Department),
        Some("2026-01-31T08:00:00")
    );
    assert_eq!(zoe.attributes.get(Property::Surname), Some("-5"));
    let s = read(
        &url,
        "SELECT raw AS anchor, mail AS email FROM people WHERE raw IS NOT NULL",
    )
    .await;
    assert_eq!(
        anchors(&s.unwrap()),
        ["a1b2c3d4-0000-4000-8000-0000000000aa"]
    );
    let s = read(
        &url,
        "SELECT code AS anchor, mail AS email FROM people WHERE code = 'K-2'",
    )
    .await;
    assert_eq!(anchors(&s.unwrap()), ["K-2"]);
}

#[tokio::test]
async fn mariadb_missing_column_read_only_and_timeout() {
    let Some(url) = db::fresh_mysql().await else {
        return;
    };
    setup_mysql(&url).await;
    let e = read(&url, "SELECT id AS anchor FROM people WHERE 1 = 0")
        .await
        .unwrap_err();
    assert!(
        matches!(e, SourceError::MissingColumn { column: "email" }),
        "{e}"
    );
    let e = read(
        &url,
        "DELETE FROM people RETURNING id AS anchor, mail AS email",
    )
    .await;
    assert!(e.unwrap_err().to_string().contains("READ ONLY"));
    let mut cfg = config(&url, "SELECT SLEEP(5) AS anchor, 'a@b.example' AS email");
    cfg.statement_timeout = Duration::from_secs(1);
    let e = SourceReader::connect(&cfg)
        .await
        .unwrap()
        .read()
        .await
        .unwrap_err();
    assert!(matches!(e, SourceError::Timeout(_)), "{e}");
    let all = read(&url, "SELECT id AS anchor, mail AS email FROM people")
        .await
        .unwrap();
    assert_eq!(all.rows_read, 3);
}
