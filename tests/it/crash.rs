//! Crash safety: `guestsync sync --once` killed with SIGKILL in the middle of applying, then
//! started again, converges with no duplicate guest.

use std::process::Stdio;
use std::time::Duration;

use guestsync::demo::sample::partner_rows;
use guestsync::emulator::{Budget, Knobs};

use crate::support::world::World;

fn child(world: &World) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"));
    command
        .args(["sync", "--once"])
        .env_clear()
        .envs(world.env())
        .env("GUESTSYNC__WORKERS__LEASE", "2s")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_sync_and_restarted_converges_without_duplicates() {
    let rows: Vec<_> = partner_rows(60).into_iter().take(60).collect();
    let knobs = Knobs {
        write_budget: Some(Budget {
            per_second: 10.0,
            burst: 1,
        }),
        replication_lag_max_ms: 1_000,
        ..Knobs::default()
    };
    let world = World::start(knobs, Vec::new(), &rows).await;

    let mut first = child(&world).spawn().unwrap();
    let started = tokio::time::Instant::now();
    while world.emulator.counters().writes_total < 20 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the child made no progress"
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "the child ended before it was killed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let invited_before_restart = world.emulator.users().len();
    assert!(
        invited_before_restart < rows.len(),
        "killed too late to prove anything"
    );

    let status = child(&world).status().await.unwrap();
    assert!(status.success(), "the restarted sync failed: {status:?}");
    for row in &rows {
        let users = world.users_with_mail(&row.email);
        assert_eq!(users.len(), 1, "{} has {} guests", row.email, users.len());
        assert_eq!(users[0]["jobTitle"], row.job_title.as_str());
    }
}
