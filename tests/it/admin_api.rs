//! The admin API (`/api/v1/`) served in-process over a real listener, with the readiness probe
//! beside it: auth on every route, the operations, pause/resume, trigger, on-demand sync,
//! quarantine, the OpenAPI document and a schema-driven fuzz run.

mod auth;
mod control;
mod daemon;
mod fuzz;
mod openapi;
mod operations;
mod quarantine;
mod settings;

use std::sync::Arc;

use guestsync::app::build::Parts;
use guestsync::http::api::{self, ApiState, BearerToken};
use guestsync::http::{AppState, HealthState, MetricsExporter, router, serve};
use guestsync::ops::CycleRunner;
use guestsync::quarantine::QuarantinePolicy;
use secrecy::SecretString;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::support::world::World;

/// The token every test configures.
pub const TOKEN: &str = "test-admin-token-0123456789";

/// A served API over one world's parts.
pub struct Api {
    pub base: String,
    pub parts: Parts,
    pub runner: Arc<CycleRunner>,
    pub client: reqwest::Client,
}

impl Api {
    /// Serves health, metrics and the admin API over `world`'s parts on 127.0.0.1:0.
    pub async fn start(world: &World) -> Self {
        let parts = world.parts().await;
        let health = HealthState::new();
        let runner = Arc::new(CycleRunner::new(
            parts.engine.clone(),
            parts.store.clone(),
            parts.clock.clone(),
            health.clone(),
            parts.tally.clone(),
            QuarantinePolicy::default(),
        ));
        let probes = super::http::probes(&parts, parts.store.clone(), parts.clock.clone());
        let probes = guestsync::http::Probes { health, ..probes };
        let state = AppState {
            probes: Arc::new(probes),
            exporter: MetricsExporter::new().unwrap(),
            page: Default::default(),
        };
        let api_state = ApiState {
            store: parts.store.clone(),
            clock: parts.clock.clone(),
            runner: runner.clone(),
            worker: parts.pool.worker().clone(),
        };
        let token = BearerToken::new(&SecretString::from(TOKEN));
        let app = router(state).merge(api::router(api_state, token));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, app, CancellationToken::new()));
        Self {
            base,
            parts,
            runner,
            client: reqwest::Client::new(),
        }
    }

    /// Sends `method path` with the token (and `body` as JSON when given).
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        self.send(method, path, Some(TOKEN), body).await
    }

    /// Sends `method path` with `token` (none when `None`).
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(!text.contains("redeem?rd="), "a redeem URL leaked: {text}");
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// The readiness answer.
    pub async fn ready(&self) -> (u16, Value) {
        super::http::ready(&self.base).await
    }

    /// Runs the worker pool until nothing is runnable.
    pub async fn drain(&self) {
        self.parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
    }
}

/// The readiness check named `name`.
pub fn check<'a>(body: &'a Value, name: &str) -> &'a Value {
    super::http::check(body, name)
}
