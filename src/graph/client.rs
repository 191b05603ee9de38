//! [`GraphClient`]: the request loop every typed call goes through. Each attempt takes a
//! token, waits for the throttle, sends, and classifies the answer; throttled and transient
//! failures are retried with backoff, a 401 once with a fresh token.

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::HeaderMap;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

use super::backoff::{retry_delay, throttle_pause};
use super::body::read_bounded;
use super::config::{GraphConfig, RetryPolicy};
use super::error::{ErrorClass, GraphError, classify};
use super::http_client::build_http_client;
use super::metrics;
use super::throttle::{OpKind, Throttle};
use super::token::{AccessToken, OAuthTokenSource, TokenSource};
use crate::clock::Clock;

pub use super::request::WriteRetry;
pub(crate) use super::request::{Call, Success};

/// The Graph client. Cheap to clone; clones share the HTTP pool, tokens and throttle.
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base_url: String,
    tokens: Arc<dyn TokenSource>,
    throttle: Arc<Throttle>,
    retry: RetryPolicy,
    max_response_bytes: usize,
    write_retry: WriteRetry,
    observer: Option<Arc<dyn CallObserver>>,
}

/// Sees the final outcome of every logical Graph call (after retries); the quarantine's tally.
pub trait CallObserver: Send + Sync {
    /// One call finished with `result`.
    fn observe(&self, result: Result<(), &GraphError>);
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base_url", &self.base_url)
            .field("write_retry", &self.write_retry)
            .finish_non_exhaustive()
    }
}

struct Failure {
    error: GraphError,
    /// The token Graph rejected (set only for a 401 from Graph itself).
    rejected: Option<AccessToken>,
}

impl From<GraphError> for Failure {
    fn from(error: GraphError) -> Self {
        Self {
            error,
            rejected: None,
        }
    }
}

impl GraphClient {
    /// The production client: its own reqwest client, oauth2 token source and throttle.
    pub fn new(config: &GraphConfig, clock: Arc<dyn Clock>) -> Result<Self, GraphError> {
        let http = build_http_client(config)?;
        let tokens = Arc::new(OAuthTokenSource::new(config, http.clone(), clock)?);
        let throttle = Arc::new(Throttle::new(
            config.read_budget_per_second,
            config.write_budget_per_second,
        ));
        Ok(Self::from_parts(config, http, tokens, throttle))
    }

    /// A client over given parts (e.g. a throttle shared with other components).
    pub fn from_parts(
        config: &GraphConfig,
        http: reqwest::Client,
        tokens: Arc<dyn TokenSource>,
        throttle: Arc<Throttle>,
    ) -> Self {
        Self {
            http,
            base_url: config.base_url.as_str().trim_end_matches('/').to_owned(),
            tokens,
            throttle,
            retry: config.retry,
            max_response_bytes: config.max_response_bytes,
            write_retry: WriteRetry::default(),
            observer: None,
        }
    }

    /// The same client, reporting every call's outcome to `observer`.
    pub fn with_observer(&self, observer: Arc<dyn CallObserver>) -> Self {
        Self {
            observer: Some(observer),
            ..self.clone()
        }
    }

    /// The same client with another write-retry choice.
    pub fn with_write_retry(&self, write_retry: WriteRetry) -> Self {
        Self {
            write_retry,
            ..self.clone()
        }
    }

    /// The same client pacing through `throttle` (e.g. one whose state replicas share).
    pub fn with_throttle(&self, throttle: Arc<Throttle>) -> Self {
        Self {
            throttle,
            ..self.clone()
        }
    }

    /// The shared throttle (for readiness, metrics and the worker).
    pub fn throttle(&self) -> &Arc<Throttle> {
        &self.throttle
    }

    /// The retry policy of this client.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The Graph root, e.g. `https://graph.microsoft.com/v1.0` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token source (for `guestsync check` and readiness).
    pub fn tokens(&self) -> &Arc<dyn TokenSource> {
        &self.tokens
    }

    /// `{base_url}{path_and_query}`; `path_and_query` starts with `/` and is already encoded.
    pub(crate) fn url(&self, path_and_query: &str) -> Result<Url, GraphError> {
        Url::parse(&format!("{}{path_and_query}", self.base_url))
            .map_err(|_| GraphError::new(ErrorClass::Permanent, "invalid Graph URL"))
    }

