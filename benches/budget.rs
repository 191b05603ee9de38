//! Budget-use benchmark (issue 7 §1): how much of Graph's write budget guestsync uses, and how
//! often it is throttled, when it invites a batch of new identities.
//!
//! One whole run in-process, as the integration tests build it: the emulator with a write token
//! bucket of `B` per second and a read bucket, a SQLite source of `N` new partners
//! (`demo::sample::partner_rows`), a SQLite state store, and guestsync's engine and worker pool
//! (`app::build::parts`) configured as an operator would: `write_budget_per_second = B`, every
//! other key at its default. One cycle plans the invitations, then the pool drains the queue
//! (each identity: `POST /invitations`, then `PATCH /users/{id}` with its attributes).
//!
//! A sampler reads the emulator's counters every 100 ms. Achieved writes/s is measured over the
//! steady state: from the moment 5 % of the accepted writes had arrived to the moment 95 % had
//! (start-up — source read, tenant read, planning — and the tail are left out). Throttled
//! fraction is 429s / all Graph requests. "In window" counts requests that arrived while a
//! `Retry-After` the emulator sent was in force (own bucket / any bucket); it must be 0.
//!
//! Environment (all optional):
//! - `BUDGET_B` write budget per second, emulator and guestsync (default 200)
//! - `BUDGET_N` new identities (default 10000)
//! - `BUDGET_RETRY_AFTER` `normal` (seconds until a token is free, at least 1, as Graph sends
//!   it), `missing` (no header) or `zero` (`Retry-After: 0`); default `normal`
//! - `BUDGET_BURST` emulator write bucket size (default `B`, one second's worth)
//! - `BUDGET_READ` read budget per second, emulator and guestsync (default 50, burst the same)
//! - `BUDGET_PACE` guestsync's `write_budget_per_second` when it should differ from `B`
//! - `BUDGET_LATENCY_MS` emulator latency per request (default 0)
//! - `BUDGET_WORKERS` guestsync's `workers.count` (default: the configured default, 8)
//!
//! `BUDGET_B=200 BUDGET_N=10000 BUDGET_RETRY_AFTER=normal cargo bench --locked --bench budget`
//! (add `--profile dev` to reuse a debug build; figures in `/work/reports/budget.md` are from it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use guestsync::app::build::parts;
use guestsync::demo::sample::partner_rows;
use guestsync::demo::source::{DEMO_QUERY, write_source};
use guestsync::emulator::{Budget, EmulatorConfig, EmulatorHandle, Knobs, RetryAfterMode};
use guestsync::settings::Settings;
use guestsync::store::ItemState;
use tokio_util::sync::CancellationToken;

const SAMPLE_EVERY: Duration = Duration::from_millis(100);

struct Args {
    budget: f64,
    identities: usize,
    mode_name: String,
    retry_after: RetryAfterMode,
    burst: u32,
    read: f64,
    pace: f64,
    latency_ms: u64,
    workers: Option<u32>,
}

fn env_or<T: FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} does not parse")),
        _ => default,
    }
}

impl Args {
    fn from_env() -> Self {
        let budget: f64 = env_or("BUDGET_B", 200.0);
        let mode_name: String = env_or("BUDGET_RETRY_AFTER", "normal".to_string());
        let retry_after = match mode_name.as_str() {
            "normal" => RetryAfterMode::Computed,
            "missing" => RetryAfterMode::Missing,
            "zero" => RetryAfterMode::Zero,
            other => panic!("BUDGET_RETRY_AFTER={other}: use normal, missing or zero"),
        };
        Self {
            budget,
            identities: env_or("BUDGET_N", 10_000),
            mode_name,
            retry_after,
            burst: env_or("BUDGET_BURST", budget.ceil().max(1.0) as u32),
            read: env_or("BUDGET_READ", 50.0),
            pace: env_or("BUDGET_PACE", budget),
            latency_ms: env_or("BUDGET_LATENCY_MS", 0),
            workers: std::env::var("BUDGET_WORKERS")
                .ok()
                .and_then(|v| v.trim().parse().ok()),
        }
    }

    fn knobs(&self) -> Knobs {
        Knobs {
            write_budget: Some(Budget {
                per_second: self.budget,
                burst: self.burst,
            }),
            read_budget: Some(Budget {
                per_second: self.read,
                burst: self.read.ceil().max(1.0) as u32,
            }),
            retry_after: self.retry_after,
            latency_ms: self.latency_ms,
            ..Knobs::default()
        }
    }
}

