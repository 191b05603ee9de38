//! The HTTP surface: `/health/live`, `/health/ready` and `/metrics` driven in-process over a
//! real listener on 127.0.0.1:0, and `guestsync run` serving them on `http.listen`.

pub(crate) mod daemon;
mod metrics;
mod page;
mod page_buttons;
mod page_states;
mod promtool;
mod ready;

use std::sync::Arc;
use std::time::Duration;

use guestsync::app::build::Parts;
use guestsync::clock::Clock;
use guestsync::demo::sample::{PartnerRow, partner_rows};
use guestsync::http::{
    AppState, HealthState, MetricsExporter, PageState, Probes, TokenProbe, router, serve,
};
use guestsync::store::Store;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

pub fn rows(n: usize) -> Vec<PartnerRow> {
    partner_rows(n).into_iter().take(n).collect()
}

/// The probes over `parts`, with `store` and `clock` replaceable.
pub fn probes(parts: &Parts, store: Arc<dyn Store>, clock: Arc<dyn Clock>) -> Probes {
    Probes {
        store,
        throttle: parts.graph.throttle().clone(),
        clock,
        interval: Duration::from_secs(300),
        health: HealthState::new(),
        token: TokenProbe::new(parts.graph.tokens().clone()),
    }
}

/// Serves `probes` on 127.0.0.1:0; returns the base URL. The server stops with the runtime.
pub async fn serve_app(probes: Probes, exporter: MetricsExporter) -> (String, HealthState) {
    let health = probes.health.clone();
    let state = AppState {
        probes: Arc::new(probes),
        exporter,
        page: PageState::new(),
    };
    (serve_state(state).await, health)
}

/// Serves `state` on 127.0.0.1:0; returns the base URL. The server stops with the runtime.
pub async fn serve_state(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(serve(listener, router(state), CancellationToken::new()));
    base
}

pub async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

pub async fn ready(base: &str) -> (u16, Value) {
    let (status, body) = get(&format!("{base}/health/ready")).await;
    (status, serde_json::from_str(&body).unwrap())
}

pub fn check<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {body}"))
}
