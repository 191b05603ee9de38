//! The Entra token endpoint (`POST /{tenant}/oauth2/v2.0/token`, client credentials with a secret
//! or a certificate assertion) and the bearer check of every Graph request.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::time::{Duration, Instant};

use super::assertion;
use super::exchange::GraphResponse;
use super::state::Shared;

/// An Entra error: HTTP status, `error`, AADSTS number and text.
pub(crate) struct TokenError(pub StatusCode, pub &'static str, pub u32, pub String);

impl TokenError {
    fn into_response(self, shared: &Shared) -> Response {
        let TokenError(status, error, code, text) = self;
        let now = shared.now();
        let trace = uuid::Uuid::new_v4();
        let correlation = uuid::Uuid::new_v4();
        let stamp = now.format("%Y-%m-%d %H:%M:%SZ");
        let description = format!(
            "AADSTS{code}: {text} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {stamp}"
        );
        let body = json!({
            "error": error, "error_description": description, "error_codes": [code],
            "timestamp": stamp.to_string(), "trace_id": trace, "correlation_id": correlation,
            "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
        });
        (status, axum::Json(body)).into_response()
    }
}

/// The axum handler of the token endpoint.
pub(crate) async fn endpoint(
    State(shared): State<Arc<Shared>>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    match issue(&shared, &tenant, &headers, &form) {
        Ok(body) => (StatusCode::OK, axum::Json(body)).into_response(),
        Err(e) => e.into_response(&shared),
    }
}

fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

fn issue(
    shared: &Shared,
    tenant: &str,
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Result<serde_json::Value, TokenError> {
    let cfg = &shared.config;
    if !tenant.eq_ignore_ascii_case(&cfg.tenant_id)
        && !tenant.eq_ignore_ascii_case(&cfg.tenant_domain)
    {
        return Err(TokenError(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            ),
        ));
    }
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return Err(TokenError(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.".into(),
        ));
    }
    let basic = basic_credentials(headers);
    let client_id = form
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|b| b.0.clone()))
        .unwrap_or_default();
    if client_id != cfg.client_id {
        return Err(TokenError(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'."
            ),
        ));
    }
    let secret = form
        .get("client_secret")
        .cloned()
        .or_else(|| basic.map(|b| b.1));
    check_credential(shared, tenant, secret.as_deref(), form)?;
    let expected = format!("http://{}/.default", shared.addr);
    if form.get("scope") != Some(&expected) {
        return Err(TokenError(StatusCode::BAD_REQUEST, "invalid_scope", 70011,
            "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.".into()));
    }
    let lifetime = {
        let inner = shared.lock();
        inner
            .knobs
            .token_lifetime_secs
            .unwrap_or(cfg.token_lifetime.as_secs())
    };
    let token = format!(
        "emu.{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut inner = shared.lock();
    inner.tokens.insert(
        token.clone(),
        Instant::now() + Duration::from_secs(lifetime),
    );
    inner.counters.tokens_issued += 1;
    Ok(
        json!({"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": token}),
    )
}

fn check_credential(
    shared: &Shared,
    tenant: &str,
    secret: Option<&str>,
    form: &HashMap<String, String>,
) -> Result<(), TokenError> {
    let bad_assertion = |why: String| {
        TokenError(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            format!("Client assertion failed signature validation or is invalid: {why}."),
        )
    };
    if let Some(assertion) = form.get("client_assertion") {
        if form.get("client_assertion_type").map(String::as_str) != Some(assertion::ASSERTION_TYPE)
        {
            return Err(bad_assertion("unsupported client_assertion_type".into()));
        }
        let audience = format!("http://{}/{tenant}/oauth2/v2.0/token", shared.addr);
        return assertion::verify(
            &shared.config,
            assertion,
            &audience,
            shared.now().timestamp(),
        )
        .map_err(bad_assertion);
    }
    match secret {
        None => Err(TokenError(StatusCode::BAD_REQUEST, "invalid_client", 7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.".into())),
        Some(s) if s == shared.config.client_secret => Ok(()),
        Some(_) => Err(TokenError(StatusCode::UNAUTHORIZED, "invalid_client", 7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.".into())),
    }
}

/// Checks `Authorization: Bearer …` against issued, unexpired tokens.
pub(crate) fn authorize(
    shared: &Shared,
    authorization: Option<&str>,
    now: Instant,
) -> Result<(), GraphResponse> {
    let deny = |m: &str| GraphResponse::error(401, "InvalidAuthenticationToken", m);
    let token = authorization
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if token.is_empty() {
        return Err(deny("Access token is empty."));
    }
    let inner = shared.lock();
    match inner.tokens.get(token) {
        None => Err(deny(
            "IDX14100: JWT is not well formed, there are no dots (.).",
        )),
        Some(expiry) if now >= *expiry => {
            Err(deny("Lifetime validation failed, the token is expired."))
        }
        Some(_) => Ok(()),
    }
}
