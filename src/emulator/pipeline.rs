//! What happens to every Graph request (top-level or `$batch` item) before its handler: the
//! counters, the `Retry-After` window check, the throttle buckets and fault injection; and the
//! stamping of `request-id`s onto the answer.

use chrono::{DateTime, Timelike, Utc};
use rand::Rng;
use tokio::time::Instant;

use super::config::RetryAfterMode;
use super::exchange::{GraphRequest, GraphResponse};
use super::router::{dispatch, template};
use super::state::{Inner, Shared, iso};
use super::throttle::{Kind, Windows};

/// Serves one request through counters, throttle and faults, then its handler.
pub(crate) fn serve(shared: &Shared, req: &GraphRequest) -> GraphResponse {
    serve_item(shared, req, None)
}

/// When a request left the client, for the `Retry-After` window check: a `$batch` item left
/// with its batch, so it is checked against the windows announced before the batch arrived.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Arrival {
    /// When the batch arrived.
    pub at: Instant,
    /// The windows announced by then.
    pub windows: Windows,
}

impl Arrival {
    /// The arrival of a request now.
    pub fn now(shared: &Shared) -> Self {
        Self {
            at: Instant::now(),
            windows: shared.lock().throttle.windows(),
        }
    }
}

/// As [`serve`]; `arrival` is the batch's arrival for a `$batch` item, `None` for a
/// top-level request (it arrives now, against the windows in force now).
pub(crate) fn serve_item(
    shared: &Shared,
    req: &GraphRequest,
    arrival: Option<Arrival>,
) -> GraphResponse {
    let now = Instant::now();
    let mut answer = match admit(shared, req, now, arrival) {
        Some(refused) => refused,
        None => dispatch(shared, req, now),
    };
    stamp(shared, req, &mut answer);
    answer
}

/// Counts a request under its route template.
pub(crate) fn count(inner: &mut Inner, req: &GraphRequest) {
    let c = &mut inner.counters;
    c.requests_total += 1;
    *c.requests_by_route.entry(template(req)).or_default() += 1;
    if Kind::of(&req.method) == Kind::Write && req.segments != ["$batch"] {
        c.writes_total += 1;
        inner.write_peaks.record(Instant::now());
        [c.peak_writes_in_1s, c.peak_writes_in_10s] = inner.write_peaks.peaks();
    }
}

fn admit(
    shared: &Shared,
    req: &GraphRequest,
    now: Instant,
    arrival: Option<Arrival>,
) -> Option<GraphResponse> {
    let mut guard = shared.lock();
    let inner = &mut *guard;
    count(inner, req);
    let kind = Kind::of(&req.method);
    let hit = match arrival {
        Some(a) => a.windows.hit(kind, a.at),
        None => inner.throttle.windows().hit(kind, now),
    };
    inner.counters.during_retry_after += u64::from(hit.own);
    inner.counters.during_any_retry_after += u64::from(hit.any);
    let storm_mode = inner.knobs.storm.map(|s| s.retry_after);
    if let Some(refused) = storm(inner, kind, now) {
        return Some(dated(refused, storm_mode, shared));
    }
    let mode = inner.knobs.retry_after;
    if let Err(throttled) = inner.throttle.admit(kind, mode, now) {
        inner.counters.throttled += 1;
        inner.counters.writes_throttled += u64::from(kind == Kind::Write);
        return Some(dated(too_many(throttled.retry_after), Some(mode), shared));
    }
    let rate = inner.knobs.fault_rate.clamp(0.0, 1.0);
    if rate > 0.0 && inner.rng.random::<f64>() < rate {
        inner.counters.faults_injected += 1;
        let pick = inner.rng.random_range(0..3);
        return Some(fault(pick));
    }
    None
}

/// A 429 of the storm in force, if one is; its `Retry-After` window is announced.
fn storm(inner: &mut Inner, kind: Kind, now: Instant) -> Option<GraphResponse> {
    let until = inner.storm_until.filter(|until| now < *until)?;
    let mode = inner.knobs.storm.map(|s| s.retry_after).unwrap_or_default();
    let retry_after = match mode {
        RetryAfterMode::Computed => Some((until - now).as_secs_f64().ceil().max(1.0) as u64),
        RetryAfterMode::Fixed(n) | RetryAfterMode::HttpDate(n) => Some(n),
        RetryAfterMode::Zero => Some(0),
        RetryAfterMode::Missing => None,
    };
    inner.throttle.announce(kind, retry_after, now);
    inner.counters.throttled += 1;
    inner.counters.storm_throttled += 1;
    Some(too_many(retry_after))
}

