//! Access tokens for Graph: the [`TokenSource`] trait and its oauth2-backed implementation
//! (client credentials with a secret or a certificate assertion), cached, refreshed before
//! expiry and single-flight.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use oauth2::basic::{BasicClient, BasicTokenResponse};
use oauth2::{AuthType, ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};
use secrecy::{ExposeSecret, SecretString};
use tokio::time::Instant;

use super::certificate::AssertionSigner;
use super::config::{Credential, GraphConfig};
use super::error::{ErrorClass, GraphError};
use super::http_client::OAuthHttp;
use super::token_error::token_error;
use crate::clock::Clock;

/// Refresh this long before expiry (at most half the token's lifetime).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A bearer token. `Debug` is redacted; the value is only read to build the header.
#[derive(Clone)]
pub struct AccessToken {
    secret: SecretString,
    refresh_at: Instant,
}

impl AccessToken {
    /// A token that should be replaced at `refresh_at`.
    pub fn new(secret: SecretString, refresh_at: Instant) -> Self {
        Self { secret, refresh_at }
    }

    /// The raw token, for the `Authorization` header only.
    pub fn secret(&self) -> &str {
        self.secret.expose_secret()
    }

    fn is_fresh(&self, now: Instant) -> bool {
        now < self.refresh_at
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([redacted])")
    }
}

/// Where the Graph client gets its bearer tokens.
#[async_trait]
pub trait TokenSource: Send + Sync {
    /// A valid token (cached or new).
    async fn token(&self) -> Result<AccessToken, GraphError>;
    /// Forgets `stale` (Graph answered 401 with it) so the next call fetches a new one.
    fn invalidate(&self, stale: &AccessToken);
}

/// Client-credentials token source on the `oauth2` crate over our reqwest client.
pub struct OAuthTokenSource {
    http: reqwest::Client,
    client_id: String,
    token_url: String,
    scope: String,
    credential: Credential,
    signer: Option<AssertionSigner>,
    clock: Arc<dyn Clock>,
    cached: Mutex<Option<AccessToken>>,
    refreshing: tokio::sync::Mutex<()>,
}

impl fmt::Debug for OAuthTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokenSource")
            .field("client_id", &self.client_id)
            .field("token_url", &self.token_url)
            .finish_non_exhaustive()
    }
}

impl OAuthTokenSource {
    /// A token source for `config`'s app registration; `clock` dates certificate assertions.
    pub fn new(
        config: &GraphConfig,
        http: reqwest::Client,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, GraphError> {
        let signer = match &config.credential {
            Credential::Secret(_) => None,
            Credential::Certificate {
                certificate_pem,
                private_key_pem,
            } => Some(AssertionSigner::new(certificate_pem, private_key_pem)?),
        };
        Ok(Self {
            http,
            client_id: config.client_id.clone(),
            token_url: config.token_url(),
            scope: config.scope(),
            credential: config.credential.clone(),
            signer,
            clock,
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        })
    }

    fn fresh_cached(&self) -> Option<AccessToken> {
        let cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        cached
            .as_ref()
            .filter(|t| t.is_fresh(Instant::now()))
            .cloned()
    }

    async fn fetch(&self) -> Result<AccessToken, GraphError> {
        let token_url = TokenUrl::new(self.token_url.clone())
            .map_err(|_| GraphError::new(ErrorClass::Permanent, "invalid token URL"))?;
        let mut client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_token_uri(token_url)
            .set_auth_type(AuthType::RequestBody);
        if let Credential::Secret(secret) = &self.credential {
            client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
        }
        let assertion = match &self.signer {
            Some(signer) => {
                Some(signer.assertion(&self.client_id, &self.token_url, self.clock.now())?)
            }
            None => None,
        };
        let mut request = client
            .exchange_client_credentials()
            .add_scope(Scope::new(self.scope.clone()));
        if let Some(assertion) = &assertion {
            request = request
                .add_extra_param("client_assertion_type", ASSERTION_TYPE)
                .add_extra_param("client_assertion", assertion.expose_secret());
        }
        let http = OAuthHttp::new(self.http.clone());
        let started = Instant::now();
        metrics::counter!("guestsync_graph_token_refreshes_total").increment(1);
        let response = request
            .request_async(&http)
            .await
            .map_err(|e| token_error(e, http.last_status()))?;
        Ok(token_from(&response, started))
    }
}

fn token_from(response: &BasicTokenResponse, started: Instant) -> AccessToken {
    let lifetime = response.expires_in().unwrap_or(Duration::from_secs(3600));
    let margin = REFRESH_MARGIN.min(lifetime / 2);
    tracing::debug!(expires_in_secs = lifetime.as_secs(), "graph token acquired");
    AccessToken::new(
        SecretString::from(response.access_token().secret().to_owned()),
        started + lifetime - margin,
    )
}

#[async_trait]
impl TokenSource for OAuthTokenSource {
    async fn token(&self) -> Result<AccessToken, GraphError> {
        if let Some(token) = self.fresh_cached() {
            return Ok(token);
        }
        let _single_flight = self.refreshing.lock().await;
        if let Some(token) = self.fresh_cached() {
            return Ok(token);
        }
        let token = self.fetch().await?;
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some(token.clone());
        Ok(token)
    }

    fn invalidate(&self, stale: &AccessToken) {
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if cached
            .as_ref()
            .is_some_and(|c| c.secret() == stale.secret())
        {
            *cached = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_debug_is_redacted() {
        let t = AccessToken::new(SecretString::from("eyJhbGciOi"), Instant::now());
        assert!(!format!("{t:?}").contains("eyJ"));
    }
}
