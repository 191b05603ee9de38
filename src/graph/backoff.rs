//! Backoff between attempts: exponential with full jitter, `Retry-After` (seconds or an
//! HTTP-date) as a floor, and a fallback pause when a 429 carries no `Retry-After` or
//! `Retry-After: 0`.

use std::time::Duration;

use chrono::DateTime;
use reqwest::header::{DATE, HeaderMap, RETRY_AFTER};

use super::config::RetryPolicy;
use super::error::{ErrorClass, GraphError};

/// The longest `Retry-After` honoured. Graph sends seconds to minutes (SharePoint 300 s); a
/// larger value is taken as this, so a pause can always be scheduled (`now + 10^19 s`
/// overflows an `Instant`, found by the `graph_response` fuzz oracle).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3_600);

/// `Retry-After` as delta-seconds, at most [`MAX_RETRY_AFTER`]; `0` is `Some(0)`; more digits
/// than a `u64` holds count as the maximum. Graph sends seconds (graph.md §5), but RFC 9110
/// also allows an HTTP-date: that form counts from the response's own `Date` header (no local
/// clock, so no skew), a date already past is `Some(0)`. A missing or unparsable header, or a
/// date without a readable `Date`, is `None`.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if text.is_empty() {
        return None;
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return date_delay(text, headers);
    }
    let seconds = text.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER))
}

/// An HTTP-date `Retry-After` as the time from the response's `Date` to it.
fn date_delay(retry_at: &str, headers: &HeaderMap) -> Option<Duration> {
    let http_date = |t: &str| DateTime::parse_from_rfc2822(t).ok();
    let at = http_date(retry_at)?;
    let sent = http_date(headers.get(DATE)?.to_str().ok()?.trim())?;
    let delay = (at - sent).to_std().unwrap_or(Duration::ZERO);
    Some(delay.min(MAX_RETRY_AFTER))
}

/// How long every caller must pause after a 429: its `Retry-After`, or the fallback when that
/// is missing or zero.
pub fn throttle_pause(policy: &RetryPolicy, error: &GraphError) -> Duration {
    match error.retry_after {
        Some(d) if !d.is_zero() => d,
        _ => policy.fallback_delay,
    }
}

/// The wait before attempt `attempt + 1` after `attempt` (1-based) failed with `error`.
/// `unit` is a random number in `[0, 1)` (full jitter); passing it in keeps this pure.
pub fn retry_delay(policy: &RetryPolicy, attempt: u32, error: &GraphError, unit: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let ceiling = policy
        .base_delay
        .saturating_mul(1u32 << exponent)
        .min(policy.max_delay);
    let jittered = ceiling.mul_f64(unit.clamp(0.0, 1.0));
    let floor = match (error.class, error.retry_after) {
        (ErrorClass::Throttled, _) => throttle_pause(policy, error),
        (_, Some(d)) => d,
        _ => Duration::ZERO,
    };
    jittered.max(floor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            fallback_delay: Duration::from_secs(3),
        }
    }

    fn err(class: ErrorClass, retry_after: Option<u64>) -> GraphError {
        let mut e = GraphError::new(class, "x");
        e.retry_after = retry_after.map(Duration::from_secs);
        e
    }

    #[test]
    fn huge_retry_after_is_capped_so_a_pause_can_be_scheduled() {
        for huge in ["3601", "10000000000000000000", "99999999999999999999999999"] {
            let mut h = HeaderMap::new();
            h.insert(RETRY_AFTER, HeaderValue::from_static(huge));
            assert_eq!(parse_retry_after(&h), Some(MAX_RETRY_AFTER), "{huge}");
        }
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3600"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3_600)));
        assert!(
            std::time::Instant::now()
                .checked_add(MAX_RETRY_AFTER)
                .is_some()
        );
    }

    #[test]
    fn parses_seconds_and_ignores_dates() {
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("0"));
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static(" 12 "));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(12)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(
            parse_retry_after(&h),
            None,
            "a date needs a Date to count from"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn an_http_date_counts_from_the_date_header() {
        let mut h = HeaderMap::new();
        h.insert(
            DATE,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:27:30 GMT"),
        );
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(30)));
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:27:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), Some(Duration::ZERO), "already past");
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Thu, 22 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(DATE, HeaderValue::from_static("yesterday"));
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn exponential_with_full_jitter_and_a_cap() {
        let p = policy();
        let t = err(ErrorClass::Transient, None);
        assert_eq!(retry_delay(&p, 1, &t, 0.0), Duration::ZERO);
        assert_eq!(retry_delay(&p, 1, &t, 0.5), Duration::from_millis(50));
        assert_eq!(retry_delay(&p, 3, &t, 0.5), Duration::from_millis(200));
        assert_eq!(
            retry_delay(&p, 30, &t, 0.999_999),
            p.max_delay.mul_f64(0.999_999)
        );
    }

    #[test]
    fn retry_after_is_a_floor_and_missing_or_zero_falls_back() {
        let p = policy();
        let with = err(ErrorClass::Throttled, Some(10));
        assert_eq!(retry_delay(&p, 1, &with, 0.9), Duration::from_secs(10));
        for without in [
            err(ErrorClass::Throttled, None),
            err(ErrorClass::Throttled, Some(0)),
        ] {
            assert_eq!(retry_delay(&p, 1, &without, 0.1), p.fallback_delay);
            assert_eq!(throttle_pause(&p, &without), p.fallback_delay);
        }
        let busy = err(ErrorClass::Transient, Some(4));
        assert_eq!(retry_delay(&p, 1, &busy, 0.0), Duration::from_secs(4));
    }
}
