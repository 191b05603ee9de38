//! `/metrics`: the Prometheus text carries the cycle, queue, throttle and guest series after a
//! cycle, and no e-mail address.

use guestsync::emulator::Knobs;
use guestsync::http::MetricsExporter;
use tokio_util::sync::CancellationToken;

use super::{get, probes, rows, serve_app};
use crate::support::world::World;

#[tokio::test]
async fn metrics_show_the_series_after_a_cycle_and_no_address() {
    let exporter = MetricsExporter::new().unwrap();
    let served = exporter.clone();
    let _local = metrics::set_default_local_recorder(exporter.recorder());
    let rows = rows(8);
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    let parts = world.parts().await;
    let probes = probes(&parts, parts.store.clone(), parts.clock.clone());
    let (base, _health) = serve_app(probes, served).await;

    let (status, before) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    assert!(
        !before.contains("guestsync_cycle_duration_seconds"),
        "{before}"
    );

    parts.engine.run_cycle("test").await.unwrap();
    parts
        .pool
        .drain(CancellationToken::new(), |_| {})
        .await
        .unwrap();
    parts.engine.run_cycle("test").await.unwrap();
    let (status, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    for series in [
        "guestsync_cycle_duration_seconds_bucket",
        "guestsync_cycle_phase_seconds_bucket{phase=\"source_read\",le=\"0.01\"}",
        "guestsync_cycle_phase_seconds_count{phase=\"tenant_read\"} 2",
        "guestsync_cycle_phase_seconds_count{phase=\"links_read\"} 2",
        "guestsync_cycle_phase_seconds_count{phase=\"plan\"} 2",
        "guestsync_cycle_phase_seconds_count{phase=\"record\"} 2",
        "guestsync_cycles_total",
        "guestsync_source_rows_read_total 16",
        "guestsync_source_rows_rejected_total 0",
        "guestsync_source_rows_held_total 0",
        "guestsync_items{state=\"done\"} 8",
        "guestsync_items{state=\"dead\"} 0",
        "guestsync_last_successful_cycle_timestamp_seconds",
        "guestsync_throttle_pause_seconds 0",
        "guestsync_owned_guests{external_user_state=\"pending_acceptance\"} 8",
        "guestsync_guests{redemption=\"pending\"} 8",
        "guestsync_guests{redemption=\"accepted\"} 0",
        "guestsync_actions_total",
        "guestsync_graph_requests_total",
    ] {
        assert!(text.contains(series), "/metrics lacks {series}:\n{text}");
    }
    assert!(
        !text.contains('@'),
        "an address leaked into /metrics:\n{text}"
    );
    for anchor in rows.iter().filter_map(|r| r.partner_id.as_ref()) {
        assert!(!text.contains(anchor.as_str()), "anchor {anchor} leaked");
    }
}
