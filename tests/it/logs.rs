//! Structured logs: `guestsync sync --once --log-format json` writes one JSON object per line
//! whose spans carry the run id (`sync.cycle`), the anchor (the worker's item span) and Graph's
//! request-id and client-request-id (`graph.request`); no line holds the client secret, a
//! redeem URL or an e-mail address.

use std::process::Stdio;

use guestsync::demo::sample::partner_rows;
use guestsync::emulator::Knobs;
use guestsync::store::{SqliteStore, Store};
use serde_json::Value;

use crate::support::world::World;

/// Whether `line`'s span list has a span with field `field`.
fn span_has(line: &Value, field: &str) -> bool {
    line["spans"]
        .as_array()
        .is_some_and(|spans| spans.iter().any(|s| s.get(field).is_some()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_run_id_anchor_and_request_id_and_no_secret() {
    let rows: Vec<_> = partner_rows(5).into_iter().take(5).collect();
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
        .args(["sync", "--once", "--log-format", "json"])
        .env_clear()
        .envs(world.env())
        .env("GUESTSYNC__LOG__LEVEL", "guestsync=debug")
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .output()
        .await
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.len() > 5, "{stderr}");

    assert!(
        lines.iter().any(|l| span_has(l, "run.id")),
        "no line in a cycle span with its run id:\n{stderr}"
    );
    assert!(
        lines.iter().any(|l| span_has(l, "item.anchor")),
        "no line in an item span with its anchor:\n{stderr}"
    );
    let graph = lines
        .iter()
        .find(|l| l["span"]["name"] == "graph.request" && l["span"]["request_id"].is_string())
        .unwrap_or_else(|| panic!("no graph.request span with a request_id:\n{stderr}"));
    assert!(graph["span"]["client_request_id"].is_string(), "{graph}");

    let store = SqliteStore::connect(&world.state_url()).await.unwrap();
    let mut forbidden = vec![world.emulator.config().client_secret.clone(), "@".into()];
    for link in store.link_list().await.unwrap() {
        forbidden.extend(link.redeem_url.map(|u| u.expose().to_string()));
    }
    assert!(forbidden.len() > 5, "the sync invited the partners");
    for secret in &forbidden {
        assert!(
            !stderr.contains(secret.as_str()),
            "the logs show {secret:?}"
        );
    }
}
