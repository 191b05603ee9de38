//! `/api/v1/items`: list (filter by state and action, paged by anchor), show one with its
//! attempt history, retry a dead one.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiState};
use crate::ops::{ItemDetail, ItemView, queries};
use crate::store::{ItemFilter, ItemState};

/// Actions an item can carry.
const ACTIONS: [&str; 7] = [
    "invite", "adopt", "update", "enable", "disable", "delete", "reinvite",
];

/// `?state=&action=&after=&limit=`.
#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    state: Option<String>,
    action: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

fn filter(query: ListQuery) -> Result<ItemFilter, ApiError> {
    let state = match query.state.as_deref() {
        None => None,
        Some(name) => Some(ItemState::parse(name).ok_or_else(|| {
            ApiError::bad_request("state must be pending, running, done, held or dead")
        })?),
    };
    if let Some(action) = &query.action
        && !ACTIONS.contains(&action.as_str())
    {
        return Err(ApiError::bad_request(format!(
            "action must be one of {}",
            ACTIONS.join(", ")
        )));
    }
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_request("limit must be between 1 and 1000"));
    }
    Ok(ItemFilter {
        state,
        action: query.action,
        after: query.after,
        limit,
    })
}

pub(super) async fn list(
    State(state): State<ApiState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<ItemView>>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    Ok(Json(queries::items(&*state.store, filter(query)?).await?))
}

pub(super) async fn show(
    State(state): State<ApiState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<ItemDetail>, ApiError> {
    let anchor = anchor(path)?;
    Ok(Json(queries::item_detail(&*state.store, &anchor).await?))
}

pub(super) async fn retry(
    State(state): State<ApiState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let anchor = anchor(path)?;
    queries::retry_dead(&*state.store, &anchor, state.clock.now()).await?;
    state.runner.engine().wake();
    Ok(Json(json!({ "anchor": anchor, "state": "pending" })))
}

/// Parses a path's anchor, answering 400 in the API's error shape.
pub(super) fn anchor(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    path.map(|Path(anchor)| anchor)
        .map_err(|_| ApiError::bad_request("the anchor is not valid UTF-8"))
}
