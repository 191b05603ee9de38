//! The PostgreSQL state store crashes and restarts under a running daemon: a private server
//! (never the shared one) is stopped `immediate` once while workers are applying and once while
//! a cycle is reading. The daemon keeps running, readiness reports the store failing while it
//! is down, and after it is back the daemon converges with every check of [`super::checks`].

use std::sync::Arc;
use std::time::Duration;

use guestsync::demo::sample::{PartnerRow, partner_rows};
use guestsync::emulator::{Budget, Knobs};
use guestsync::store::{PgStore, Store};

use super::checks::{assert_converged, settled};
use super::daemon::{Daemon, Mode, poll_until};
use crate::http::{check, ready};
use crate::support::private_pg::PrivatePg;
use crate::support::world::World;

const IDENTITIES: usize = 40;
const LIMIT: Duration = Duration::from_secs(120);

/// The `store` entry of readiness, or `None` while the daemon does not answer. With the store
/// down every store-backed check (the shared throttle's pause included) gives up after its 5 s
/// timeout, and the checks run side by side, so readiness must answer well within 15 s;
/// a probe that took longer counts as no answer (before that bound it took ~30 s: the pool's
/// acquire timeout in the throttle check).
async fn store_status(base: &str) -> Option<String> {
    let (_, body) = tokio::time::timeout(Duration::from_secs(15), ready(base))
        .await
        .ok()?;
    check(&body, "store")["status"].as_str().map(str::to_string)
}

async fn newest_run(store: &Arc<dyn Store>) -> i64 {
    match store.run_list(1).await {
        Ok(runs) => runs.first().map_or(0, |r| r.id),
        Err(_) => 0,
    }
}

/// Crashes the server, waits until readiness shows it (when `watch`),
/// starts it again and waits until readiness is back; the daemon must live through it.
async fn restart(pg: &PrivatePg, daemon: &mut Daemon, base: &str, when: &str, watch: bool) {
    pg.crash().await;
    if watch {
        poll_until(
            &format!("readiness reports the store down ({when})"),
            LIMIT,
            Duration::from_millis(100),
            async || store_status(base).await.as_deref() == Some("fail"),
        )
        .await;
    }
    assert!(
        daemon.running(),
        "died with the store: {}",
        daemon.log_tail()
    );
    pg.start_again().await;
    poll_until(
        &format!("readiness reports the store back ({when})"),
        LIMIT,
        Duration::from_millis(100),
        async || store_status(base).await.as_deref() == Some("ok"),
    )
    .await;
    assert!(
        daemon.running(),
        "died after the restart: {}",
        daemon.log_tail()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_lives_through_state_store_restarts_and_converges() {
    let Some(pg) = PrivatePg::start().await else {
        return;
    };
    let url = pg.create_database("state").await;
    let store: Arc<dyn Store> = Arc::new(PgStore::connect(&url).await.unwrap());
    store.migrate().await.unwrap();
    let rows: Vec<PartnerRow> = partner_rows(IDENTITIES)
        .into_iter()
        .take(IDENTITIES)
        .collect();
    let knobs = Knobs {
        write_budget: Some(Budget {
            per_second: 20.0,
            burst: 5,
        }),
        latency_ms: 5,
        ..Knobs::default()
    };
    let mut world = World::start(knobs, Vec::new(), &rows).await;
    world
        .extra_env
        .push(("GUESTSYNC__STATE__URL".into(), url.clone()));
    let mut daemon = Daemon::spawn(&world, Mode::Run, 0);
    poll_until(
        "the daemon serves health",
        LIMIT,
        Duration::from_millis(20),
        async || daemon.health_base().is_some(),
    )
    .await;
    let base = daemon.health_base().unwrap();

    poll_until(
        "10 writes went out",
        LIMIT,
        Duration::from_millis(5),
        async || world.emulator.counters().writes_total >= 10,
    )
    .await;
    restart(&pg, &mut daemon, &base, "mid-apply", true).await;
    assert!(
        world.emulator.users().len() < IDENTITIES,
        "restarted too late to prove anything"
    );

    let before = newest_run(&store).await;
    poll_until(
        "a new cycle opened",
        LIMIT,
        Duration::from_millis(5),
        async || newest_run(&store).await > before,
    )
    .await;
    restart(&pg, &mut daemon, &base, "mid-cycle", false).await;

    let before = newest_run(&store).await;
    poll_until(
        "converged after the restarts",
        LIMIT,
        Duration::from_millis(100),
        async || {
            assert!(daemon.running(), "daemon died: {}", daemon.log_tail());
            newest_run(&store).await > before + 1 && settled(&world, &store, &rows).await
        },
    )
    .await;
    daemon.terminate().await;
    assert_converged("[state store restarts]", &world, &store, &rows).await;
}
