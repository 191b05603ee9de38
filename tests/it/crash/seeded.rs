//! Seeded random SIGKILLs (issue 8 §2): for each seed, a fresh world (emulator, SQLite source,
//! a fresh SQLite or PostgreSQL state store) and a `guestsync run` or `sync --once` child that
//! is SIGKILLed one to three times at points the seed picks (a delay after start, a cycle just
//! opened, a tenant read just answered, the k-th Graph write just answered but not yet settled,
//! the k-th item just settled), each kill confirmed by readiness conditions, never a fixed
//! sleep. Then one last life converges and every check of [`super::checks`] holds.
//!
//! `GUESTSYNC_CRASH_SEEDS=N` runs seeds `0..N` (default 20 per store);
//! `GUESTSYNC_CRASH_SEED=S` runs seed `S` alone. Every failure message names store and seed.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use guestsync::demo::sample::{PartnerRow, partner_rows};
use guestsync::emulator::{Budget, Knobs};
use guestsync::store::{ItemState, PgStore, SqliteStore, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::time::Instant;

use super::checks::{assert_converged, open_runs, settled};
use super::daemon::{Daemon, Mode, poll_until};
use crate::support::world::World;

const DEFAULT_SEEDS: u64 = 20;
/// Seeds run at once (each is one child process at a time).
const PARALLEL: usize = 4;
const LIMIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreKind {
    Sqlite,
    Postgres,
}

/// When a life is killed.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// This long after the start (start-up, migration, the first cycle's reads).
    After(Duration),
    /// As soon as a new run is open: the cycle is reading source and tenant.
    RunOpen,
    /// As soon as the emulator answered a `GET /users` (planning and recording follow).
    TenantRead,
    /// As soon as the emulator answered the k-th write of this life, before its settle.
    Write(u64),
    /// As soon as k more items are done.
    Done(u64),
}

impl KillPoint {
    fn label(self) -> &'static str {
        match self {
            KillPoint::After(_) => "delay",
            KillPoint::RunOpen => "run open",
            KillPoint::TenantRead => "tenant read answered",
            KillPoint::Write(_) => "write answered",
            KillPoint::Done(_) => "item settled",
        }
    }
}

/// One seed's scenario.
#[derive(Debug)]
struct Case {
    mode: Mode,
    identities: usize,
    knobs: Knobs,
    kills: Vec<KillPoint>,
}

fn case(seed: u64) -> Case {
    let mut rng = StdRng::seed_from_u64(seed);
    let identities = rng.random_range(20..=30);
    let mode = if rng.random_bool(0.5) {
        Mode::Run
    } else {
        Mode::Once
    };
    let knobs = Knobs {
        latency_ms: rng.random_range(2..=15),
        write_budget: rng.random_bool(0.5).then_some(Budget {
            per_second: 40.0,
            burst: 5,
        }),
        replication_lag_max_ms: if rng.random_bool(0.3) { 300 } else { 0 },
        fault_seed: seed,
        ..Knobs::default()
    };
    let writes = 2 * identities as u64;
    let kills = (0..rng.random_range(1..=3))
        .map(|_| match rng.random_range(0..5) {
            0 => KillPoint::After(Duration::from_millis(rng.random_range(0..1500))),
            1 => KillPoint::RunOpen,
            2 => KillPoint::TenantRead,
            3 => KillPoint::Write(rng.random_range(1..=writes)),
            _ => KillPoint::Done(rng.random_range(1..=identities as u64)),
        })
        .collect();
    Case {
        mode,
        identities,
        knobs,
        kills,
    }
}

