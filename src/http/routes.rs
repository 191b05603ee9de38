//! The routes: `GET /` (the status page), `GET /health/live`, `GET /health/ready` and
//! `GET /metrics`, over an [`AppState`] that the composition root builds; and [`serve`],
//! which runs them until cancelled.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use super::exporter::MetricsExporter;
use super::page::PageState;
use super::ready::Probes;

/// What the handlers share.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The readiness checks (and the store and throttle the gauges read).
    pub probes: Arc<Probes>,
    /// The Prometheus exporter rendered by `/metrics`.
    pub exporter: MetricsExporter,
    /// The status page's in-memory history (throttle samples, last redemption counts).
    pub page: PageState,
}

/// The router of the health and metrics endpoints.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(super::page::status_page))
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(metrics_text))
        .with_state(state)
}

/// Serves `router` on `listener` until `cancel` fires.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    cancel: CancellationToken,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}

async fn live() -> &'static str {
    "ok"
}

async fn ready(State(state): State<AppState>) -> Response {
    let readiness = state.probes.readiness().await;
    let code = if readiness.is_ready() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(readiness)).into_response()
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    let probes = &state.probes;
    if let Err(error) = state
        .exporter
        .refresh(&*probes.store, &probes.throttle)
        .await
    {
        tracing::warn!(%error, "cannot read item counts for /metrics");
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.exporter.render(),
    )
        .into_response()
}
