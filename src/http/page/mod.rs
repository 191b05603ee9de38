//! The status page `GET /`: a page for people, served by the daemon with the probes.
//!
//! - [`data`]: what the page shows, read from the app state ([`data::funnel`] is the one
//!   place the redemption funnel comes from).
//! - [`history`]: [`PageState`], the in-memory throttle samples and last redemption counts.
//! - [`html`], [`sections`], [`svg`]: rendering (HTML, charts) with [`escape`] on every value.
//! - [`assets`]: the inline style and script and the Content-Security-Policy allowing them.
//!
//! The page is unauthenticated, so it holds no secret, token, redeem URL or e-mail address:
//! anchors, counts, Graph error codes and request-ids only. Admin actions are buttons that
//! call the admin API (`/api/v1`) with a token the user types.

pub mod assets;
pub mod data;
pub mod escape;
pub mod history;
pub mod html;
pub mod sections;
pub mod svg;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub use history::{PageState, Sample};

use super::routes::AppState;

/// `GET /`: the status page.
pub async fn status_page(State(state): State<AppState>) -> Response {
    let data = data::gather(&state).await;
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                assets::content_security_policy(),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::REFERRER_POLICY, "no-referrer".to_string()),
        ],
        html::render(&data),
    )
        .into_response()
}
