//! The admin API under `/api/v1/`, behind a bearer token (`http.admin_token`); without a token
//! configured it is not mounted at all (404). Every error is `{ "error": { "code", "message" } }`.
//! The operations are those of the CLI ([`crate::ops`]); nothing here returns a redeem URL or a
//! token. `GET /api/v1/openapi.json` (no token needed; it holds no data) describes every route.
//!
//! - [`auth`]: the constant-time bearer check.
//! - [`error`]: the error type, [`ApiError`].
//! - `runs`, `items`, `control`: the handlers.
//! - [`openapi`]: the embedded OpenAPI document and the route list it must match.

pub mod auth;
mod control;
pub mod error;
mod items;
pub mod openapi;
mod runs;

use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};

use crate::clock::Clock;
use crate::ops::CycleRunner;
use crate::store::Store;
use crate::worker::Worker;

pub use auth::BearerToken;
pub use error::ApiError;

/// What the admin API handlers share.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The state store.
    pub store: Arc<dyn Store>,
    /// The wall clock.
    pub clock: Arc<dyn Clock>,
    /// Runs cycles (trigger) and holds the engine (on-demand planning).
    pub runner: Arc<CycleRunner>,
    /// Executes on-demand items.
    pub worker: Arc<Worker>,
}

/// The path of the OpenAPI document (served without a token).
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// The token-guarded routes: (method, path template, handler). The router is built from this
/// list, so [`routes`] is exactly what is served.
fn guarded() -> Vec<(&'static str, &'static str, MethodRouter<ApiState>)> {
    vec![
        ("get", "/api/v1/status", get(control::status)),
        ("post", "/api/v1/pause", post(control::pause)),
        ("post", "/api/v1/resume", post(control::resume)),
        ("post", "/api/v1/cycles", post(control::trigger)),
        ("get", "/api/v1/runs", get(runs::list)),
        ("get", "/api/v1/runs/{run_id}", get(runs::show)),
        ("post", "/api/v1/runs/{run_id}/approve", post(runs::approve)),
        ("post", "/api/v1/runs/{run_id}/reject", post(runs::reject)),
        ("get", "/api/v1/items", get(items::list)),
        ("get", "/api/v1/items/{anchor}", get(items::show)),
        ("post", "/api/v1/items/{anchor}/retry", post(items::retry)),
        (
            "post",
            "/api/v1/anchors/{anchor}/sync",
            post(control::sync_anchor),
        ),
    ]
}

/// Every route served, as (method, path template), the OpenAPI document's included.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    std::iter::once(("get", OPENAPI_PATH))
        .chain(guarded().into_iter().map(|(m, p, _)| (m, p)))
        .collect()
}

/// The admin API routes, to merge into the HTTP surface's router.
pub fn router(state: ApiState, token: BearerToken) -> Router {
    let guarded = guarded()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
        .route_layer(from_fn_with_state(token, auth::require_token))
        .with_state(state);
    Router::new()
        .route(OPENAPI_PATH, get(openapi::document))
        .merge(guarded)
}