/// What one kill found when it struck, read from the store afterwards.
#[derive(Debug, Default)]
struct Tally {
    lives: usize,
    kills: usize,
    /// (trigger, phase seen in the store) → count.
    phases: BTreeMap<(String, &'static str), usize>,
    finished_first: usize,
    open_runs_left: usize,
    writes: u64,
}

fn seeds() -> Vec<u64> {
    if let Some(one) = std::env::var("GUESTSYNC_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![one];
    }
    let count = std::env::var("GUESTSYNC_CRASH_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEEDS);
    (0..count).collect()
}

async fn open_store(kind: StoreKind, world: &mut World) -> Option<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match kind {
        StoreKind::Sqlite => Arc::new(SqliteStore::connect(&world.state_url()).await.unwrap()),
        StoreKind::Postgres => {
            let url = crate::support::db::fresh_postgres().await?;
            world
                .extra_env
                .push(("GUESTSYNC__STATE__URL".into(), url.clone()));
            Arc::new(PgStore::connect(&url).await.unwrap())
        }
    };
    store.migrate().await.unwrap();
    Some(store)
}

async fn run_seed(kind: StoreKind, seed: u64) -> Option<Tally> {
    let case = case(seed);
    let ctx =
        format!("[{kind:?} store, seed {seed} (rerun: GUESTSYNC_CRASH_SEED={seed}), {case:?}]");
    let rows: Vec<PartnerRow> = partner_rows(case.identities)
        .into_iter()
        .take(case.identities)
        .collect();
    let mut world = World::start(case.knobs.clone(), Vec::new(), &rows).await;
    let store = open_store(kind, &mut world).await?;
    let mut tally = Tally::default();
    for (life, point) in case.kills.iter().enumerate() {
        let mut daemon = Daemon::spawn(&world, case.mode, life);
        tally.lives += 1;
        match kill_at(&ctx, &world, &store, &rows, &mut daemon, *point).await {
            Some(phase) => {
                tally.kills += 1;
                let key = (point.label().to_string(), phase);
                *tally.phases.entry(key).or_default() += 1;
            }
            None => {
                tally.finished_first += 1;
                let status = daemon.child.wait().await.unwrap();
                assert!(
                    status.success(),
                    "{ctx}: life {life} failed: {}",
                    daemon.log_tail()
                );
            }
        }
    }
    let last = case.kills.len();
    let mut daemon = Daemon::spawn(&world, case.mode, last);
    tally.lives += 1;
    converge(&ctx, &world, &store, &rows, &mut daemon, case.mode).await;
    assert_converged(&ctx, &world, &store, &rows).await;
    tally.open_runs_left = open_runs(&store).await;
    tally.writes = world.emulator.counters().writes_total;
    Some(tally)
}

/// Waits for `point` and SIGKILLs the child; returns the phase the store shows, or `None`
/// when the child ended first (`sync --once` done).
async fn kill_at(
    ctx: &str,
    world: &World,
    store: &Arc<dyn Store>,
    rows: &[PartnerRow],
    daemon: &mut Daemon,
    point: KillPoint,
) -> Option<&'static str> {
    let writes = world.emulator.counters().writes_total;
    let reads = tenant_reads(world);
    let run = newest_run(store).await;
    let done = done_items(store).await;
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < LIMIT,
            "{ctx}: {point:?} never came: {}",
            daemon.log_tail()
        );
        if !daemon.running() {
            return None;
        }
        let fired = match point {
            KillPoint::After(delay) => started.elapsed() >= delay,
            KillPoint::RunOpen => newest_run(store).await > run,
            KillPoint::TenantRead => tenant_reads(world) > reads,
            KillPoint::Write(k) => world.emulator.counters().writes_total >= writes + k,
            KillPoint::Done(k) => done_items(store).await >= done + k,
        };
        // A daemon with nothing left to do never reaches a later write: kill it idle.
        let idle = daemon_idle(point, world, store, rows).await;
        if fired || idle {
            daemon.kill().await;
            return Some(phase(store, run).await);
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

async fn daemon_idle(
    point: KillPoint,
    world: &World,
    store: &Arc<dyn Store>,
    rows: &[PartnerRow],
) -> bool {
    matches!(point, KillPoint::Write(_) | KillPoint::Done(_)) && settled(world, store, rows).await
}

/// Where the killed process was, as the store shows it.
async fn phase(store: &Arc<dyn Store>, run_before: i64) -> &'static str {
    let runs = store.run_list(1).await.unwrap();
    if runs
        .first()
        .is_some_and(|r| r.id > run_before && r.finished_at.is_none())
    {
        return "in a cycle (read/plan/record)";
    }
    let counts = store.item_counts().await.unwrap();
    let n = |s| counts.get(&s).copied().unwrap_or(0);
    if n(ItemState::Running) > 0 {
        "applying (items leased)"
    } else if n(ItemState::Pending) > 0 {
        "applying (between claims)"
    } else {
        "idle"
    }
}

