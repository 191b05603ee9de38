//! The status page in the states an operator must see: a run held by the brake (with approve
//! and reject buttons, and "not ready"), and a state store that is gone (the page still
//! answers, naming what it cannot read).

use std::sync::Arc;

use guestsync::emulator::Knobs;
use guestsync::http::{AppState, MetricsExporter, PageState, Probes};
use guestsync::store::SqliteStore;

use super::{get, probes, rows, serve_state};
use crate::support::world::World;

fn state(probes: Probes) -> AppState {
    AppState {
        probes: Arc::new(probes),
        exporter: MetricsExporter::new().unwrap(),
        page: PageState::new(),
    }
}

#[tokio::test]
async fn a_held_run_offers_approve_and_reject_and_the_page_says_not_ready() {
    let rows = rows(20);
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    world.sync_once().await;
    world.set_rows(&rows[..10]).await;
    let parts = world.parts().await;
    let probes = probes(&parts, parts.store.clone(), parts.clock.clone());
    let result = parts.engine.run_cycle("test").await;
    probes.health.record_result(parts.clock.now(), &result);
    let held = result.unwrap();
    assert!(held.is_held());
    let base = serve_state(state(probes)).await;

    let (status, html) = get(&format!("{base}/")).await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"class="badge fail">not ready"#), "{html}");
    let id = held.run_id;
    assert!(html.contains(&format!(r#"data-path="/api/v1/runs/{id}/approve""#)));
    assert!(html.contains(&format!(r#"data-path="/api/v1/runs/{id}/reject""#)));
    assert!(html.contains(r#"<td class="held""#), "the run's outcome");
}

#[tokio::test]
async fn with_the_state_store_gone_the_page_still_answers_and_names_it() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let parts = world.parts().await;
    let store = Arc::new(SqliteStore::connect(&world.state_url()).await.unwrap());
    let probes = probes(&parts, store.clone(), parts.clock.clone());
    let base = serve_state(state(probes)).await;
    store.close().await;

    let (status, html) = get(&format!("{base}/")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Cannot read the runs"), "{html}");
    assert!(html.contains("Cannot read the queue"), "{html}");
    assert!(html.contains(r#"class="badge fail">not ready"#), "{html}");
}
