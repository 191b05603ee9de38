//! The status page's admin buttons in a real browser: headless Chromium driven through
//! ChromeDriver (W3C WebDriver over HTTP). The page's script is allowed by a hash in its
//! Content-Security-Policy, so a script the browser refuses would leave every button dead;
//! only a browser shows that. Without a token a click asks for one; with the token, "cycle now"
//! runs a cycle on the daemon.

use std::process::Stdio;
use std::time::Duration;

use guestsync::emulator::Knobs;
use serde_json::{Value, json};

use super::daemon::wait_for;
use super::rows;
use crate::admin_api::TOKEN;
use crate::crash::daemon::poll_until;
use crate::support::json::json;
use crate::support::{tools, world::World};

/// The W3C name of an element reference in WebDriver answers.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One WebDriver session on a ChromeDriver this struct started (both end on drop).
struct Browser {
    http: reqwest::Client,
    session: String,
    _driver: tokio::process::Child,
}

impl Browser {
    async fn start(chromedriver: &std::path::Path, chromium: &std::path::Path) -> Self {
        let port = free_port();
        let driver = tokio::process::Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let status = format!("{base}/status");
        poll_until(
            "chromedriver answers",
            Duration::from_secs(30),
            Duration::from_millis(100),
            async || http.get(&status).send().await.is_ok(),
        )
        .await;
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
            },
        }}});
        let answer = json(http.post(format!("{base}/session")).json(&capabilities)).await;
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"));
        Self {
            session: format!("{base}/session/{session}"),
            http,
            _driver: driver,
        }
    }

    async fn call(&self, path: &str, body: Value) -> Value {
        let url = format!("{}{path}", self.session);
        let answer = json(self.http.post(url).json(&body)).await;
        assert!(answer["value"]["error"].is_null(), "{path}: {answer}");
        answer["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.call("/url", json!({ "url": url })).await;
    }

    /// The element `css` selects, by its WebDriver id.
    async fn find(&self, css: &str) -> String {
        let found = self
            .call("/element", json!({"using": "css selector", "value": css}))
            .await;
        found[ELEMENT].as_str().unwrap().to_string()
    }

    async fn click(&self, css: &str) {
        let id = self.find(css).await;
        self.call(&format!("/element/{id}/click"), json!({})).await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(&format!("/element/{id}/value"), json!({ "text": text }))
            .await;
    }

    async fn text(&self, css: &str) -> String {
        let id = self.find(css).await;
        let url = format!("{}/element/{id}/text", self.session);
        let answer = json(self.http.get(url)).await;
        answer["value"].as_str().unwrap_or("").to_string()
    }

    /// Waits until the text of `css` is `want` (the script answers asynchronously).
    async fn wait_for_text(&self, css: &str, want: &str) {
        let every = Duration::from_millis(100);
        let what = format!("{css} reads {want:?}");
        poll_until(&what, Duration::from_secs(30), every, async || {
            self.text(css).await == want
        })
        .await;
    }
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// How many runs the daemon lists (0 while it does not answer yet).
async fn runs(base: &str) -> usize {
    let request = reqwest::Client::new()
        .get(format!("{base}/api/v1/runs"))
        .bearer_auth(TOKEN);
    let Ok(answer) = request.send().await else {
        return 0;
    };
    let runs: Value = answer.json().await.unwrap_or(Value::Null);
    runs.as_array().map_or(0, Vec::len)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cycle_now_button_runs_a_cycle_with_the_typed_token() {
    let Some(chromium) = tools::find(&["chromium", "chromium-browser"], "chromium") else {
        return;
    };
    let Some(chromedriver) = tools::find(&["chromedriver"], "chromium-driver") else {
        return;
    };
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let port = free_port();
    let _daemon = world
        .command()
        .arg("run")
        .env("GUESTSYNC__HTTP__LISTEN", format!("127.0.0.1:{port}"))
        .env("GUESTSYNC__HTTP__ADMIN_TOKEN", TOKEN)
        .env("GUESTSYNC__SYNC__INTERVAL", "1h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    // The start-up cycles (the first tick, and the one that taking the leader lease runs)
    // are over when readiness passes and the count stays put for a second.
    wait_for(&format!("{base}/health/ready"), 200).await;
    let mut before = runs(&base).await;
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        match runs(&base).await {
            now if now == before => break,
            now => before = now,
        }
    }
    assert!(before >= 1);

    let browser = Browser::start(&chromedriver, &chromium).await;
    browser.open(&format!("{base}/")).await;
    browser.click(r#"button[data-path="/api/v1/cycles"]"#).await;
    browser
        .wait_for_text("#admin-result", "type the admin token first")
        .await;
    assert_eq!(
        runs(&base).await,
        before,
        "a click without the token ran a cycle"
    );

    browser.type_into("#admin-token", TOKEN).await;
    browser.click(r#"button[data-path="/api/v1/cycles"]"#).await;
    browser
        .wait_for_text("#admin-result", "cycle now: HTTP 200")
        .await;
    assert_eq!(
        runs(&base).await,
        before + 1,
        "the button's cycle is listed"
    );
}
