//! The control API under `/_emulator/` (no auth; a test tool): knobs, counters, seeding users,
//! listing users (admin view), redeeming an invitation (by user id or by redeem URL), creating
//! groups.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::config::{Knobs, SeedUser};
use super::groups;
use super::state::Shared;

/// Routes of the control API.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/knobs", get(get_knobs).put(put_knobs))
        .route("/_emulator/counters", get(counters))
        .route("/_emulator/users", get(users).post(add_user))
        .route("/_emulator/users/{id}/redeem", post(redeem))
        .route("/_emulator/redeem", post(redeem_url))
        .route("/_emulator/groups", post(add_group))
}

async fn get_knobs(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.knobs()).into_response()
}

async fn put_knobs(State(shared): State<Arc<Shared>>, Json(knobs): Json<Knobs>) -> Response {
    shared.set_knobs(knobs);
    StatusCode::NO_CONTENT.into_response()
}

async fn counters(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.counters()).into_response()
}

async fn users(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.admin_users()).into_response()
}

async fn add_user(State(shared): State<Arc<Shared>>, Json(seed): Json<SeedUser>) -> Response {
    let id = shared.admin_add(&seed);
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

async fn redeem(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    if shared.admin_redeem(&id) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

/// Body `{"url": "<redeem URL>"}`: what the invitee's browser does with the URL.
async fn redeem_url(State(shared): State<Arc<Shared>>, Json(body): Json<RedeemBody>) -> Response {
    if shared.admin_redeem_url(&body.url) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

#[derive(serde::Deserialize)]
struct RedeemBody {
    url: String,
}

async fn add_group(State(shared): State<Arc<Shared>>) -> Response {
    let id = groups::create(&shared);
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}
