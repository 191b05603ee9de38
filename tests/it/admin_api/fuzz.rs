//! A schema-driven fuzz run: schemathesis (from PyPI; `.ci/run` installs it) reads the served
//! OpenAPI document and sends generated requests to every operation, with the token; no
//! answer may be a 5xx. Without schemathesis the test is skipped loudly, unless
//! `GUESTSYNC_REQUIRE_DB_TESTS=1`, where it fails.

use std::process::Stdio;

use guestsync::emulator::Knobs;

use super::{Api, TOKEN};
use crate::http::rows;
use crate::support::db::required;
use crate::support::world::World;

/// The schemathesis command, if installed.
async fn schemathesis() -> Option<tokio::process::Command> {
    let found = tokio::process::Command::new("schemathesis")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .await
        .is_ok_and(|s| s.success());
    if found {
        return Some(tokio::process::Command::new("schemathesis"));
    }
    assert!(
        !required(),
        "schemathesis is not installed but GUESTSYNC_REQUIRE_DB_TESTS=1 (python3 -m pip install schemathesis)"
    );
    eprintln!("\n!!! SKIPPED: schemathesis is not installed; the API fuzz run did not run !!!\n");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error() {
    let Some(mut command) = schemathesis().await else {
        return;
    };
    let world = World::start(Knobs::default(), Vec::new(), &rows(5)).await;
    let api = Api::start(&world).await;
    let output = command
        .args(["run", &format!("{}/api/v1/openapi.json", api.base)])
        .args(["--checks", "not_a_server_error"])
        .args(["--max-examples", "25"])
        .args(["--header", &format!("Authorization: Bearer {TOKEN}")])
        .current_dir(world.dir.path())
        .env("SCHEMATHESIS_TELEMETRY", "false")
        .env("NO_COLOR", "1")
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("{report}");
    assert!(
        report.contains("API Operations") && report.contains(" generated, "),
        "schemathesis did not report what it tested:\n{report}"
    );
    assert!(
        output.status.success(),
        "schemathesis failed:\n{report}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
