//! Starting an emulator and a Graph client pointed at it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use guestsync::clock::SystemClock;
use guestsync::emulator::{EmulatorConfig, EmulatorHandle, start};
use guestsync::graph::http_client::build_http_client;
use guestsync::graph::{
    AccessToken, Credential, GraphClient, GraphConfig, GraphError, InvitationRequest,
    OAuthTokenSource, RetryPolicy, Throttle, TokenSource,
};
use secrecy::SecretString;
use url::Url;

pub async fn emulator(config: EmulatorConfig) -> EmulatorHandle {
    start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

pub fn graph_config(handle: &EmulatorHandle, credential: Credential) -> GraphConfig {
    let mut config = GraphConfig::new(
        Url::parse(&handle.base_url()).unwrap(),
        Url::parse(&handle.authority_url()).unwrap(),
        handle.config().tenant_id.clone(),
        handle.config().client_id.clone(),
        credential,
    );
    config.retry = RetryPolicy {
        max_attempts: 30,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(400),
        fallback_delay: Duration::from_millis(500),
    };
    config
}

pub fn secret(handle: &EmulatorHandle) -> Credential {
    Credential::Secret(SecretString::from(handle.config().client_secret.clone()))
}

/// A token source that counts how often it was asked for a token.
pub struct Counting {
    pub inner: Arc<dyn TokenSource>,
    pub calls: AtomicU32,
    pub invalidations: AtomicU32,
    /// Hand out this (unknown to the emulator) token until it is invalidated.
    pub stale_first: std::sync::Mutex<Option<AccessToken>>,
}

#[async_trait]
impl TokenSource for Counting {
    async fn token(&self) -> Result<AccessToken, GraphError> {
        if let Some(stale) = self.stale_first.lock().unwrap().clone() {
            return Ok(stale);
        }
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.token().await
    }

    fn invalidate(&self, stale: &AccessToken) {
        self.invalidations.fetch_add(1, Ordering::SeqCst);
        self.stale_first.lock().unwrap().take();
        self.inner.invalidate(stale);
    }
}

/// A client over a counting token source.
pub fn counting_client(
    config: &GraphConfig,
    stale_first: Option<AccessToken>,
) -> (GraphClient, Arc<Counting>) {
    let http = build_http_client(config).unwrap();
    let inner =
        Arc::new(OAuthTokenSource::new(config, http.clone(), Arc::new(SystemClock)).unwrap());
    let counting = Arc::new(Counting {
        inner,
        calls: AtomicU32::new(0),
        invalidations: AtomicU32::new(0),
        stale_first: std::sync::Mutex::new(stale_first),
    });
    let throttle = Arc::new(Throttle::new(
        config.read_budget_per_second,
        config.write_budget_per_second,
    ));
    (
        GraphClient::from_parts(config, http, counting.clone(), throttle),
        counting,
    )
}

pub async fn client_for(handle: &EmulatorHandle) -> GraphClient {
    GraphClient::new(&graph_config(handle, secret(handle)), Arc::new(SystemClock)).unwrap()
}

pub fn invitation(mail: &str) -> InvitationRequest {
    InvitationRequest {
        invited_user_email_address: mail.to_owned(),
        invite_redirect_url: "https://myapps.microsoft.com".to_owned(),
        ..Default::default()
    }
}
