//! `guestsync run` with `http.admin_token` serves the admin API on `http.listen` beside the
//! probes; its scheduled cycle shows up as a run.

use std::process::Stdio;
use std::time::Duration;

use guestsync::emulator::Knobs;

use super::TOKEN;
use crate::http::rows;
use crate::support::world::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_serves_the_admin_api_with_its_token() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _daemon = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .arg("run")
        .env_clear()
        .envs(world.env())
        .env("GUESTSYNC__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("GUESTSYNC__HTTP__ADMIN_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = tokio::time::Instant::now();
    let runs: serde_json::Value = loop {
        let answer = client
            .get(format!("{base}/api/v1/runs"))
            .bearer_auth(TOKEN)
            .send()
            .await;
        if let Ok(response) = answer
            && response.status() == 200
        {
            let runs: serde_json::Value = response.json().await.unwrap();
            if runs.as_array().is_some_and(|r| !r.is_empty()) {
                break runs;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no run listed");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(runs[0]["kind"], "scheduled", "{runs}");
    let unauthenticated = client
        .get(format!("{base}/api/v1/runs"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
}

#[tokio::test]
async fn sync_once_is_refused_while_paused() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let parts = world.parts().await;
    parts
        .store
        .control_pause(parts.clock.now(), "maintenance")
        .await
        .unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .args(["sync", "--once"])
        .env_clear()
        .envs(world.env())
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("paused"), "{stderr}");
    assert!(world.emulator.users().is_empty(), "nothing was invited");
}
