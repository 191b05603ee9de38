//! `/api/v1/status`, `pause`, `resume`, `cycles` (trigger a cycle now) and
//! `anchors/{anchor}/sync` (on-demand sync of one anchor).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};

use super::items::anchor;
use super::{ApiError, ApiState};
use crate::ops::{OnDemandReport, queries, sync_anchor as sync_one};
use crate::store::{ControlState, RunCounts};

/// The body of `POST /pause` (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PauseBody {
    #[serde(default)]
    reason: String,
}

/// What `POST /cycles` answers.
#[derive(Debug, Serialize)]
pub(super) struct Triggered {
    run_id: i64,
    outcome: &'static str,
    probe: bool,
    counts: RunCounts,
    held_disables: u64,
}

pub(super) async fn status(State(state): State<ApiState>) -> Result<Json<ControlState>, ApiError> {
    Ok(Json(state.store.control_get().await?))
}

pub(super) async fn pause(
    State(state): State<ApiState>,
    body: Bytes,
) -> Result<Json<ControlState>, ApiError> {
    let body: PauseBody = if body.iter().all(u8::is_ascii_whitespace) {
        PauseBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("invalid body: {e}")))?
    };
    let reason: String = body.reason.chars().take(500).collect();
    let control = queries::pause(&*state.store, state.clock.now(), &reason).await?;
    tracing::warn!(reason = %reason, "paused by an operator through the admin API");
    Ok(Json(control))
}

pub(super) async fn resume(State(state): State<ApiState>) -> Result<Json<ControlState>, ApiError> {
    let control = queries::resume(&*state.store).await?;
    state.runner.engine().wake();
    tracing::warn!("resumed by an operator through the admin API");
    Ok(Json(control))
}

pub(super) async fn trigger(State(state): State<ApiState>) -> Result<Json<Triggered>, ApiError> {
    let ran = state.runner.trigger().await?;
    let report = ran.report;
    Ok(Json(Triggered {
        run_id: report.run_id,
        outcome: if report.is_held() {
            "held"
        } else {
            "succeeded"
        },
        probe: ran.probe,
        counts: report.counts,
        held_disables: report.held_disables,
    }))
}

pub(super) async fn sync_anchor(
    State(state): State<ApiState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<OnDemandReport>, ApiError> {
    let anchor = anchor(path)?;
    let engine = state.runner.engine();
    let report = sync_one(&state.worker, engine, &state.store, &state.clock, &anchor).await?;
    Ok(Json(report))
}
