//! The write-back table on every source dialect: created when missing, upserted per anchor
//! (PostgreSQL and SQLite `ON CONFLICT`, MariaDB `ON DUPLICATE KEY UPDATE`), unchanged rows
//! not written again.

use chrono::{TimeZone, Utc};
use guestsync::writeback::{WriteBack, WriteBackRow};
use secrecy::SecretString;

use crate::support::db;

fn row(anchor: &str, state: &str) -> WriteBackRow {
    WriteBackRow {
        anchor: anchor.into(),
        object_id: format!("oid-{anchor}"),
        user_principal_name: Some(format!("{anchor}_x.example#EXT#@t.example")),
        user_type: Some("Guest".into()),
        redeem_url: Some(format!(
            "https://login.microsoftonline.com/redeem?rd={anchor}"
        )),
        redemption_state: Some(state.into()),
        redemption_changed_at: Some(Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap()),
        last_sync_at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        last_error: None,
    }
}

/// Writes 1,200 rows (three batches), writes them again (nothing written), changes one, and
/// writes one from a second process.
async fn exercise(url: &str) {
    let url = SecretString::from(url.to_string());
    let writeback = WriteBack::connect(&url, "gs_results", true).await.unwrap();
    let rows: Vec<_> = (0..1200)
        .map(|i| row(&format!("a{i:04}"), "pending"))
        .collect();
    assert_eq!(writeback.write(rows.clone()).await.unwrap(), 1200);
    assert_eq!(
        writeback.write(rows).await.unwrap(),
        0,
        "unchanged rows are skipped"
    );
    let changed = vec![row("a0001", "accepted"), row("a0002", "pending")];
    assert_eq!(writeback.write(changed).await.unwrap(), 1);
    // A second process writes everything once (idempotent upsert, no duplicate key).
    let again = WriteBack::connect(&url, "gs_results", true).await.unwrap();
    assert_eq!(
        again.write(vec![row("a0001", "accepted")]).await.unwrap(),
        1
    );
}

/// Checks the table through `$pool`: 1,200 rows, one accepted, the redeem URL kept.
macro_rules! check {
    ($pool:expr) => {{
        let pool = $pool;
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool);
        assert_eq!(
            count("SELECT COUNT(*) FROM gs_results").await.unwrap(),
            1200
        );
        let accepted = "SELECT COUNT(*) FROM gs_results WHERE redemption_state = 'accepted'";
        assert_eq!(count(accepted).await.unwrap(), 1);
        let url: String =
            sqlx::query_scalar("SELECT redeem_url FROM gs_results WHERE anchor = 'a0001'")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert!(url.ends_with("rd=a0001"), "{url}");
    }};
}

#[tokio::test]
async fn sqlite_upserts_with_on_conflict() {
    let (_dir, url) = db::fresh_sqlite();
    exercise(&url).await;
    check!(sqlx::SqlitePool::connect(&url).await.unwrap());
}

#[tokio::test]
async fn postgres_upserts_with_on_conflict() {
    let Some(url) = db::fresh_postgres().await else {
        return;
    };
    exercise(&url).await;
    check!(sqlx::PgPool::connect(&url).await.unwrap());
}

#[tokio::test]
async fn mariadb_upserts_with_on_duplicate_key() {
    let Some(url) = db::fresh_mysql().await else {
        return;
    };
    exercise(&url).await;
    check!(sqlx::MySqlPool::connect(&url).await.unwrap());
}
