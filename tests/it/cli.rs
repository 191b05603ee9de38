//! The binary as operators use it: exit codes, what `plan` and `runs` print, the emulator
//! command, graceful shutdown of the daemon.

use std::process::Stdio;
use std::time::Duration;

use guestsync::demo::sample::{bad_rows, partner_rows};
use guestsync::emulator::{Budget, Knobs};
use guestsync::store::{ItemState, SqliteStore, Store};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::support::world::World;

async fn stdout_of(command: &mut tokio::process::Command) -> (i32, String) {
    let output = command.output().await.unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap_or(-1), text)
}

#[tokio::test]
async fn plan_and_runs_show_rejected_and_held_rows_with_reasons() {
    let mut rows: Vec<_> = partner_rows(5).into_iter().take(5).collect();
    rows.extend(bad_rows());
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;

    let (code, plan) = stdout_of(world.command().arg("plan")).await;
    assert_eq!(code, 0, "{plan}");
    for expected in [
        "invite",
        "U+200B",
        "300",
        "rejected",
        "held",
        "o'brien@partner.example",
    ] {
        assert!(
            plan.contains(expected),
            "plan does not show {expected}:\n{plan}"
        );
    }
    assert!(world.emulator.users().is_empty(), "plan wrote to Graph");

    let (code, json) = stdout_of(world.command().args(["plan", "--json"])).await;
    assert_eq!(code, 0);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["rejected"].as_array().unwrap().len(), 4);
    assert_eq!(json["held"].as_array().unwrap().len(), 2);

    let (code, sync) = stdout_of(world.command().args(["sync", "--once"])).await;
    assert_eq!(code, 0, "{sync}");
    let (code, runs) = stdout_of(world.command().args(["runs", "1"])).await;
    assert_eq!(code, 0);
    for expected in ["U+200B", "300", "shared@partner.example"] {
        assert!(
            runs.contains(expected),
            "runs does not show {expected}:\n{runs}"
        );
    }
}

#[tokio::test]
async fn configuration_errors_exit_2_naming_the_key() {
    let world = World::start(Knobs::default(), Vec::new(), &[]).await;
    let output = world
        .command()
        .arg("check")
        .env("GUESTSYNC__WORKERS__COUNT", "zero")
        .env("GUESTSYNC__GRAPH__BSE_URL", "x")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("graph.bse_url"), "{stderr}");
}

#[tokio::test]
async fn an_unknown_mapped_property_stops_start_up_naming_it() {
    let world = World::start(Knobs::default(), Vec::new(), &[]).await;
    let config = world.dir.path().join("mapping.toml");
    std::fs::write(&config, "[mapping.favouriteColour]\ncolumn = \"colour\"\n").unwrap();
    let output = world
        .command()
        .arg("--config")
        .arg(&config)
        .arg("check")
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("mapping.favouriteColour: unknown Graph user property"),
        "{stderr}"
    );
}

#[tokio::test]
async fn the_brake_holds_until_guestsync_approve() {
    let rows: Vec<_> = partner_rows(40).into_iter().take(40).collect();
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    assert_eq!(
        stdout_of(world.command().args(["sync", "--once"])).await.0,
        0
    );
    world.set_rows(&rows[..30]).await;
    let (code, held) = stdout_of(world.command().args(["sync", "--once"])).await;
    assert_eq!(code, 1, "a held run exits 1:\n{held}");
    let enabled = |world: &World| {
        rows[30..]
            .iter()
            .filter(|r| world.users_with_mail(&r.email)[0]["accountEnabled"] == true)
            .count()
    };
    assert_eq!(enabled(&world), 10);
    let (code, approved) = stdout_of(world.command().args(["approve", "2"])).await;
    assert_eq!(code, 0, "{approved}");
    let (code, after) = stdout_of(world.command().args(["sync", "--once"])).await;
    assert_eq!(
        code, 0,
        "approved disables were held a second time:\n{after}"
    );
    assert_eq!(enabled(&world), 0, "approved disables were not applied");
}

#[tokio::test]
async fn the_emulator_command_prints_the_address_it_serves() {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .args(["emulator", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{first}"
    );
    let token = reqwest::Client::new()
        .post(format!(
            "{url}/00000000-0000-0000-0000-0000000000aa/oauth2/v2.0/token"
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "11111111-1111-1111-1111-1111111111bb"),
            ("client_secret", "emulator-secret"),
            ("scope", &format!("{url}/.default")),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_stops_the_daemon_and_releases_its_leases_at_once() {
    let rows: Vec<_> = partner_rows(60).into_iter().take(60).collect();
    let knobs = Knobs {
        write_budget: Some(Budget {
            per_second: 5.0,
            burst: 1,
        }),
        ..Knobs::default()
    };
    let world = World::start(knobs, Vec::new(), &rows).await;
    let mut daemon = world
        .command()
        .arg("run")
        .env("GUESTSYNC__WORKERS__LEASE", "10m")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = tokio::time::Instant::now();
    while world.emulator.counters().writes_total < 5 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the daemon made no progress"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pid = daemon.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(30), daemon.wait())
        .await
        .expect("the daemon did not stop within 30 s")
        .unwrap();
    assert!(status.success(), "{status:?}");
    let store = SqliteStore::connect(&world.state_url()).await.unwrap();
    let counts = store.item_counts().await.unwrap();
    assert_eq!(
        counts[&ItemState::Running],
        0,
        "leases were left behind: {counts:?}"
    );
    assert!(
        counts[&ItemState::Pending] > 0,
        "stopped too late to prove anything: {counts:?}"
    );
}

#[tokio::test]
async fn an_invitation_graph_refuses_is_dead_with_graphs_error_and_counted_as_failed() {
    let mut rows: Vec<_> = partner_rows(3).into_iter().take(3).collect();
    let mut own_domain = rows[0].clone();
    own_domain.partner_id = Some("OWN1".into());
    own_domain.email = "insider@contoso.onmicrosoft.com".into();
    rows.push(own_domain);
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;

    let (code, sync) = stdout_of(world.command().args(["sync", "--once"])).await;
    assert_eq!(code, 1, "dead items exit 1:\n{sync}");
    let (_, dead) = stdout_of(world.command().args(["items", "--state", "dead"])).await;
    assert!(dead.contains("OWN1") && dead.contains("400"), "{dead}");
    assert!(
        dead.contains("request-id") && !dead.contains("request-id -)"),
        "{dead}"
    );
    let (_, runs) = stdout_of(world.command().arg("runs")).await;
    let run_line = runs.lines().nth(1).unwrap_or_default();
    assert!(run_line.trim_end().ends_with(" 1"), "FAILED column: {runs}");
    assert_eq!(
        world
            .users_with_mail("insider@contoso.onmicrosoft.com")
            .len(),
        0
    );
}
