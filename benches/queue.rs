//! Queue benchmark (issue 7 §3): records a plan of 100,000 changed items in one `plan_record`
//! call, then claims and settles all of them with a no-op executor through the calls the worker
//! pool makes (`item_claim`, then `item_complete` per item, 8 claimers). On a
//! file-backed SQLite in WAL always; on PostgreSQL (a fresh database per scenario) when
//! `GUESTSYNC_TEST_POSTGRES_URL` names a server. Prints items/s for each step.
//!
//! Scenarios, each on a fresh database:
//! - `before`: the claim index of migrations 0001–0005 put back (the `item_ready` partial index
//!   instead of 0006's `item_due`) and one item per claim, as the pool claimed before; only the
//!   first [`BEFORE_ITEMS`] are claimed (all 100,000 would take over half an hour on SQLite).
//! - `single`: today's schema, one item per claim.
//! - `batch`: today's schema, [`CLAIM_BATCH`] items per claim (`item_claim` with a limit; the
//!   worker pool still claims one at a time, see the report).
//!
//! `cargo bench --locked --bench queue [-- SCENARIO...]` (default: all three).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use guestsync::store::{
    ItemState, LinkUpdate, PgStore, PlannedItem, SettleResult, SqliteStore, Store,
};
use sqlx::{Connection, Executor};

const ITEMS: usize = 100_000;
const BEFORE_ITEMS: usize = 1_000;
const CLAIMERS: usize = 8;
/// Items per claim in the `batch` scenario.
const CLAIM_BATCH: u32 = 16;
const LEASE: Duration = Duration::from_secs(120);

/// The claim index as migrations 0001–0005 left it (same text on both stores).
const OLD_INDEX: &str = "DROP INDEX item_due; \
     CREATE INDEX item_ready ON item (run_after, anchor) WHERE state = 'pending'";

#[derive(Clone, Copy, PartialEq)]
enum Scenario {
    Before,
    Single,
    Batch,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Scenario::Before => "before",
            Scenario::Single => "single",
            Scenario::Batch => "batch",
        }
    }

    fn per_claim(self) -> u32 {
        match self {
            Scenario::Batch => CLAIM_BATCH,
            _ => 1,
        }
    }

    fn items(self) -> usize {
        match self {
            Scenario::Before => BEFORE_ITEMS,
            _ => ITEMS,
        }
    }
}

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

fn report(store: &str, scenario: Scenario, step: &str, n: usize, took: Duration) {
    let rate = n as f64 / took.as_secs_f64();
    let name = scenario.name();
    println!("{store:<9} {name:<7} {step:<34} {n:>7} items in {took:>9.2?} {rate:>9.0} items/s");
}

/// One claimer: claims `per_claim` items at a time and completes each, until `budget` items
/// have been taken or nothing is left.
async fn claim_and_settle(
    store: Arc<dyn Store>,
    claimer: usize,
    per_claim: u32,
    budget: Arc<AtomicUsize>,
) -> usize {
    let owner = format!("bench-w{claimer}");
    let mut settled = 0;
    loop {
        let per_claim = per_claim as usize;
        let taken = budget.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            (left > 0).then(|| left - left.min(per_claim))
        });
        let Ok(left) = taken else {
            return settled;
        };
        let want = left.min(per_claim);
        let claimed = store
            .item_claim(&owner, want as u32, LEASE, Utc::now())
            .await
            .unwrap();
        if claimed.is_empty() {
            return settled;
        }
        for item in claimed {
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
    }
}

async fn bench(name: &str, scenario: Scenario, store: Arc<dyn Store>) {
    let run = store.run_start(Utc::now(), "bench").await.unwrap();
    let planned = items();
    let started = Instant::now();
    store.plan_record(run, Utc::now(), planned).await.unwrap();
    report(
        name,
        scenario,
        "record plan (one call)",
        ITEMS,
        started.elapsed(),
    );

    let wanted = scenario.items();
    let budget = Arc::new(AtomicUsize::new(wanted));
    let started = Instant::now();
    let claimers: Vec<_> = (0..CLAIMERS)
        .map(|c| {
            let (store, budget) = (store.clone(), budget.clone());
            tokio::spawn(claim_and_settle(store, c, scenario.per_claim(), budget))
        })
        .collect();
    let mut total = 0;
    for claimer in claimers {
        total += claimer.await.unwrap();
    }
    let took = started.elapsed();
    assert_eq!(total, wanted);
    let counts = store.item_counts().await.unwrap();
    assert_eq!(counts[&ItemState::Done], wanted as u64);
    let step = format!(
        "claim {} + settle ({CLAIMERS} claimers)",
        scenario.per_claim()
    );
    report(name, scenario, &step, total, took);
}

async fn sqlite(scenario: Scenario) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    if scenario == Scenario::Before {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        conn.execute(OLD_INDEX).await.unwrap();
        conn.close().await.unwrap();
    }
    bench("sqlite", scenario, Arc::new(store.clone())).await;
    store.close().await;
}

async fn postgres(server: &str, scenario: Scenario) {
    let server = server.trim_end_matches('/');
    let name = format!("gs_bench_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap();
    admin
        .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .await
        .unwrap();
    let url = format!("{server}/{name}");
    let store = PgStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    if scenario == Scenario::Before {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        conn.execute(OLD_INDEX).await.unwrap();
        conn.close().await.unwrap();
    }
    bench("postgres", scenario, Arc::new(store.clone())).await;
    store.close().await;
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {name} WITH (FORCE)"
        )))
        .await
        .unwrap();
}

fn scenarios() -> Vec<Scenario> {
    let all = [Scenario::Before, Scenario::Single, Scenario::Batch];
    let asked: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    all.into_iter()
        .filter(|s| asked.is_empty() || asked.iter().any(|a| a == s.name()))
        .collect()
}

#[tokio::main]
async fn main() {
    let server = std::env::var("GUESTSYNC_TEST_POSTGRES_URL").unwrap_or_default();
    for scenario in scenarios() {
        sqlite(scenario).await;
        if server.is_empty() {
            println!("postgres  skipped: GUESTSYNC_TEST_POSTGRES_URL is not set");
        } else {
            postgres(&server, scenario).await;
        }
    }
}
