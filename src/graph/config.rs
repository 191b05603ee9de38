//! The Graph client's own configuration: endpoints, credential, timeouts, budgets and the retry
//! policy. The application maps its settings into a [`GraphConfig`]; this module reads nothing.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

/// How the app registration proves its identity to the token endpoint.
#[derive(Clone)]
pub enum Credential {
    /// A client secret.
    Secret(SecretString),
    /// A certificate: the PEM of the registered certificate and its private key (PKCS#8 or
    /// PKCS#1 PEM); used to sign a JWT client assertion (PS256, `x5t#S256`).
    Certificate {
        /// The public certificate, PEM.
        certificate_pem: String,
        /// The private key, PEM.
        private_key_pem: SecretString,
    },
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Credential::Secret([redacted])"),
            Self::Certificate { .. } => f.write_str("Credential::Certificate([redacted])"),
        }
    }
}

/// Retries inside one call: attempts and the backoff schedule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per call, the first one included (1 = no retry).
    pub max_attempts: u32,
    /// Base of the exponential backoff.
    pub base_delay: Duration,
    /// Upper bound of one backoff delay (a `Retry-After` above it is still honoured).
    pub max_delay: Duration,
    /// The delay used when a 429 carries no `Retry-After` or `Retry-After: 0`.
    pub fallback_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
            fallback_delay: Duration::from_secs(5),
        }
    }
}

/// Everything the Graph client needs.
#[derive(Clone, Debug)]
pub struct GraphConfig {
    /// Graph root including the version, e.g. `https://graph.microsoft.com/v1.0`.
    pub base_url: Url,
    /// Token authority, e.g. `https://login.microsoftonline.com`.
    pub authority_url: Url,
    /// Tenant id (GUID or domain).
    pub tenant_id: String,
    /// Application (client) id.
    pub client_id: String,
    /// Secret or certificate.
    pub credential: Credential,
    /// Timeout of one HTTP request (headers and body).
    pub request_timeout: Duration,
    /// Timeout of the TCP/TLS connect.
    pub connect_timeout: Duration,
    /// Writes per second across the process (default 20).
    pub write_budget_per_second: f64,
    /// Reads per second across the process (default 50).
    pub read_budget_per_second: f64,
    /// Retries inside one call.
    pub retry: RetryPolicy,
    /// Largest response body read from Graph or the token endpoint; a longer one is abandoned
    /// unread (a page of 999 users with every selected property is a few MiB).
    pub max_response_bytes: usize,
}

/// Default of [`GraphConfig::max_response_bytes`]: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

impl GraphConfig {
    /// A configuration with default timeouts, budgets and retry policy.
    pub fn new(
        base_url: Url,
        authority_url: Url,
        tenant_id: impl Into<String>,
        client_id: impl Into<String>,
        credential: Credential,
    ) -> Self {
        Self {
            base_url,
            authority_url,
            tenant_id: tenant_id.into(),
            client_id: client_id.into(),
            credential,
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            write_budget_per_second: 20.0,
            read_budget_per_second: 50.0,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// `{authority_url}/{tenant_id}/oauth2/v2.0/token`.
    pub fn token_url(&self) -> String {
        let authority = self.authority_url.as_str().trim_end_matches('/');
        format!("{authority}/{}/oauth2/v2.0/token", self.tenant_id)
    }

    /// `{scheme}://{host}[:port]/.default` of the Graph base URL.
    pub fn scope(&self) -> String {
        format!("{}/.default", self.base_url.origin().ascii_serialization())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str, authority: &str) -> GraphConfig {
        GraphConfig::new(
            Url::parse(base).unwrap(),
            Url::parse(authority).unwrap(),
            "tid",
            "cid",
            Credential::Secret(SecretString::from("s3cr3t")),
        )
    }

    #[test]
    fn token_url_and_scope_follow_the_endpoints() {
        let c = config("http://127.0.0.1:8080/v1.0", "http://127.0.0.1:8080/");
        assert_eq!(c.token_url(), "http://127.0.0.1:8080/tid/oauth2/v2.0/token");
        assert_eq!(c.scope(), "http://127.0.0.1:8080/.default");
        let c = config(
            "https://graph.microsoft.com/v1.0",
            "https://login.microsoftonline.com",
        );
        assert_eq!(c.scope(), "https://graph.microsoft.com/.default");
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let c = config(
            "https://graph.microsoft.com/v1.0",
            "https://login.microsoftonline.com",
        );
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }
}
