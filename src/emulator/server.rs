//! The HTTP side: the axum router (token endpoint, `/v1.0/…`, `/_emulator/…`), decoding a Graph
//! request off the wire, bearer check, latency, concurrency tracking, and encoding the answer.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::time::{Duration, Instant};

use super::exchange::{GraphRequest, GraphResponse};
use super::state::Shared;
use super::{batch, control, mangle, pipeline, token};

/// The whole emulator as an axum router.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/{tenant}/oauth2/v2.0/token", post(token::endpoint))
        .merge(control::routes())
        .fallback(graph)
        .with_state(shared)
}

/// Decodes `%XX` escapes (no `+` → space: this is a path).
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits `/users/x?$top=5` into decoded segments, the raw query and decoded parameters.
pub(crate) fn split_target(target: &str) -> (Vec<String>, Vec<(String, String)>) {
    let (path, raw_query) = target.split_once('?').unwrap_or((target, ""));
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let query = url::form_urlencoded::parse(raw_query.as_bytes())
        .into_owned()
        .collect();
    (segments, query)
}

struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let mut inner = shared.lock();
        inner.counters.max_concurrent = inner.counters.max_concurrent.max(now);
        Self(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn graph(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(target) = uri.path().strip_prefix("/v1.0") else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let _guard = InFlight::enter(&shared);
    let full = match uri.query() {
        Some(q) => format!("{target}?{q}"),
        None => target.to_owned(),
    };
    let req = decode(method, &full, &headers, &body);
    let latency = shared.lock().knobs.latency_ms;
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let answer = answer(&shared, &req);
    match mangle::pick(&shared, &req, &answer) {
        Some(fault) => mangle::respond(&shared, &req, fault, answer),
        None => encode(answer),
    }
}

fn decode(method: Method, target: &str, headers: &HeaderMap, body: &Bytes) -> GraphRequest {
    let (segments, query) = split_target(target);
    let headers = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let body = (!body.is_empty())
        .then(|| serde_json::from_slice(body).ok())
        .flatten();
    GraphRequest {
        method: method.as_str().to_ascii_uppercase(),
        segments,
        query,
        headers,
        body,
    }
}

fn answer(shared: &Shared, req: &GraphRequest) -> GraphResponse {
    if let Err(mut denied) = token::authorize(shared, req.header("authorization"), Instant::now()) {
        pipeline::count(&mut shared.lock(), req);
        pipeline::stamp(shared, req, &mut denied);
        return denied;
    }
    if req.segments == ["$batch"] && req.method == "POST" {
        pipeline::count(&mut shared.lock(), req);
        let mut outer = batch::run(shared, req);
        pipeline::stamp(shared, req, &mut outer);
        return outer;
    }
    pipeline::serve(shared, req)
}

const JSON_TYPE: &str = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";

/// The wire form of a Graph answer.
pub(crate) fn encode(answer: GraphResponse) -> Response {
    match answer.body {
        Some(body) => {
            let text = body.to_string();
            let len = text.len();
            encode_bytes(answer.status, &answer.headers, Body::from(text), Some(len))
        }
        None => encode_bytes(answer.status, &answer.headers, Body::empty(), None),
    }
}

/// A response with `status`, `headers` and `body`; a JSON content type and `Content-Length:
/// {len}` when `len` is given (it may announce more than `body` delivers: a cut answer).
pub(crate) fn encode_bytes(
    status: u16,
    headers: &[(String, String)],
    body: Body,
    len: Option<usize>,
) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(len) = len {
        let h = response.headers_mut();
        h.insert("content-type", HeaderValue::from_static(JSON_TYPE));
        h.insert("content-length", HeaderValue::from(len));
    }
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::try_from(k.as_str()),
            HeaderValue::try_from(v.as_str()),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}
