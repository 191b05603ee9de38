//! Queue benchmark: records a plan of 100,000 changed items in one `plan_record` call, then
//! claims and settles the first 10,000 of them with a no-op executor (8 claimers, one item per
//! claim, as the worker pool does; all 100,000 take too long on a shared machine). On SQLite always; on PostgreSQL when `GUESTSYNC_TEST_POSTGRES_URL` names
//! a server (a fresh database is created). Prints items/s for each step.
//!
//! `cargo bench --bench queue`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use guestsync::store::{LinkUpdate, PgStore, PlannedItem, SettleResult, SqliteStore, Store};
use sqlx::Connection;

const ITEMS: usize = 100_000;
const SETTLED: usize = 10_000;
const CLAIMERS: usize = 8;
const LEASE: Duration = Duration::from_secs(120);

fn items() -> Vec<PlannedItem> {
    (0..ITEMS)
        .map(|i| PlannedItem {
            anchor: format!("emp-{i:07}"),
            action: "invite".into(),
            desired_hash: format!("h{i}"),
            payload: serde_json::json!({ "action": "invite", "email": format!("p{i}@x.example") }),
        })
        .collect()
}

fn report(store: &str, step: &str, n: usize, took: Duration) {
    let rate = n as f64 / took.as_secs_f64();
    println!("{store:<10} {step:<28} {n:>7} items in {took:>9.2?}  {rate:>10.0} items/s");
}

async fn claim_and_settle(store: Arc<dyn Store>, claimer: usize) -> usize {
    let owner = format!("bench-w{claimer}");
    let mut settled = 0;
    while settled < SETTLED / CLAIMERS {
        let claimed = store
            .item_claim(&owner, 1, LEASE, Utc::now())
            .await
            .unwrap();
        let Some(item) = claimed.into_iter().next() else {
            return settled;
        };
        let done = store
            .item_complete(
                &item.anchor,
                item.lease_token,
                item.desired_gen,
                Utc::now(),
                LinkUpdate::Keep,
            )
            .await
            .unwrap();
        assert_eq!(done, SettleResult::Settled);
        settled += 1;
    }
    settled
}

async fn bench(name: &str, store: Arc<dyn Store>) {
    store.migrate().await.unwrap();
    let run = store.run_start(Utc::now(), "bench").await.unwrap();
    let planned = items();
    let started = Instant::now();
    store.plan_record(run, Utc::now(), planned).await.unwrap();
    report(name, "record plan (one call)", ITEMS, started.elapsed());

    let started = Instant::now();
    let claimers = (0..CLAIMERS).map(|c| tokio::spawn(claim_and_settle(store.clone(), c)));
    let mut total = 0;
    for claimer in claimers {
        total += claimer.await.unwrap();
    }
    assert_eq!(total, ITEMS);
    report(
        name,
        "claim + settle (8 claimers)",
        ITEMS,
        started.elapsed(),
    );
}

async fn fresh_postgres(server: &str) -> String {
    let server = server.trim_end_matches('/');
    let name = format!("gs_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap();
    format!("{server}/{name}")
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    bench(
        "sqlite",
        Arc::new(SqliteStore::connect(&url).await.unwrap()),
    )
    .await;
    match std::env::var("GUESTSYNC_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            let url = fresh_postgres(&server).await;
            bench("postgres", Arc::new(PgStore::connect(&url).await.unwrap())).await;
        }
        _ => println!("postgres   skipped: GUESTSYNC_TEST_POSTGRES_URL is not set"),
    }
}
