//! `/api/v1/runs`: list, show (counts, errors, rejected rows, conflicts), approve and reject a
//! held run.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::ops::{RunDetail, RunView, queries};

/// `?limit=` of the run list.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    limit: Option<u32>,
}

/// Parses a path's run id, answering 400 in the API's error shape.
pub(super) fn run_id(path: Result<Path<i64>, PathRejection>) -> Result<i64, ApiError> {
    path.map(|Path(id)| id)
        .map_err(|_| ApiError::bad_request("the run id must be an integer"))
}

pub(super) async fn list(
    State(state): State<ApiState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<RunView>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = query.limit.unwrap_or(50);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000"));
    }
    Ok(Json(queries::runs(&*state.store, limit).await?))
}

pub(super) async fn show(
    State(state): State<ApiState>,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Json<RunDetail>, ApiError> {
    let id = run_id(path)?;
    Ok(Json(queries::run_detail(&*state.store, id).await?))
}

pub(super) async fn approve(
    State(state): State<ApiState>,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = run_id(path)?;
    let summary = queries::approve(&*state.store, id, state.clock.now()).await?;
    state.runner.engine().wake();
    Ok(Json(json!({
        "run_id": id,
        "held": "approved",
        "queued": summary.inserted + summary.changed,
    })))
}

pub(super) async fn reject(
    State(state): State<ApiState>,
    path: Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let id = run_id(path)?;
    queries::reject(&*state.store, id, state.clock.now()).await?;
    Ok(Json(json!({ "run_id": id, "held": "rejected" })))
}
