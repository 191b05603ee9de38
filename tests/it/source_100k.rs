//! A source table of 100,000 rows in PostgreSQL and in MariaDB: one cycle reads every row and
//! records one queue item per identity in a PostgreSQL state store (workers are not started;
//! the read and the record are what is measured here).

use guestsync::emulator::Knobs;
use guestsync::store::ItemState;
use sqlx::{Connection, Executor};

use crate::support::db::{fresh_mysql, fresh_postgres};
use crate::support::world::World;

const ROWS: u64 = 100_000;
const QUERY: &str = "SELECT id AS anchor, mail AS email, name AS display_name FROM partner";

async fn one_cycle_reads_and_records_every_row(source_url: String) {
    let Some(state_url) = fresh_postgres().await else {
        return;
    };
    let mut world = World::start(Knobs::default(), Vec::new(), &[]).await;
    world.extra_env = vec![
        ("GUESTSYNC__SOURCE__URL".into(), source_url),
        ("GUESTSYNC__SOURCE__QUERY".into(), QUERY.into()),
        ("GUESTSYNC__STATE__URL".into(), state_url),
    ];
    let parts = world.parts().await;
    let report = parts.engine.run_cycle("test").await.unwrap();
    assert_eq!((report.counts.read, report.counts.rejected), (ROWS, 0));
    assert_eq!(report.counts.invites, ROWS, "{:?}", report.counts);
    let counts = parts.store.item_counts().await.unwrap();
    assert_eq!(counts[&ItemState::Pending], ROWS, "{counts:?}");
    let last = parts.store.item_get("100000").await.unwrap().unwrap();
    assert_eq!(last.action, "invite");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_source_of_100k_rows() {
    let Some(url) = fresh_postgres().await else {
        return;
    };
    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    conn.execute(
        "CREATE TABLE partner (id bigint PRIMARY KEY, mail varchar(254) NOT NULL, name text);
         INSERT INTO partner SELECT n, 'partner.' || n || '@supplier.example', 'Partner ' || n
         FROM generate_series(1, 100000) AS n;",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    one_cycle_reads_and_records_every_row(url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mariadb_source_of_100k_rows() {
    let Some(url) = fresh_mysql().await else {
        return;
    };
    let mut conn = sqlx::MySqlConnection::connect(&url).await.unwrap();
    conn.execute(
        "CREATE TABLE partner (id BIGINT UNSIGNED PRIMARY KEY,
         mail VARCHAR(254) COLLATE utf8mb4_bin NOT NULL, name VARCHAR(256) NULL)",
    )
    .await
    .unwrap();
    // MariaDB stops recursive CTEs after 1,000 iterations by default.
    conn.execute("SET SESSION max_recursive_iterations = 200000")
        .await
        .unwrap();
    conn.execute(
        "INSERT INTO partner (id, mail, name)
         WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 100000)
         SELECT n, CONCAT('partner.', n, '@supplier.example'), CONCAT('Partner ', n) FROM seq",
    )
    .await
    .unwrap();
    conn.close().await.unwrap();
    one_cycle_reads_and_records_every_row(url).await;
}
