//! The source database stops in the middle of a read. The source is a private PostgreSQL
//! (never the shared one) whose query takes 30 ms a row and pads each row to ~2 kB, so rows
//! are already streaming to guestsync when the server is stopped `immediate`. The brake is
//! opened wide, so only the rule "a failed read is never an empty or partial source" stands
//! between the partial read and disabling the unread guests. The cycle fails with a clear
//! error and plans nothing; once the source is back, the next cycle applies the pending change.

use std::sync::Arc;
use std::time::Duration;

use guestsync::demo::sample::{PartnerRow, partner_rows};
use guestsync::emulator::Knobs;
use guestsync::store::{RunOutcome, Store};
use sqlx::Connection;

use super::checks::assert_converged;
use super::daemon::poll_until;
use crate::support::private_pg::PrivatePg;
use crate::support::world::World;

const IDENTITIES: usize = 30;

/// The demo query, slowed down per row and padded (the padding column is not mapped, so
/// guestsync ignores it); no ORDER BY, so rows stream as the scan produces them.
const SLOW_QUERY: &str = "SELECT partner_id AS anchor, email, display_name, given_name, surname, \
     job_title, department, company AS company_name, office AS office_location, \
     repeat('x', 2000) AS padding FROM partners WHERE slow_row(active = 1)";

async fn write_source(url: &str, rows: &[PartnerRow]) {
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    for statement in [
        "CREATE TABLE partners (
            partner_id TEXT, email TEXT NOT NULL, display_name TEXT, given_name TEXT,
            surname TEXT, job_title TEXT, department TEXT, company TEXT, office TEXT,
            active INTEGER NOT NULL DEFAULT 1)",
        "CREATE FUNCTION slow_row(ok boolean) RETURNS boolean LANGUAGE plpgsql VOLATILE AS
            $$ BEGIN PERFORM pg_sleep(0.03); RETURN ok; END $$",
    ] {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    for row in rows {
        sqlx::query(
            "INSERT INTO partners (partner_id, email, display_name, given_name, surname,
                job_title, department, company, office)
             VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7, $8, $9)",
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
        .execute(&mut conn)
        .await
        .unwrap();
    }
}

/// Whether guestsync's source query has been running for at least 300 ms (rows are streaming).
async fn mid_read(url: &str) -> bool {
    let Ok(mut conn) = sqlx::PgConnection::connect(url).await else {
        return false;
    };
    let running: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
         WHERE state = 'active' AND query LIKE '%slow_row(active%'
           AND pid <> pg_backend_pid() AND now() - query_start > interval '300 milliseconds'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap_or(0);
    running > 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_stopped_mid_read_fails_the_cycle_and_disables_nothing() {
    let Some(pg) = PrivatePg::start().await else {
        return;
    };
    let source_url = pg.create_database("idm").await;
    let mut rows: Vec<PartnerRow> = partner_rows(IDENTITIES)
        .into_iter()
        .take(IDENTITIES)
        .collect();
    write_source(&source_url, &rows).await;
    let mut world = World::start(Knobs::default(), Vec::new(), &rows).await;
    world.extra_env = [
        ("GUESTSYNC__SOURCE__URL", source_url.as_str()),
        ("GUESTSYNC__SOURCE__QUERY", SLOW_QUERY),
        ("GUESTSYNC__SOURCE__STATEMENT_TIMEOUT", "60s"),
        ("GUESTSYNC__SAFETY__MAX_DISABLES", "1000"),
        ("GUESTSYNC__SAFETY__MAX_DISABLE_PERCENT", "100"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let (first, _) = world.sync_once().await;
    assert_eq!(first.counts.invites, IDENTITIES as u64);

    // A change waits in the source: a cycle that read it would plan one update.
    let mut conn = sqlx::PgConnection::connect(&source_url).await.unwrap();
    sqlx::query(
        "UPDATE partners SET job_title = 'Chief Resilience Officer' WHERE partner_id = 'P00001'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    rows[0].job_title = "Chief Resilience Officer".into();

    let parts = world.parts().await;
    let store: Arc<dyn Store> = parts.store.clone();
    let writes = world.emulator.counters().writes_total;
    let cycle = {
        let engine = parts.engine.clone();
        tokio::spawn(async move { engine.run_cycle("test").await })
    };
    poll_until(
        "the source query is streaming rows",
        Duration::from_secs(60),
        Duration::from_millis(20),
        async || mid_read(&source_url).await,
    )
    .await;
    pg.crash().await;
    let error = cycle.await.unwrap().unwrap_err().to_string();
    eprintln!("source stopped mid-read: the cycle failed with: {error}");
    assert!(error.starts_with("source read failed"), "{error}");

    let run = store.run_list(1).await.unwrap().remove(0);
    assert!(
        matches!(&run.outcome, Some(RunOutcome::Failed(why)) if why.starts_with("source read failed")),
        "{run:?}"
    );
    assert_eq!(run.counts, Default::default(), "nothing planned: {run:?}");
    let counts = store.item_counts().await.unwrap();
    let queued: u64 = counts.values().sum();
    assert_eq!(queued, IDENTITIES as u64, "no new item: {counts:?}");
    assert_eq!(store.pending_runnable(chrono::Utc::now()).await.unwrap(), 0);
    assert_eq!(
        world.emulator.counters().writes_total,
        writes,
        "no Graph write"
    );
    assert!(
        world
            .emulator
            .users()
            .iter()
            .all(|u| u["accountEnabled"] != false),
        "a guest was disabled"
    );

    pg.start_again().await;
    let (second, drained) = world.sync_once().await;
    assert_eq!(second.counts.updates, 1, "{:?}", second.counts);
    assert_eq!(second.counts.disables, 0, "{:?}", second.counts);
    assert!(drained.dead() == 0, "{drained:?}");
    assert_converged("[source stopped mid-read]", &world, &store, &rows).await;
}
