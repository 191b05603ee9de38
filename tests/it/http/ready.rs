//! Readiness: 503 before the first cycle, after a failed or stale one, with a held run and with
//! a closed store; 200 after a successful cycle.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use guestsync::clock::ManualClock;
use guestsync::emulator::Knobs;
use guestsync::http::{CycleOutcome, MetricsExporter};
use guestsync::store::SqliteStore;

use super::{check, get, probes, ready, rows, serve_app};
use crate::support::world::World;

#[tokio::test]
async fn live_is_200_and_ready_is_503_until_a_cycle_succeeds() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(5)).await;
    let parts = world.parts().await;
    let probes = probes(&parts, parts.store.clone(), parts.clock.clone());
    let (base, health) = serve_app(probes, MetricsExporter::new().unwrap()).await;

    assert_eq!(get(&format!("{base}/health/live")).await.0, 200);
    let (status, body) = ready(&base).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "fail");
    assert_eq!(check(&body, "last_cycle")["status"], "fail", "{body}");
    assert_eq!(check(&body, "store")["status"], "ok", "{body}");

    let result = parts.engine.run_cycle("test").await;
    health.record_result(parts.clock.now(), &result);
    let (status, body) = ready(&base).await;
    assert_eq!(status, 200, "{body}");
    for name in ["store", "last_cycle", "token", "held_runs", "throttle"] {
        assert_eq!(check(&body, name)["status"], "ok", "{body}");
    }

    health.record(parts.clock.now(), CycleOutcome::Failed);
    let (status, body) = ready(&base).await;
    assert_eq!(status, 503, "a failed cycle is not ready: {body}");
}

#[tokio::test]
async fn a_stale_last_cycle_is_not_ready() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let parts = world.parts().await;
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let probes = probes(&parts, parts.store.clone(), clock.clone());
    let (base, health) = serve_app(probes, MetricsExporter::new().unwrap()).await;
    health.record(start, CycleOutcome::Succeeded);
    clock.advance(chrono::Duration::seconds(900));
    assert_eq!(ready(&base).await.0, 200, "three intervals is still fresh");
    clock.advance(chrono::Duration::seconds(1));
    let (status, body) = ready(&base).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(check(&body, "last_cycle")["status"], "fail");
}

#[tokio::test]
async fn a_held_run_is_not_ready() {
    let rows = rows(20);
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    world.sync_once().await;
    world.set_rows(&rows[..10]).await;
    let parts = world.parts().await;
    let probes = probes(&parts, parts.store.clone(), parts.clock.clone());
    let (base, health) = serve_app(probes, MetricsExporter::new().unwrap()).await;
    let result = parts.engine.run_cycle("test").await;
    assert!(result.as_ref().unwrap().is_held());
    health.record_result(parts.clock.now(), &result);
    let (status, body) = ready(&base).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(check(&body, "held_runs")["status"], "fail", "{body}");
    assert_eq!(check(&body, "last_cycle")["status"], "ok", "{body}");
}

#[tokio::test]
async fn a_closed_store_is_not_ready() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let parts = world.parts().await;
    let store = Arc::new(SqliteStore::connect(&world.state_url()).await.unwrap());
    let probes = probes(&parts, store.clone(), parts.clock.clone());
    let (base, health) = serve_app(probes, MetricsExporter::new().unwrap()).await;
    health.record(parts.clock.now(), CycleOutcome::Succeeded);
    assert_eq!(ready(&base).await.0, 200);
    store.close().await;
    let (status, body) = ready(&base).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(check(&body, "store")["status"], "fail", "{body}");
}

#[tokio::test]
async fn a_long_graph_pause_is_not_ready() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let parts = world.parts().await;
    let probes = probes(&parts, parts.store.clone(), parts.clock.clone());
    let (base, health) = serve_app(probes, MetricsExporter::new().unwrap()).await;
    health.record(parts.clock.now(), CycleOutcome::Succeeded);
    let throttle = parts.graph.throttle();
    throttle.pause_for(Duration::from_secs(60)).await;
    assert_eq!(ready(&base).await.0, 200, "a short pause is fine");
    throttle.pause_for(Duration::from_secs(600)).await;
    let (status, body) = ready(&base).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(check(&body, "throttle")["status"], "fail", "{body}");
    let (_, text) = get(&format!("{base}/metrics")).await;
    assert!(
        !text.contains("guestsync_throttle_pause_seconds 0\n"),
        "{text}"
    );
    assert!(
        text.contains("guestsync_throttle_pause_seconds 5"),
        "{text}"
    );
}