    /// Whether `url` points at our Graph host (nextLinks must, or the token would leak).
    pub(crate) fn is_own_origin(&self, url: &Url) -> bool {
        Url::parse(&self.base_url).is_ok_and(|b| b.origin() == url.origin())
    }

    /// Runs `call` with throttling, retries and classification; tells the observer.
    pub(crate) async fn execute(&self, call: &Call<'_>) -> Result<Success, GraphError> {
        let result = self.execute_unobserved(call).await;
        if let Some(observer) = &self.observer {
            observer.observe(result.as_ref().map(|_| ()));
        }
        result
    }

    async fn execute_unobserved(&self, call: &Call<'_>) -> Result<Success, GraphError> {
        let kind = if call.method == Method::GET {
            OpKind::Read
        } else {
            OpKind::Write
        };
        let max_attempts = match (kind, self.write_retry) {
            (OpKind::Write, WriteRetry::NoRetry) => 1,
            _ => self.retry.max_attempts.max(1),
        };
        let mut reauthenticated = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self.attempt(call, kind, attempt).await {
                Ok(success) => return Ok(success),
                Err(failure) => failure,
            };
            if let Some(stale) = failure.rejected.as_ref().filter(|_| !reauthenticated) {
                self.tokens.invalidate(stale);
                reauthenticated = true;
                attempt -= 1;
                continue;
            }
            let error = failure.error;
            if error.class == ErrorClass::Throttled {
                let pause = throttle_pause(&self.retry, &error);
                metrics::throttled(pause);
                self.throttle.throttled(kind, pause).await;
            }
            if !error.is_retryable() || attempt >= max_attempts {
                return Err(error);
            }
            let delay = retry_delay(&self.retry, attempt, &error, rand::random::<f64>());
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(
        &self,
        call: &Call<'_>,
        kind: OpKind,
        attempt: u32,
    ) -> Result<Success, Failure> {
        let token = self.tokens.token().await?;
        self.throttle.acquire(kind).await;
        let span = tracing::info_span!(
            "graph.request",
            method = %call.method,
            route = call.operation,
            attempt,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            client_request_id = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = self.send(call, &token).instrument(span.clone()).await;
        let outcome = match &result {
            Ok(_) => "ok",
            Err(e) => e.class.as_str(),
        };
        metrics::request(call.operation, outcome, started.elapsed());
        let _entered = span.enter();
        match result {
            Ok(success) => {
                tracing::debug!(status = success.status, "graph request succeeded");
                Ok(success)
            }
            Err(error) => {
                tracing::debug!(status = ?error.status, code = ?error.code, request_id = ?error.request_id, class = outcome, "graph request failed");
                let rejected = (error.status == Some(401)).then_some(token);
                Err(Failure { error, rejected })
            }
        }
    }

    /// Sends one attempt with a fresh `client-request-id` (Graph echoes it and logs it with
    /// its own `request-id`); both ids are recorded on the `graph.request` span.
    async fn send(&self, call: &Call<'_>, token: &AccessToken) -> Result<Success, GraphError> {
        let client_request_id = uuid::Uuid::new_v4().to_string();
        tracing::Span::current().record("client_request_id", client_request_id.as_str());
        let mut request = self
            .http
            .request(call.method.clone(), call.url.clone())
            .bearer_auth(token.secret())
            .header("client-request-id", client_request_id);
        if let Some(body) = call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let span = tracing::Span::current();
        span.record("status", status);
        let headers: HeaderMap = response.headers().clone();
        if let Some(id) = headers.get("request-id").and_then(|v| v.to_str().ok()) {
            span.record("request_id", id);
        }
        let body = read_bounded(response, self.max_response_bytes)
            .await
            .map_err(|e| e.into_graph_error(status))?;
        if (200..300).contains(&status) {
            Ok(Success { status, body })
        } else {
            Err(classify(status, &headers, &body))
        }
    }
}

fn transport(e: reqwest::Error) -> GraphError {
    let kind = if e.is_timeout() {
        "timeout"
    } else {
        "transport error"
    };
    GraphError::transport(format!("{kind}: {}", e.without_url()))
}
