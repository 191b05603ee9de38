//! The phases of a cycle (source read, tenant read, links read, plan, record) on the report,
//! in `sync --once` and `plan --json` output; the emulator's `--seed-file` that the cycle
//! benchmark (`bench/cycle.sh`) seeds large tenants with.

use std::process::Stdio;

use guestsync::demo::sample::partner_rows;
use guestsync::emulator::Knobs;
use guestsync::sync::CyclePhase;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_util::sync::CancellationToken;

use crate::support::world::World;

#[tokio::test]
async fn a_recorded_cycle_reports_every_phase() {
    let rows: Vec<_> = partner_rows(12).into_iter().take(12).collect();
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    let parts = world.parts().await;

    let preview = parts.engine.preview().await.unwrap();
    assert!(preview.phases.source_read > std::time::Duration::ZERO);
    assert!(preview.phases.tenant_read > std::time::Duration::ZERO);
    assert_eq!(preview.phases.record, std::time::Duration::ZERO);

    let report = parts.engine.run_cycle("test").await.unwrap();
    for phase in CyclePhase::ALL {
        assert!(
            report.phases.get(phase) > std::time::Duration::ZERO,
            "{phase:?} was not measured: {:?}",
            report.phases
        );
    }
    parts
        .pool
        .drain(CancellationToken::new(), |_| {})
        .await
        .unwrap();
}

#[tokio::test]
async fn sync_once_and_plan_json_print_the_phases() {
    let rows: Vec<_> = partner_rows(6).into_iter().take(6).collect();
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;

    let output = world
        .command()
        .args(["sync", "--once"])
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("cycle phases: "))
        .unwrap_or_else(|| panic!("no phases line:\n{stdout}"));
    for name in [
        "source read ",
        "tenant read ",
        "links read ",
        "plan ",
        "record ",
    ] {
        assert!(line.contains(name), "{name} missing: {line}");
    }

    let output = world
        .command()
        .args(["plan", "--json"])
        .output()
        .await
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let phases = json["phases_seconds"].as_object().unwrap();
    let keys: Vec<_> = phases.keys().map(String::as_str).collect();
    assert_eq!(
        keys.len(),
        5,
        "phases: {keys:?} (expected source_read, tenant_read, links_read, plan, record)"
    );
    assert!(phases["source_read"].as_f64().unwrap() > 0.0);
    assert_eq!(phases["record"].as_f64(), Some(0.0), "plan records nothing");
}

async fn emulator_with_seed_file(path: &std::path::Path) -> (tokio::process::Child, Vec<String>) {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed-file"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        let listening = line.contains("listening on");
        seen.push(line);
        if listening {
            break;
        }
    }
    (child, seen)
}

#[tokio::test]
async fn the_emulator_starts_with_the_users_of_a_seed_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.jsonl");
    let seeds = [
        r#"{"mail":"a@partner.example","display_name":"A","user_type":"Guest","creation_type":"Invitation","account_enabled":true,"extra":{"jobTitle":"Auditor"}}"#,
        "",
        r#"{"mail":"b@partner.example","display_name":"B","user_type":"Guest","creation_type":"Invitation","account_enabled":true}"#,
        r#"{"mail":"member@contoso.example","display_name":"M","user_type":"Member","account_enabled":true}"#,
    ];
    std::fs::write(&path, seeds.join("\n")).unwrap();
    let (_child, lines) = emulator_with_seed_file(&path).await;
    assert!(
        lines.iter().any(|l| l.starts_with("seeded 3 users")),
        "{lines:?}"
    );
    let url = lines.last().unwrap().rsplit(' ').next().unwrap().to_owned();
    let users: Vec<serde_json::Value> = reqwest::get(format!("{url}/_emulator/users"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users.len(), 3);
    let a = users.iter().find(|u| u["mail"] == "a@partner.example");
    let a = a.unwrap();
    assert_eq!(a["jobTitle"], "Auditor");
    assert_eq!(a["creationType"], "Invitation");
    assert_eq!(a["externalUserState"], "Accepted");
}

#[tokio::test]
async fn a_bad_seed_line_stops_the_emulator_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("seed.jsonl");
    std::fs::write(&path, "{\"mail\":\"a@partner.example\"}\nnot json\n").unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed-file"])
        .arg(&path)
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 2"), "{stderr}");
}
