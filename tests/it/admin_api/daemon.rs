//! `guestsync run` with `http.admin_token` serves the admin API on `http.listen` beside the
//! probes; its scheduled cycle shows up as a run.

use std::process::Stdio;
use std::time::Duration;

use guestsync::emulator::Knobs;

use guestsync::http::api::{OPENAPI_PATH, routes};

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

/// Every answer a caller without the admin token gets from a daemon that has invited guests
/// (with write-back on, so redeem URLs are stored): the status page, the probes, `/metrics`,
/// the OpenAPI document and the 401s of every API route. None holds an address, the client
/// secret, the admin token, an access token or a redeem URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_unauthenticated_answer_holds_an_address_a_secret_a_token_or_a_redeem_url() {
    let partners = rows(3);
    let mut world = World::start(Knobs::default(), Vec::new(), &partners).await;
    world
        .extra_env
        .push(("GUESTSYNC__WRITEBACK__ENABLED".into(), "true".into()));
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The store is migrated before the daemon starts: two migrators on one fresh SQLite file
    // would race.
    let parts = world.parts().await;
    let _daemon = world
        .command()
        .arg("run")
        .env("GUESTSYNC__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("GUESTSYNC__HTTP__ADMIN_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = tokio::time::Instant::now();
    loop {
        let links = parts.store.link_list().await.unwrap();
        let ready = client.get(format!("{base}/health/ready")).send().await;
        if links.len() == partners.len()
            && ready.is_ok_and(|r| r.status() == 200)
            && links.iter().all(|l| l.redeem_url.is_some())
        {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "not converged");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut forbidden: Vec<String> = vec![
        TOKEN.into(),
        world.emulator.config().client_secret.clone(),
        "emu.".into(), // every access token the emulator issues starts so
        "redeem?".into(),
        "@".into(),
    ];
    for link in parts.store.link_list().await.unwrap() {
        forbidden.push(link.redeem_url.unwrap().expose().to_string());
        forbidden.push(link.email);
    }
    forbidden.extend(partners.iter().map(|p| p.email.clone()));

    let mut answers = Vec::new();
    for path in [
        "/",
        "/health/live",
        "/health/ready",
        "/metrics",
        OPENAPI_PATH,
    ] {
        answers.push(("get", path.to_string()));
    }
    for (method, path) in routes() {
        answers.push((
            method,
            path.replace("{run_id}", "1").replace("{anchor}", "p00001"),
        ));
    }
    for (method, path) in answers {
        let response = client
            .request(
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                format!("{base}{path}"),
            )
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = format!("{:?}", response.headers()).to_lowercase();
        let body = response.text().await.unwrap().to_lowercase();
        if path != OPENAPI_PATH && path.starts_with("/api/v1") {
            assert_eq!(status, 401, "{method} {path}");
        }
        for secret in &forbidden {
            let secret = secret.to_lowercase();
            assert!(!body.contains(&secret), "{method} {path} shows {secret:?}");
            assert!(
                !headers.contains(&secret),
                "{method} {path} header shows {secret:?}"
            );
        }
    }
}
