//! `guestsync run` serves the probes and metrics on `http.listen`; `guestsync health` probes
//! readiness with exit 0 (ready) or 1 (not ready, unreachable).

use std::process::Stdio;
use std::time::Duration;

use guestsync::emulator::Knobs;

use super::rows;
use crate::support::world::World;

/// A port that was free a moment ago (the child binds it; 127.0.0.1:0 is not printable).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// [`World::command`] with its output discarded.
fn guestsync(world: &World) -> tokio::process::Command {
    let mut command = world.command();
    command.stdout(Stdio::null()).stderr(Stdio::null());
    command
}

/// Polls `url` until it answers `want` (bounded: 60 s); returns the body.
pub(crate) async fn wait_for(url: &str, want: u16) -> String {
    let client = reqwest::Client::new();
    let started = tokio::time::Instant::now();
    loop {
        if let Ok(response) = client.get(url).send().await
            && response.status().as_u16() == want
        {
            return response.text().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{url} never answered {want}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_serves_health_and_metrics_on_http_listen() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    let base = format!("http://127.0.0.1:{}", free_port());
    let _daemon = guestsync(&world)
        .arg("run")
        .env(
            "GUESTSYNC__HTTP__LISTEN",
            base.trim_start_matches("http://"),
        )
        .spawn()
        .unwrap();
    assert_eq!(wait_for(&format!("{base}/health/live"), 200).await, "ok");
    wait_for(&format!("{base}/health/ready"), 200).await;
    let metrics = wait_for(&format!("{base}/metrics"), 200).await;
    assert!(metrics.contains("guestsync_cycles_total"), "{metrics}");
    assert!(metrics.contains("guestsync_items{state="), "{metrics}");

    let probe = guestsync(&world)
        .args(["health", "--url", &format!("{base}/health/ready")])
        .status()
        .await
        .unwrap();
    assert_eq!(probe.code(), Some(0));
    let from_config = guestsync(&world)
        .arg("health")
        .env(
            "GUESTSYNC__HTTP__LISTEN",
            base.trim_start_matches("http://"),
        )
        .status()
        .await
        .unwrap();
    assert_eq!(
        from_config.code(),
        Some(0),
        "health without --url uses http.listen"
    );
}

#[tokio::test]
async fn guestsync_health_exits_1_when_nothing_answers() {
    let world = World::start(Knobs::default(), Vec::new(), &[]).await;
    let url = format!("http://127.0.0.1:{}/health/ready", free_port());
    let probe = guestsync(&world)
        .args(["health", "--url", &url])
        .status()
        .await
        .unwrap();
    assert_eq!(probe.code(), Some(1));
}
