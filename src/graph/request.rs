//! The shape of one request through [`super::GraphClient`]: what the typed calls hand to the
//! request loop, what comes back, and whether writes are retried.

use reqwest::Method;
use url::Url;

/// Whether writes (POST/PATCH/DELETE) are retried inside a call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WriteRetry {
    /// Retry throttled and transient writes up to the policy's attempts (the default).
    #[default]
    Retry,
    /// One attempt only; the caller (the worker) snoozes the item instead.
    NoRetry,
}

/// One HTTP request as the typed calls describe it.
#[derive(Debug)]
pub(crate) struct Call<'a> {
    /// Bounded route template for logs and metrics, e.g. `GET /users/{id}`.
    pub operation: &'static str,
    pub method: Method,
    pub url: Url,
    pub body: Option<&'a serde_json::Value>,
}

/// A successful response.
#[derive(Debug)]
pub(crate) struct Success {
    pub status: u16,
    pub body: Vec<u8>,
}
