//! [`ApiError`]: every admin API failure as `{ "error": { "code", "message" } }` with its HTTP
//! status. Internal failures are logged here once and answered with a generic message, so no
//! database detail, secret or redeem URL reaches the client.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::ops::{OnDemandError, RunnerError};
use crate::store::StoreError;
use crate::sync::CycleError;

/// An admin API error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable, machine-readable code (`not_found`, `conflict`, …).
    pub code: &'static str,
    /// For people.
    pub message: String,
}

impl ApiError {
    /// An error with the given status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400: the request is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 401: no or wrong bearer token.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        )
    }

    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 409: the target is not in a state that allows the operation.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    fn internal(error: &dyn std::fmt::Display) -> Self {
        tracing::error!(%error, "admin API request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error; see the guestsync log",
        )
    }

    fn upstream(error: &CycleError) -> Self {
        tracing::warn!(%error, "admin API: reading the source or the tenant failed");
        let message = match error {
            CycleError::Source(_) => "the source could not be read",
            CycleError::Tenant(_) => "Microsoft Graph refused or failed the request",
            _ => "the cycle failed",
        };
        Self::new(StatusCode::BAD_GATEWAY, "upstream", message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match &error {
            StoreError::RunNotFound(_) | StoreError::ItemNotFound(_) => {
                Self::not_found(error.to_string())
            }
            StoreError::RunNotHeld(_)
            | StoreError::RunSuperseded { .. }
            | StoreError::WrongState { .. } => Self::conflict(error.to_string()),
            _ => Self::internal(&error),
        }
    }
}

impl From<RunnerError> for ApiError {
    fn from(error: RunnerError) -> Self {
        match error {
            RunnerError::Paused | RunnerError::Quarantined { .. } | RunnerError::NotLeader => {
                Self::conflict(error.to_string())
            }
            RunnerError::Cycle(e) => Self::upstream(&e),
            RunnerError::Store(e) => e.into(),
        }
    }
}

impl From<OnDemandError> for ApiError {
    fn from(error: OnDemandError) -> Self {
        match error {
            OnDemandError::Held(_) => Self::conflict(error.to_string()),
            OnDemandError::NotInSource(_) => Self::not_found(error.to_string()),
            OnDemandError::Cycle(e) => Self::upstream(&e),
            OnDemandError::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
