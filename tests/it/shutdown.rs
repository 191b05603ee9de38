//! Graceful SIGTERM: `guestsync run` stopped in the middle of a cycle (Graph so slow that the
//! cycle cannot finish) exits 0 promptly, finishes the run as cancelled instead of leaving it
//! open, stops its workers and releases their leases.

use std::process::Stdio;
use std::time::Duration;

use guestsync::demo::sample::partner_rows;
use guestsync::emulator::Knobs;
use guestsync::store::{ItemState, RunOutcome, SqliteStore, Store};

use crate::support::world::World;

/// Polls until the daemon's cycle is open (its run unfinished) and its workers hold leases.
async fn wait_until_busy(store: &SqliteStore, first_run: i64) {
    let started = tokio::time::Instant::now();
    loop {
        let runs = store.run_list(1).await.unwrap();
        let open = runs
            .first()
            .is_some_and(|r| r.id > first_run && r.finished_at.is_none());
        let running = store.item_counts().await.unwrap()[&ItemState::Running];
        if open && running > 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the daemon never started a cycle with workers busy"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_cancels_a_cycle_in_progress_releases_leases_and_exits_0() {
    let rows: Vec<_> = partner_rows(4).into_iter().take(4).collect();
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    let first = world.parts().await.engine.run_cycle("test").await.unwrap();
    world.emulator.set_knobs(Knobs {
        latency_ms: 3_600_000,
        ..Knobs::default()
    });
    let mut daemon = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .arg("run")
        .env_clear()
        .envs(world.env())
        .env("GUESTSYNC__WORKERS__LEASE", "10m")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let store = SqliteStore::connect(&world.state_url()).await.unwrap();
    wait_until_busy(&store, first.run_id).await;

    let pid = daemon.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(60), daemon.wait())
        .await
        .expect("SIGTERM did not stop the daemon: it waited for the cycle")
        .unwrap();
    assert_eq!(status.code(), Some(0), "{status:?}");

    let run = &store.run_list(1).await.unwrap()[0];
    assert!(
        run.id > first.run_id && run.finished_at.is_some(),
        "{run:?}"
    );
    match &run.outcome {
        Some(RunOutcome::Failed(reason)) => assert!(reason.contains("cancelled"), "{reason}"),
        other => panic!("the cancelled run ended as {other:?}"),
    }
    assert_eq!(store.run_rejections(run.id).await.unwrap(), Vec::new());
    let counts = store.item_counts().await.unwrap();
    assert_eq!(counts[&ItemState::Running], 0, "leases left: {counts:?}");
    assert_eq!(counts[&ItemState::Pending], 4, "{counts:?}");
}