/// guestsync's settings for this run: the emulator's address and credentials, the source and
/// the state store, and the budgets; everything else as `config/default.toml` has it.
fn settings(args: &Args, emulator: &EmulatorHandle, dir: &std::path::Path) -> Settings {
    let config = emulator.config();
    let mut env: Vec<(String, String)> = [
        ("GUESTSYNC__GRAPH__BASE_URL", emulator.base_url()),
        ("GUESTSYNC__AUTH__AUTHORITY_URL", emulator.authority_url()),
        ("GUESTSYNC__AUTH__TENANT_ID", config.tenant_id.clone()),
        ("GUESTSYNC__AUTH__CLIENT_ID", config.client_id.clone()),
        (
            "GUESTSYNC__AUTH__CLIENT_SECRET",
            config.client_secret.clone(),
        ),
        (
            "GUESTSYNC__STATE__URL",
            format!("sqlite://{}", dir.join("state.db").display()),
        ),
        (
            "GUESTSYNC__SOURCE__URL",
            format!("sqlite://{}", dir.join("source.db").display()),
        ),
        ("GUESTSYNC__SOURCE__QUERY", DEMO_QUERY.into()),
        (
            "GUESTSYNC__GRAPH__WRITE_BUDGET_PER_SECOND",
            args.pace.to_string(),
        ),
        (
            "GUESTSYNC__GRAPH__READ_BUDGET_PER_SECOND",
            args.read.to_string(),
        ),
        ("GUESTSYNC__HTTP__LISTEN", "127.0.0.1:0".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    if let Some(n) = args.workers {
        env.push(("GUESTSYNC__WORKERS__COUNT".into(), n.to_string()));
    }
    Settings::load_with_env(None, env).unwrap()
}

/// Accepted writes (writes minus throttled writes) over time, seconds since the start.
#[derive(Default)]
struct Samples(Vec<(f64, u64)>);

impl Samples {
    /// When the accepted writes first reached `target`, interpolated between samples.
    fn time_at(&self, target: f64) -> f64 {
        let mut prev = (0.0, 0u64);
        for &(t, w) in &self.0 {
            if w as f64 >= target {
                let (t0, w0) = prev;
                if w == w0 {
                    return t;
                }
                return t0 + (t - t0) * (target - w0 as f64) / (w - w0) as f64;
            }
            prev = (t, w);
        }
        prev.0
    }
}

fn accepted(emulator: &EmulatorHandle) -> u64 {
    let c = emulator.counters();
    c.writes_total - c.writes_throttled
}

#[tokio::main]
async fn main() {
    let args = Args::from_env();
    let dir = tempfile::tempdir().unwrap();
    let emulator = guestsync::emulator::start(
        EmulatorConfig {
            knobs: args.knobs(),
            ..EmulatorConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    write_source(
        &dir.path().join("source.db"),
        &partner_rows(args.identities),
    )
    .await
    .unwrap();
    let settings = settings(&args, &emulator, dir.path());
    let parts = parts(&settings).await.unwrap();

    let start = Instant::now();
    let samples = Arc::new(Mutex::new(Samples::default()));
    let stop = CancellationToken::new();
    let sampler = {
        let (emulator, samples, stop) = (emulator.clone(), samples.clone(), stop.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SAMPLE_EVERY);
            while !stop.is_cancelled() {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stop.cancelled() => {}
                }
                let point = (start.elapsed().as_secs_f64(), accepted(&emulator));
                samples.lock().unwrap().0.push(point);
            }
        })
    };

    let report = parts.engine.run_cycle("budget-bench").await.unwrap();
    let planned = Instant::now();
    let mut last_print = Instant::now();
    let drained = parts
        .pool
        .drain(CancellationToken::new(), |counts| {
            if last_print.elapsed() >= Duration::from_secs(30) {
                last_print = Instant::now();
                eprintln!(
                    "[{:>6.0} s] queue {counts:?}, accepted writes {}",
                    start.elapsed().as_secs_f64(),
                    accepted(&emulator)
                );
            }
        })
        .await
        .unwrap();
    let wall = start.elapsed().as_secs_f64();
    stop.cancel();
    sampler.await.unwrap();

    let counters = emulator.counters();
    let writes = counters.writes_total - counters.writes_throttled;
    let samples = std::mem::take(&mut *samples.lock().unwrap());
    let (t5, t95) = (
        samples.time_at(0.05 * writes as f64),
        samples.time_at(0.95 * writes as f64),
    );
    let steady = 0.9 * writes as f64 / (t95 - t5);
    let (first, last) = (samples.time_at(1.0), samples.time_at(writes as f64));
    let whole = writes as f64 / (last - first);
    let throttled_fraction = counters.throttled as f64 / counters.requests_total as f64;
    let users = emulator.users().len();
    let done = drained.counts.get(&ItemState::Done).copied().unwrap_or(0);

    println!(
        "B={} (burst {}), guestsync pace {}/s, read budget {}/s, Retry-After {}, {} identities, latency {} ms",
        args.budget,
        args.burst,
        args.pace,
        args.read,
        args.mode_name,
        args.identities,
        args.latency_ms
    );
    println!(
        "cycle {:?}: planning took {:.1} s; drain: {:?} (dead {}); emulator holds {users} users, {done} items done",
        report.outcome,
        planned.duration_since(start).as_secs_f64(),
        drained.counts,
        drained.dead()
    );
    println!(
        "requests {} (by route {:?})",
        counters.requests_total, counters.requests_by_route
    );
    println!(
        "accepted writes {writes}; first at {first:.1} s, last at {last:.1} s; steady state {t5:.1}–{t95:.1} s"
    );
    println!(
        "steady-state writes/s {steady:.2} = {:.1} % of B; whole drain {whole:.2}/s = {:.1} % of B",
        100.0 * steady / args.budget,
        100.0 * whole / args.budget
    );
    println!(
        "429s {} ({} on writes) = {:.3} % of requests; requests inside a Retry-After window: {} own bucket, {} any bucket; wall {wall:.1} s",
        counters.throttled,
        counters.writes_throttled,
        100.0 * throttled_fraction,
        counters.during_retry_after,
        counters.during_any_retry_after
    );
    println!(
        "peak writes arriving in any 1 s window {} ({:.2} × B), in any 10 s window {} ({:.3} × 10 B)",
        counters.peak_writes_in_1s,
        counters.peak_writes_in_1s as f64 / args.budget,
        counters.peak_writes_in_10s,
        counters.peak_writes_in_10s as f64 / (10.0 * args.budget)
    );
    println!(
        "| {} | {} | {} | {writes} | {wall:.0} | {steady:.1} | {:.1} % | {} | {:.3} % | {} / {} |",
        args.budget,
        args.mode_name,
        args.identities,
        100.0 * steady / args.budget,
        counters.throttled,
        100.0 * throttled_fraction,
        counters.during_retry_after,
        counters.during_any_retry_after
    );
    emulator.shutdown().await;
}