/// A 429 whose `Retry-After` is to be written as an HTTP-date ([`RetryAfterMode::HttpDate`]):
/// the date the window ends (rounded up to the second, so it never ends sooner than announced)
/// and a `Date` header (rounded down) on the emulator's clock.
fn http_date(answer: GraphResponse, wall: DateTime<Utc>) -> GraphResponse {
    let Some(secs) = answer
        .headers
        .iter()
        .find(|(k, _)| k == "Retry-After")
        .and_then(|(_, v)| v.parse::<i64>().ok())
    else {
        return answer;
    };
    let sent = wall.with_nanosecond(0).unwrap_or(wall);
    let until = sent + chrono::Duration::seconds(secs + i64::from(sent != wall));
    let format = |t: DateTime<Utc>| t.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let mut answer = answer;
    answer.headers.retain(|(k, _)| k != "Retry-After");
    answer
        .with_header("Retry-After", format(until))
        .with_header("Date", format(sent))
}

/// `answer` with its `Retry-After` as an HTTP-date when `mode` asks for one.
fn dated(answer: GraphResponse, mode: Option<RetryAfterMode>, shared: &Shared) -> GraphResponse {
    match mode {
        Some(RetryAfterMode::HttpDate(_)) => http_date(answer, shared.now()),
        _ => answer,
    }
}

/// Graph's 429 answer.
pub(crate) fn too_many(retry_after: Option<u64>) -> GraphResponse {
    let mut answer = GraphResponse::error(
        429,
        "TooManyRequests",
        "Too many requests. Please retry again later.",
    );
    if let Some(inner) = answer
        .body
        .as_mut()
        .and_then(|b| b.pointer_mut("/error/innerError"))
        .and_then(|v| v.as_object_mut())
    {
        inner.insert("code".into(), "429".into());
        inner.insert("status".into(), "429".into());
        inner.insert("message".into(), "Please retry after".into());
    }
    match retry_after {
        Some(secs) => answer.with_header("Retry-After", secs.to_string()),
        None => answer,
    }
}

fn fault(pick: u32) -> GraphResponse {
    match pick {
        0 => GraphResponse::error(
            500,
            "InternalServerError",
            "Unable to complete the request. (injected fault)",
        ),
        1 => GraphResponse::error(
            503,
            "serviceNotAvailable",
            "The service is temporarily unavailable. (injected fault)",
        ),
        _ => GraphResponse::error(
            504,
            "GatewayTimeout",
            "The gateway timed out. (injected fault)",
        ),
    }
}

/// Completes `innerError`, adds `request-id` / `client-request-id` and counts a 400.
pub(crate) fn stamp(shared: &Shared, req: &GraphRequest, answer: &mut GraphResponse) {
    if answer.status == 400 {
        count_bad_request(&mut shared.lock(), req, answer);
    }
    let request_id = uuid::Uuid::new_v4().to_string();
    let client = req
        .header("client-request-id")
        .unwrap_or(&request_id)
        .to_owned();
    let date = iso(shared.now()).trim_end_matches('Z').to_owned();
    answer.stamp(&date, &request_id, &client);
}

/// Counts a 400 answer and keeps the first few as `"ROUTE: message"`.
fn count_bad_request(inner: &mut Inner, req: &GraphRequest, answer: &GraphResponse) {
    let c = &mut inner.counters;
    c.bad_requests += 1;
    if c.bad_request_samples.len() < super::handle::Counters::BAD_REQUEST_SAMPLES {
        let message = answer
            .body
            .as_ref()
            .and_then(|b| b.pointer("/error/message"))
            .and_then(|m| m.as_str())
            .unwrap_or_default();
        c.bad_request_samples
            .push(format!("{}: {message}", template(req)));
    }
}
