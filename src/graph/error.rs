//! Classification of every Graph (and token endpoint) outcome into the few classes a caller
//! decides on: throttled, transient, not found, unauthorised, permanent. Decisions use the HTTP
//! status and Graph's `error.code`, never `error.message`.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Deserialize;

use super::backoff::parse_retry_after;

/// What the caller should do about a failed call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// 429: wait for `Retry-After` (nothing happened), then try again.
    Throttled,
    /// 5xx, timeouts, connection errors: retry with backoff.
    Transient,
    /// 404: gone, or not yet replicated right after our own create (see
    /// [`GraphError::is_not_yet_replicated`]).
    NotFound,
    /// 401, or the token endpoint refused the credential.
    Unauthorised,
    /// Other 4xx: the request is wrong and will stay wrong.
    Permanent,
}

impl ErrorClass {
    /// A short, bounded label for metrics and logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Throttled => "throttled",
            Self::Transient => "transient",
            Self::NotFound => "not_found",
            Self::Unauthorised => "unauthorised",
            Self::Permanent => "permanent",
        }
    }
}

/// A classified failure with Graph's own error code, message and request-id.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct GraphError {
    /// The class the caller branches on.
    pub class: ErrorClass,
    /// HTTP status; `None` for timeouts and connection errors.
    pub status: Option<u16>,
    /// Graph's `error.code` (or the OAuth `error`), when there was one.
    pub code: Option<String>,
    /// Graph's `error.message` (for people, never for decisions).
    pub message: String,
    /// Graph's request-id, from the body's innerError or the `request-id` header.
    pub request_id: Option<String>,
    /// `Retry-After` in seconds, when the response carried one.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "graph {}", self.class.as_str())?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " [request-id {id}]")?;
        }
        Ok(())
    }
}

impl GraphError {
    /// An error without an HTTP response (timeout, connection refused, bad body).
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Self {
            class,
            status: None,
            code: None,
            message: message.into(),
            request_id: None,
            retry_after: None,
        }
    }

    /// A timeout or connection error: transient, no status.
    pub fn transport(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::Transient, message)
    }

    /// True for a 404 that arrives within `window` after our own create of the object: the
    /// replica has not seen it yet, so the caller should retry later instead of giving up.
    pub fn is_not_yet_replicated(&self, since_create: Duration, window: Duration) -> bool {
        self.class == ErrorClass::NotFound && since_create <= window
    }

    /// True when retrying the same request later can succeed (throttled or transient).
    pub fn is_retryable(&self) -> bool {
        matches!(self.class, ErrorClass::Throttled | ErrorClass::Transient)
    }
}

#[derive(Deserialize)]
struct Envelope {
    error: Body,
}

#[derive(Deserialize)]
struct Body {
    code: Option<String>,
    message: Option<String>,
    #[serde(rename = "innerError", alias = "innererror")]
    inner_error: Option<Inner>,
}

#[derive(Deserialize)]
struct Inner {
    #[serde(rename = "request-id")]
    request_id: Option<String>,
}

/// Classifies a non-success Graph response. Never panics, whatever the body holds.
pub fn classify(status: u16, headers: &HeaderMap, body: &[u8]) -> GraphError {
    let parsed = serde_json::from_slice::<Envelope>(body)
        .ok()
        .map(|e| e.error);
    let code = parsed.as_ref().and_then(|b| b.code.clone());
    let message = parsed
        .as_ref()
        .and_then(|b| b.message.clone())
        .unwrap_or_else(|| format!("HTTP {status} without a Graph error body"));
    let body_request_id = parsed
        .and_then(|b| b.inner_error)
        .and_then(|i| i.request_id);
    let header_request_id = headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    GraphError {
        class: class_of(status, code.as_deref()),
        status: Some(status),
        code,
        message,
        request_id: body_request_id.or(header_request_id),
        retry_after: parse_retry_after(headers),
    }
}

fn class_of(status: u16, code: Option<&str>) -> ErrorClass {
    match (status, code) {
        (429, _) | (_, Some("TooManyRequests" | "activityLimitReached")) => ErrorClass::Throttled,
        (401, _) | (_, Some("InvalidAuthenticationToken")) => ErrorClass::Unauthorised,
        (404, _) => ErrorClass::NotFound,
        (408, _) | (500..=599, _) | (_, Some("serviceNotAvailable")) => ErrorClass::Transient,
        _ => ErrorClass::Permanent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn body(code: &str) -> Vec<u8> {
        format!(
            r#"{{"error":{{"code":"{code}","message":"m","innerError":{{"request-id":"rid-body"}}}}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn each_status_has_its_class() {
        let h = HeaderMap::new();
        let cases = [
            (429, "TooManyRequests", ErrorClass::Throttled),
            (503, "serviceNotAvailable", ErrorClass::Transient),
            (500, "InternalServerError", ErrorClass::Transient),
            (504, "GatewayTimeout", ErrorClass::Transient),
            (404, "Request_ResourceNotFound", ErrorClass::NotFound),
            (401, "InvalidAuthenticationToken", ErrorClass::Unauthorised),
            (400, "Request_BadRequest", ErrorClass::Permanent),
            (403, "Authorization_RequestDenied", ErrorClass::Permanent),
        ];
        for (status, code, class) in cases {
            let e = classify(status, &h, &body(code));
            assert_eq!(e.class, class, "{status} {code}");
            assert_eq!(e.code.as_deref(), Some(code));
            assert_eq!(e.request_id.as_deref(), Some("rid-body"));
        }
    }

    #[test]
    fn code_wins_over_a_misleading_status() {
        let e = classify(400, &HeaderMap::new(), &body("activityLimitReached"));
        assert_eq!(e.class, ErrorClass::Throttled);
    }

    #[test]
    fn garbage_bodies_classify_by_status_and_take_header_fields() {
        let mut h = HeaderMap::new();
        h.insert("request-id", HeaderValue::from_static("rid-header"));
        h.insert("retry-after", HeaderValue::from_static("7"));
        for junk in [
            &b"<html>oops"[..],
            b"",
            b"{\"error\":42}",
            b"[1,2]",
            b"\xff\xfe",
        ] {
            let e = classify(429, &h, junk);
            assert_eq!(e.class, ErrorClass::Throttled);
            assert_eq!(e.code, None);
            assert_eq!(e.request_id.as_deref(), Some("rid-header"));
            assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
        }
        assert_eq!(classify(502, &h, b"x").class, ErrorClass::Transient);
        assert_eq!(classify(418, &h, b"x").class, ErrorClass::Permanent);
    }

    #[test]
    fn not_yet_replicated_is_bounded_by_the_window() {
        let e = classify(404, &HeaderMap::new(), &body("Request_ResourceNotFound"));
        let w = Duration::from_secs(60);
        assert!(e.is_not_yet_replicated(Duration::from_secs(3), w));
        assert!(!e.is_not_yet_replicated(Duration::from_secs(61), w));
        let p = classify(400, &HeaderMap::new(), &body("Request_BadRequest"));
        assert!(!p.is_not_yet_replicated(Duration::from_secs(1), w));
    }

    #[test]
    fn transport_errors_are_transient_without_status() {
        let e = GraphError::transport("timed out");
        assert_eq!((e.class, e.status), (ErrorClass::Transient, None));
        assert!(e.is_retryable());
    }
}
