//! The one reqwest client (rustls, timeouts, connection reuse) and the adapter that lends it to
//! the `oauth2` crate through its `AsyncHttpClient` trait.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU16, Ordering};

use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse};

use super::body::read_bounded;
use super::config::GraphConfig;
use super::error::GraphError;

/// Builds the process's HTTP client for Graph and the token endpoint. Redirects are not
/// followed (the token endpoint must never be redirected elsewhere with a credential).
pub fn build_http_client(config: &GraphConfig) -> Result<reqwest::Client, GraphError> {
    reqwest::Client::builder()
        .timeout(config.request_timeout)
        .connect_timeout(config.connect_timeout)
        .pool_idle_timeout(std::time::Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("guestsync/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| {
            GraphError::transport(format!("cannot build HTTP client: {}", e.without_url()))
        })
}

/// Largest token endpoint answer read (a token response is a few KiB).
const TOKEN_RESPONSE_LIMIT: usize = 1024 * 1024;

/// A transport failure while talking to the token endpoint (no URL, no body).
#[derive(Debug, thiserror::Error)]
#[error("token endpoint transport error: {0}")]
pub struct OAuthHttpError(String);

/// Lends our reqwest client to `oauth2`, and remembers the HTTP status of the last response
/// (the crate's error type drops it, and we need it to tell 5xx from 4xx).
#[derive(Debug)]
pub struct OAuthHttp {
    client: reqwest::Client,
    last_status: AtomicU16,
}

impl OAuthHttp {
    /// Wraps a clone of the shared client (clones share the connection pool).
    pub fn new(client: reqwest::Client) -> Self {
        Self {
            client,
            last_status: AtomicU16::new(0),
        }
    }

    /// Status of the last response received, if any.
    pub fn last_status(&self) -> Option<u16> {
        match self.last_status.load(Ordering::Relaxed) {
            0 => None,
            s => Some(s),
        }
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, OAuthHttpError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| OAuthHttpError(e.without_url().to_string()))?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|e| OAuthHttpError(e.without_url().to_string()))?;
        let status = response.status();
        self.last_status.store(status.as_u16(), Ordering::Relaxed);
        let mut builder = oauth2::http::Response::builder().status(status);
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let body = read_bounded(response, TOKEN_RESPONSE_LIMIT)
            .await
            .map_err(|e| OAuthHttpError(e.into_graph_error(status.as_u16()).message))?;
        builder
            .body(body)
            .map_err(|e| OAuthHttpError(e.to_string()))
    }
}

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = OAuthHttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, OAuthHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
