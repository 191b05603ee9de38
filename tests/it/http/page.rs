//! The status page `GET /` after an end-to-end sync (two cycles, one dead item): it shows the
//! runs, the chart, the queue, the funnel and the dead item with Graph's error, and holds no
//! secret, token, redeem URL or e-mail address; loaded in headless Chromium it renders (DOM
//! and screenshot).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use guestsync::demo::sample::partner_rows;
use guestsync::emulator::Knobs;
use guestsync::http::{AppState, MetricsExporter, PageState};
use tokio_util::sync::CancellationToken;

use super::{probes, serve_state};
use crate::support::{tools, world::World};

/// A served page over a synced world, and the strings it must never contain.
struct Synced {
    _world: World,
    base: String,
    runs: Vec<i64>,
    forbidden: Vec<String>,
    /// Guests guestsync invited (all pending): the funnel's figures.
    invited: usize,
}

/// Partners (with the sample's bad rows) and one address Graph refuses (dead item `OWN1`);
/// two cycles, each drained, fed to the page state as the daemon does.
async fn synced() -> Synced {
    let mut rows = partner_rows(6);
    let mut own = rows[0].clone();
    own.partner_id = Some("OWN1".into());
    own.email = "insider@contoso.onmicrosoft.com".into();
    rows.push(own);
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    let parts = world.parts().await;
    let probes = probes(&parts, parts.store.clone(), parts.clock.clone());
    let page = PageState::new();
    page.sample_throttle(parts.clock.now(), parts.graph.throttle())
        .await;
    let mut runs = Vec::new();
    for _ in 0..2 {
        let result = parts.engine.run_cycle("test").await;
        probes.health.record_result(parts.clock.now(), &result);
        runs.push(result.unwrap().run_id);
        parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
        page.sample_throttle(parts.clock.now(), parts.graph.throttle())
            .await;
    }
    let token = parts.graph.tokens().token().await.unwrap();
    let mut forbidden = vec![
        world.emulator.config().client_secret.clone(),
        token.secret().to_string(),
        "redeem".into(),
        "ticket".into(),
        "@".into(),
    ];
    let links = parts.store.link_list().await.unwrap();
    let invited = links.len();
    for link in links {
        forbidden.extend(link.redeem_url.map(|u| u.expose().to_string()));
        forbidden.push(link.email);
    }
    forbidden.extend(rows.iter().map(|r| r.email.clone()));
    let state = AppState {
        probes: Arc::new(probes),
        exporter: MetricsExporter::new().unwrap(),
        page,
    };
    let base = serve_state(state).await;
    Synced {
        _world: world,
        base,
        runs,
        forbidden,
        invited,
    }
}

/// What every rendering of the page (served HTML or Chromium's DOM) must show and not show.
fn assert_page(html: &str, synced: &Synced) {
    assert!(html.contains(r#"id="state""#), "no state badge");
    for run in &synced.runs {
        assert!(
            html.contains(&format!(r#"data-run="{run}""#)),
            "run {run} missing"
        );
    }
    assert!(
        html.contains(r#"id="runs-chart""#) && html.contains("<svg"),
        "no chart"
    );
    let invite_bars = html.matches(r#"data-series="invites""#).count();
    assert_eq!(invite_bars, synced.runs.len(), "one invite bar per run");
    assert_eq!(
        html.matches(r#"data-series="errors""#).count(),
        synced.runs.len()
    );
    for section in [
        r#"id="queue""#,
        r#"id="throttling""#,
        r#"id="funnel""#,
        r#"id="dead""#,
    ] {
        assert!(html.contains(section), "{section} missing");
    }
    assert!(html.contains("OWN1"), "the dead item's anchor is listed");
    // The funnel comes from the state store: this page's process ran no cycle itself.
    let owned = format!("{} owned guests (0 adopted)", synced.invited);
    assert!(
        synced.invited > 0 && html.contains(&owned),
        "{owned} not on the page"
    );
    assert!(
        html.contains(r#"data-series="pending acceptance""#),
        "no funnel bars"
    );
    assert!(html.contains("admin-token"), "admin actions need the token");
    let lower = html.to_lowercase();
    for secret in &synced.forbidden {
        assert!(
            !lower.contains(&secret.to_lowercase()),
            "the page shows {secret:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_shows_runs_chart_queue_funnel_and_dead_items_and_no_secret() {
    let synced = synced().await;
    let response = reqwest::get(format!("{}/", synced.base)).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = response.text().await.unwrap();
    assert_page(&html, &synced);
    assert!(
        html.contains(r#"<td class="dead">"#),
        "the dead item's Graph code"
    );
    for external in ["<link", "src=\"http", "@import"] {
        assert!(!html.contains(external), "external asset {external}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_renders_the_page_with_the_chart() {
    let Some(chromium) = tools::find(&["chromium", "chromium-browser"], "chromium") else {
        return;
    };
    let synced = synced().await;
    let url = format!("{}/", synced.base);
    let profile = tempfile::tempdir().unwrap();
    let dom = chromium_output(&chromium, profile.path(), &["--dump-dom", &url]).await;
    assert_page(&dom, &synced);

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("status-page.png");
    let _ = std::fs::remove_file(&shot);
    let flag = format!("--screenshot={}", shot.display());
    chromium_output(
        &chromium,
        profile.path(),
        &[&flag, "--window-size=1280,2000", &url],
    )
    .await;
    let png =
        std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(
        png.len() > 10_000,
        "a blank screenshot ({} bytes)",
        png.len()
    );
    eprintln!("status page screenshot: {}", shot.display());
}

/// Runs headless Chromium with `args`; returns its stdout (bounded: 120 s).
async fn chromium_output(chromium: &Path, profile: &Path, args: &[&str]) -> String {
    let output = tokio::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(120), output)
        .await
        .expect("chromium did not finish within 120 s")
        .unwrap();
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}