/// The last life: runs until converged (`sync --once` exits with success; `run` is stopped
/// with SIGTERM once the queue is idle after a cycle it ran).
async fn converge(
    ctx: &str,
    world: &World,
    store: &Arc<dyn Store>,
    rows: &[PartnerRow],
    daemon: &mut Daemon,
    mode: Mode,
) {
    match mode {
        Mode::Once => {
            let status = tokio::time::timeout(LIMIT, daemon.child.wait())
                .await
                .unwrap_or_else(|_| {
                    panic!("{ctx}: the last sync never ended: {}", daemon.log_tail())
                })
                .unwrap();
            assert!(
                status.success(),
                "{ctx}: the last sync failed: {}",
                daemon.log_tail()
            );
        }
        Mode::Run => {
            let before = newest_run(store).await;
            poll_until(
                &format!("{ctx}: converged"),
                LIMIT,
                Duration::from_millis(50),
                async || {
                    assert!(
                        daemon.running(),
                        "{ctx}: daemon died: {}",
                        daemon.log_tail()
                    );
                    finished_run_after(store, before).await && settled(world, store, rows).await
                },
            )
            .await;
            daemon.terminate().await;
        }
    }
}

async fn finished_run_after(store: &Arc<dyn Store>, id: i64) -> bool {
    let runs = store.run_list(5).await.unwrap();
    runs.iter().any(|r| r.id > id && r.finished_at.is_some())
}

async fn newest_run(store: &Arc<dyn Store>) -> i64 {
    let runs = store.run_list(1).await.unwrap();
    runs.first().map_or(0, |r| r.id)
}

async fn done_items(store: &Arc<dyn Store>) -> u64 {
    let counts = store.item_counts().await.unwrap();
    counts.get(&ItemState::Done).copied().unwrap_or(0)
}

fn tenant_reads(world: &World) -> u64 {
    let counters = world.emulator.counters();
    counters
        .requests_by_route
        .get("GET /users")
        .copied()
        .unwrap_or(0)
}

async fn run_all(kind: StoreKind) {
    let started = Instant::now();
    let seeds = seeds();
    let tallies: Vec<Option<Tally>> = futures::stream::iter(seeds.clone())
        .map(|seed| run_seed(kind, seed))
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let tallies: Vec<Tally> = tallies.into_iter().flatten().collect();
    if tallies.is_empty() {
        return;
    }
    report(kind, &seeds, &tallies, started.elapsed());
}

/// The figures for RELIABILITY.md (shown with `--nocapture`).
fn report(kind: StoreKind, seeds: &[u64], tallies: &[Tally], wall: Duration) {
    let mut phases: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for tally in tallies {
        for (key, n) in &tally.phases {
            *phases.entry(key.clone()).or_default() += n;
        }
    }
    let sum = |f: fn(&Tally) -> usize| tallies.iter().map(f).sum::<usize>();
    eprintln!(
        "crash {kind:?}: seeds {}..{} ({} runs), lives {}, SIGKILLs {}, ended before their kill {}, \
         runs left open by a kill {}, Graph writes {}, wall {:.1} s; all converged: duplicates 0, \
         lost 0, disabled 0, deleted 0",
        seeds.first().copied().unwrap_or(0),
        seeds.last().copied().unwrap_or(0),
        tallies.len(),
        sum(|t| t.lives),
        sum(|t| t.kills),
        sum(|t| t.finished_first),
        sum(|t| t.open_runs_left),
        tallies.iter().map(|t| t.writes).sum::<u64>(),
        wall.as_secs_f64()
    );
    for ((trigger, phase), n) in phases {
        eprintln!("crash {kind:?}:   {n:>4} kills at '{trigger}' found the daemon {phase}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_sigkills_with_the_sqlite_store_converge() {
    run_all(StoreKind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_sigkills_with_the_postgres_store_converge() {
    run_all(StoreKind::Postgres).await;
}
