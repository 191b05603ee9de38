//! `/metrics` after an end-to-end sync under throttling passes `promtool check metrics` with no
//! lint problem, and its values are what happened: cycles, rows read and rejected (from the
//! cycle reports), actions by kind and outcome (from the store's attempt history), 429s (from
//! the emulator's counters) and items by state.

use std::collections::BTreeMap;
use std::process::Stdio;

use guestsync::demo::sample::partner_rows;
use guestsync::emulator::{Budget, Knobs};
use guestsync::http::MetricsExporter;
use guestsync::store::{AttemptOutcome, ItemFilter, ItemState};
use tokio::io::AsyncWriteExt;
use tokio_util::sync::CancellationToken;

use super::{get, probes, serve_app};
use crate::support::{tools, world::World};

/// `series → value` of a Prometheus text exposition (comments skipped).
fn values(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(series, value)| (series.to_string(), value.parse().unwrap()))
        .collect()
}

fn value(values: &BTreeMap<String, f64>, series: &str) -> f64 {
    values.get(series).copied().unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_pass_promtool_and_match_what_happened() {
    let Some(promtool) = tools::find(&["promtool"], "prometheus") else {
        return;
    };
    let exporter = MetricsExporter::new().unwrap();
    let _local = metrics::set_default_local_recorder(exporter.recorder());
    let mut rows = partner_rows(12);
    let mut own = rows[0].clone();
    own.partner_id = Some("OWN1".into());
    own.email = "insider@contoso.onmicrosoft.com".into();
    rows.push(own);
    let knobs = Knobs {
        write_budget: Some(Budget {
            per_second: 10.0,
            burst: 1,
        }),
        ..Knobs::default()
    };
    let world = World::start(knobs, Vec::new(), &rows).await;
    let parts = world.parts().await;
    let probes = probes(&parts, parts.store.clone(), parts.clock.clone());
    let (base, _health) = serve_app(probes, exporter.clone()).await;
    let mut reports = Vec::new();
    for _ in 0..2 {
        reports.push(parts.engine.run_cycle("test").await.unwrap());
        parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
    }

    let (status, text) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    let mut check = tokio::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    check
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .await
        .unwrap();
    let out = check.wait_with_output().await.unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool: {said}\n{text}"
    );

    let got = values(&text);
    let sum = |f: fn(&guestsync::store::RunCounts) -> u64| {
        reports.iter().map(|r| f(&r.counts)).sum::<u64>() as f64
    };
    assert_eq!(
        value(&got, r#"guestsync_cycles_total{outcome="succeeded"}"#),
        2.0
    );
    assert_eq!(
        value(&got, "guestsync_source_rows_read_total"),
        sum(|c| c.read)
    );
    assert_eq!(
        value(&got, "guestsync_source_rows_rejected_total"),
        sum(|c| c.rejected)
    );
    assert!(
        sum(|c| c.rejected) > 0.0,
        "the sample's bad rows are rejected"
    );

    let counters = world.emulator.counters();
    assert!(
        counters.throttled > 0,
        "the emulator throttled: {counters:?}"
    );
    assert_eq!(
        value(&got, "guestsync_graph_throttled_total"),
        counters.throttled as f64
    );
    let graph_requests: f64 = got
        .iter()
        .filter(|(k, _)| k.starts_with("guestsync_graph_requests_total{"))
        .map(|(_, v)| v)
        .sum();
    assert_eq!(
        graph_requests, counters.requests_total as f64,
        "{counters:?}"
    );

    let items = parts
        .store
        .item_list(ItemFilter {
            limit: 1000,
            ..ItemFilter::default()
        })
        .await
        .unwrap();
    let mut settled: BTreeMap<(String, &str), f64> = BTreeMap::new();
    for item in &items {
        for attempt in parts.store.attempt_list(&item.anchor).await.unwrap() {
            let outcome = match attempt.outcome {
                AttemptOutcome::Succeeded => "succeeded",
                AttemptOutcome::Dead => "dead",
                _ => continue,
            };
            *settled.entry((attempt.action, outcome)).or_default() += 1.0;
        }
    }
    assert!(
        settled.contains_key(&("invite".to_string(), "dead")),
        "{settled:?}"
    );
    for ((action, outcome), n) in &settled {
        let series = format!(r#"guestsync_actions_total{{action="{action}",outcome="{outcome}"}}"#);
        assert_eq!(value(&got, &series), *n, "{series}\n{text}");
    }
    let counts = parts.store.item_counts().await.unwrap();
    for state in ItemState::ALL {
        let series = format!(r#"guestsync_items{{state="{state}"}}"#);
        assert_eq!(value(&got, &series), counts[&state] as f64, "{series}");
    }
}
