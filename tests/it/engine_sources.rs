//! End to end with the source in PostgreSQL and in MariaDB, in the column types real IDM tables
//! use (bigint and uuid keys, varchar with collations, nullable columns, timestamps).

use guestsync::emulator::Knobs;
use sqlx::Connection;

use crate::support::db::{fresh_mysql, fresh_postgres};
use crate::support::world::World;

const ROWS: i64 = 120;

async fn converges_with_source(url: String, query: &str) {
    let mut world = World::start(Knobs::default(), Vec::new(), &[]).await;
    world.extra_env.push(("GUESTSYNC__SOURCE__URL".into(), url));
    world
        .extra_env
        .push(("GUESTSYNC__SOURCE__QUERY".into(), query.into()));
    let (report, drained) = world.sync_once().await;
    assert_eq!(report.counts.read, ROWS as u64);
    assert_eq!(
        report.counts.invites,
        ROWS as u64 - 1,
        "{:?}",
        report.counts
    );
    assert_eq!(
        report.counts.rejected, 1,
        "the row with a bad address is rejected"
    );
    assert_eq!(drained.dead(), 0);
    for i in 1..ROWS {
        let users = world.users_with_mail(&format!("partner.{i}@supplier.example"));
        assert_eq!(users.len(), 1);
        assert_eq!(users[0]["displayName"], format!("Partner {i}"));
        let title = if i % 3 == 0 {
            serde_json::Value::Null
        } else {
            "Buyer".into()
        };
        assert_eq!(users[0]["jobTitle"], title);
    }
    let (second, _) = world.sync_once().await;
    assert_eq!(second.counts.invites + second.counts.updates, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_source_converges() {
    let Some(url) = fresh_postgres().await else {
        return;
    };
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(
        "CREATE TABLE partner (id bigint PRIMARY KEY, ext_id uuid NOT NULL DEFAULT gen_random_uuid(),
         mail varchar(254) COLLATE \"C\" NOT NULL, name varchar(256) NOT NULL, title text,
         changed timestamptz NOT NULL DEFAULT now())",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO partner (id, mail, name, title)
         SELECT n, CASE WHEN n = $1 THEN 'not-an-address' ELSE 'partner.' || n || '@supplier.example' END,
                'Partner ' || n, CASE WHEN n % 3 = 0 THEN NULL ELSE 'Buyer' END
         FROM generate_series(1, $1) AS n",
    )
    .bind(ROWS)
    .execute(&mut conn)
    .await
    .unwrap();
    let query = "SELECT id AS anchor, mail AS email, name AS display_name, title AS job_title, changed FROM partner";
    converges_with_source(url, query).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mariadb_source_converges() {
    let Some(url) = fresh_mysql().await else {
        return;
    };
    let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
    sqlx::query(
        "CREATE TABLE partner (id BIGINT UNSIGNED PRIMARY KEY, mail VARCHAR(254) COLLATE utf8mb4_bin NOT NULL,
         name VARCHAR(256) NOT NULL, title VARCHAR(128) NULL, changed DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    for n in 1..=ROWS {
        let mail = if n == ROWS {
            "not-an-address".to_string()
        } else {
            format!("partner.{n}@supplier.example")
        };
        let title = (n % 3 != 0).then_some("Buyer");
        sqlx::query("INSERT INTO partner (id, mail, name, title) VALUES (?, ?, ?, ?)")
            .bind(n)
            .bind(mail)
            .bind(format!("Partner {n}"))
            .bind(title)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let query = "SELECT id AS anchor, mail AS email, name AS display_name, title AS job_title, changed FROM partner";
    converges_with_source(url, query).await;
}
