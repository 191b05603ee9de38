//! Readiness and metrics name the leader: the `leader` entry never fails and names this replica
//! and its role; a follower's `last_cycle` passes (its cycles run on the leader); the
//! `guestsync_leader` gauge is 1 on the leader and 0 on a follower.

use guestsync::emulator::Knobs;
use guestsync::http::MetricsExporter;
use guestsync::replicas::Leadership;

use crate::http::{check, probes, ready, rows, serve_app};
use crate::support::world::World;

#[tokio::test]
async fn readiness_and_the_gauge_show_which_replica_leads() {
    let mut world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    world
        .extra_env
        .push(("GUESTSYNC__REPLICAS__ID".into(), "blue".into()));
    let parts = world.parts().await;
    let exporter = MetricsExporter::new().unwrap();
    let _recorder = metrics::set_default_local_recorder(exporter.recorder());

    let leader = probes(&parts, parts.store.clone(), parts.clock.clone());
    let (leader_base, leader_health) = serve_app(leader, exporter.clone()).await;
    leader_health.follow_replica(parts.leadership.subscribe());
    let body = ready(&leader_base).await.1;
    assert_eq!(
        check(&body, "leader")["detail"],
        "replica blue: starting",
        "{body}"
    );

    parts.leadership.try_lead().await;
    let body = ready(&leader_base).await.1;
    let entry = check(&body, "leader");
    assert_eq!(entry["status"], "ok", "{body}");
    assert_eq!(entry["detail"], "replica blue: leader (epoch 1)", "{body}");
    assert_eq!(
        check(&body, "last_cycle")["status"],
        "fail",
        "the leader owes a cycle"
    );
    assert!(
        exporter.render().contains("guestsync_leader 1"),
        "{}",
        exporter.render()
    );

    let green = Leadership::new(
        parts.store.clone(),
        parts.clock.clone(),
        "green".into(),
        std::time::Duration::from_secs(30),
    );
    let follower = probes(&parts, parts.store.clone(), parts.clock.clone());
    let (follower_base, follower_health) = serve_app(follower, exporter.clone()).await;
    follower_health.follow_replica(green.subscribe());
    green.try_lead().await;
    let body = ready(&follower_base).await.1;
    let entry = check(&body, "leader");
    assert_eq!(entry["status"], "ok", "{body}");
    assert_eq!(
        entry["detail"], "replica green: follower of replica blue",
        "{body}"
    );
    assert_eq!(check(&body, "last_cycle")["status"], "ok", "{body}");
    assert!(
        exporter.render().contains("guestsync_leader 0"),
        "{}",
        exporter.render()
    );
}
