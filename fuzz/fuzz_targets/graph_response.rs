//! Graph response and error parsing from arbitrary bytes: the error classifier (status, body,
//! `Retry-After` and `request-id` headers), the backoff it feeds, and every payload guestsync
//! decodes (user, page of users, invitation) down to the planner's view of a guest. No panic,
//! and a pause taken from a response can always be scheduled.
//!
//! Input layout: two bytes of status, one byte of header length `n`, `n` bytes of header value
//! (used as `Retry-After` and `request-id`), then the body.

#![no_main]

use std::time::{Duration, Instant};

use guestsync::graph::backoff::{retry_delay, throttle_pause};
use guestsync::graph::{GraphUser, Invitation, RetryPolicy, classify};
use guestsync::sync::observed;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

#[derive(serde::Deserialize)]
struct Page {
    value: Vec<GraphUser>,
}

fn check_error(status: u16, header: &[u8], body: &[u8]) {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_bytes(header) {
        headers.insert("retry-after", value.clone());
        headers.insert("request-id", value);
    }
    let error = classify(status, &headers, body);
    let _ = (error.to_string(), error.is_retryable());
    let policy = RetryPolicy::default();
    let now = Instant::now();
    let pause = throttle_pause(&policy, &error);
    assert!(
        now.checked_add(pause).is_some(),
        "pause {pause:?} overflows"
    );
    for attempt in [1, 2, 31, u32::MAX] {
        let delay = retry_delay(&policy, attempt, &error, 0.999);
        assert!(
            now.checked_add(delay).is_some(),
            "delay {delay:?} overflows"
        );
    }
    let _ = error.is_not_yet_replicated(Duration::from_secs(1), Duration::from_secs(60));
}

fn check_payloads(body: &[u8]) {
    if let Ok(user) = serde_json::from_slice::<GraphUser>(body) {
        let _ = observed(user);
    }
    if let Ok(page) = serde_json::from_slice::<Page>(body) {
        page.value.into_iter().for_each(|u| drop(observed(u)));
    }
    if let Ok(invitation) = serde_json::from_slice::<Invitation>(body) {
        let shown = format!("{:?}", invitation.invite_redeem_url);
        assert_eq!(shown, "RedeemUrl([redacted])", "Debug shows the redeem URL");
    }
}

fuzz_target!(|data: &[u8]| {
    let [a, b, n, rest @ ..] = data else {
        return;
    };
    let status = u16::from_le_bytes([*a, *b]);
    let n = usize::from(*n).min(rest.len());
    let (header, body) = rest.split_at(n);
    check_error(status, header, body);
    check_payloads(body);
});
