//! The OpenAPI 3.0 document of the admin API, hand-written as JSON (`openapi.json` next to this
//! file) and embedded in the binary. Hand-written rather than generated (utoipa): the API is
//! small, the document stays readable and reviewable as one file, and no proc-macro crate is
//! added to the build; a test checks that its paths and methods are exactly [`super::routes`].

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT).into_response()
}
