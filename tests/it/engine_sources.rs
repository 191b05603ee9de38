//! End to end with the source in PostgreSQL and in MariaDB, in the column types real IDM tables
//! use (bigint and uuid keys, varchar with collations, nullable columns, timestamps). On each
//! server, once converged, a query that fails half way and a connection killed by the server
//! in the middle of the read each fail their cycle and disable nobody, with the brake open wide.

use std::time::Duration;

use guestsync::emulator::Knobs;
use guestsync::store::RunOutcome;
use sqlx::Connection;

use crate::crash::daemon::poll_until;
use crate::support::db::{fresh_mysql, fresh_postgres};
use crate::support::world::World;

const ROWS: i64 = 120;

/// The query every test reads the `partner` table with.
const QUERY: &str = "SELECT id AS anchor, mail AS email, name AS display_name, title AS job_title, changed FROM partner";

/// A server's ways to break a read.
#[derive(Clone, Copy)]
enum Server {
    Postgres,
    MariaDb,
}

impl Server {
    /// [`QUERY`] failing half way: rows below 60 stream, then a scalar subquery returns two
    /// rows (an error on both servers).
    fn failing_query(self) -> String {
        format!("{QUERY} WHERE id < 60 OR (SELECT 1 UNION ALL SELECT 2) = 1")
    }

    /// [`QUERY`] slowed to 20 ms a row, so that the read is still running when its connection
    /// is killed.
    fn slow_query(self) -> String {
        match self {
            Server::Postgres => format!("{QUERY} WHERE slow_row(true)"),
            Server::MariaDb => format!("{QUERY} WHERE SLEEP(0.02) = 0"),
        }
    }

    /// Kills, from the server's side, the connection running the slow query once it has run
    /// for 300 ms; whether one was killed.
    async fn kill_slow_reader(self, url: &str) -> bool {
        let killed: i64 = match self {
            Server::Postgres => {
                let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
                sqlx::query_scalar(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                     WHERE datname = current_database() AND query LIKE '%slow_row(true)%'
                       AND pid <> pg_backend_pid()
                       AND now() - query_start > interval '300 milliseconds'",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap()
            }
            Server::MariaDb => {
                let mut conn = sqlx::MySqlConnection::connect(url).await.unwrap();
                let ids: Vec<u64> = sqlx::query_scalar(
                    "SELECT CAST(id AS UNSIGNED) FROM information_schema.PROCESSLIST
                     WHERE db = DATABASE() AND info LIKE '%SLEEP(0.02)%'
                       AND id <> CONNECTION_ID() AND time_ms > 300",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for id in &ids {
                    sqlx::query(sqlx::AssertSqlSafe(format!("KILL CONNECTION {id}")))
                        .execute(&mut conn)
                        .await
                        .unwrap();
                }
                ids.len() as i64
            }
        };
        killed > 0
    }
}

async fn converges_with_source(url: String, server: Server) {
    let mut world = World::start(Knobs::default(), Vec::new(), &[]).await;
    world
        .extra_env
        .push(("GUESTSYNC__SOURCE__URL".into(), url.clone()));
    world
        .extra_env
        .push(("GUESTSYNC__SOURCE__QUERY".into(), QUERY.into()));
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

    // The brake open wide: only "a failed read is not a source" stands between a broken read
    // and disabling the guests it did not return.
    for (key, value) in [("MAX_DISABLES", "1000"), ("MAX_DISABLE_PERCENT", "100")] {
        world
            .extra_env
            .push((format!("GUESTSYNC__SAFETY__{key}"), value.into()));
    }
    let writes = world.emulator.counters().writes_total;
    fails_and_disables_nobody(&world, &server.failing_query(), None).await;
    fails_and_disables_nobody(&world, &server.slow_query(), Some((server, url.as_str()))).await;
    assert_eq!(
        world.emulator.counters().writes_total,
        writes,
        "a Graph write"
    );
    let (after, _) = world.sync_once().await;
    assert_eq!(
        after.counts.invites + after.counts.updates + after.counts.disables,
        0
    );
}

/// One cycle reading with `query` (its connection killed mid-read when `kill` names the
/// server): the cycle fails as a source read failure, plans nothing and disables nobody.
async fn fails_and_disables_nobody(world: &World, query: &str, kill: Option<(Server, &str)>) {
    let mut env = world.env();
    env.push(("GUESTSYNC__SOURCE__QUERY".into(), query.into()));
    let settings = guestsync::settings::Settings::load_with_env(None, env).unwrap();
    let parts = guestsync::app::build::parts(&settings).await.unwrap();
    let engine = parts.engine.clone();
    let cycle = tokio::spawn(async move { engine.run_cycle("test").await });
    if let Some((server, url)) = kill {
        poll_until(
            "the slow source read is killed",
            Duration::from_secs(60),
            Duration::from_millis(50),
            async || server.kill_slow_reader(url).await,
        )
        .await;
    }
    let error = cycle.await.unwrap().unwrap_err().to_string();
    assert!(error.starts_with("source read failed"), "{query}: {error}");
    let run = parts.store.run_list(1).await.unwrap().remove(0);
    assert!(
        matches!(&run.outcome, Some(RunOutcome::Failed(why)) if why.starts_with("source read failed")),
        "{run:?}"
    );
    assert_eq!(
        run.counts,
        Default::default(),
        "planned after a failed read: {run:?}"
    );
    let disabled = world.disabled_users();
    assert_eq!(disabled, 0, "{query}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_source_converges_and_a_broken_read_disables_nobody() {
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
    sqlx::query(
        "CREATE FUNCTION slow_row(ok boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS
         $$ BEGIN PERFORM pg_sleep(0.02); RETURN ok; END $$",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    converges_with_source(url, Server::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mariadb_source_converges_and_a_broken_read_disables_nobody() {
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
    converges_with_source(url, Server::MariaDb).await;
}
