//! The typed sections of [`super::Settings`] and the functions that parse them from the raw file.

mod endpoints;
mod groups;
mod lifecycle;
pub(crate) mod outputs;
mod replicas;
mod runtime;

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::SecretString;
use url::Url;

pub use endpoints::{parse_auth, parse_graph, parse_source, parse_state};
pub use groups::parse_groups;
pub use lifecycle::{LifecycleSettings, RawLifecycle, parse_lifecycle};
pub use outputs::{SmtpSecurity, SmtpSettings, WritebackSettings, parse_notify, parse_writeback};
pub use replicas::{ReplicaSettings, parse_replicas};
pub use runtime::{
    parse_http, parse_invite, parse_log, parse_quarantine, parse_safety, parse_sync, parse_workers,
};

/// `[graph]`.
#[derive(Debug, Clone)]
pub struct GraphSettings {
    /// The Graph root, e.g. `https://graph.microsoft.com/v1.0`.
    pub base_url: Url,
    /// Timeout of one request.
    pub request_timeout: Duration,
    /// Timeout of establishing a connection.
    pub connect_timeout: Duration,
    /// Writes per second guestsync paces itself to.
    pub write_budget_per_second: f64,
    /// Reads per second guestsync paces itself to.
    pub read_budget_per_second: f64,
    /// Attempts of one call for throttled and transient errors.
    pub max_attempts: u32,
    /// First backoff step.
    pub retry_base: Duration,
    /// Longest backoff step.
    pub retry_cap: Duration,
    /// Wait after a 429 without a usable Retry-After.
    pub retry_fallback: Duration,
    /// The largest Graph answer read, in bytes.
    pub max_response_bytes: usize,
}

impl GraphSettings {
    /// The token scope: scheme and host (and port) of the base URL followed by `/.default`.
    pub fn token_scope(&self) -> String {
        format!("{}/.default", self.base_url.origin().ascii_serialization())
    }
}

/// A credential of the app registration.
#[derive(Debug, Clone)]
pub enum ClientCredential {
    /// A client secret.
    Secret(SecretString),
    /// A certificate (PEM) and its private key (PEM).
    Certificate {
        /// The certificate, PEM.
        certificate_pem: String,
        /// The private key, PEM.
        private_key_pem: SecretString,
    },
}

/// `[auth]`.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// The token authority, e.g. `https://login.microsoftonline.com`.
    pub authority_url: Url,
    /// The tenant id or verified domain.
    pub tenant_id: Option<String>,
    /// The app registration's client id.
    pub client_id: Option<String>,
    /// The credential, when one is configured.
    pub credential: Option<ClientCredential>,
}

impl AuthSettings {
    /// `{authority_url}/{tenant_id}/oauth2/v2.0/token`, when the tenant is set.
    pub fn token_url(&self) -> Option<Url> {
        let tenant = self.tenant_id.as_deref()?;
        let base = self.authority_url.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/{tenant}/oauth2/v2.0/token")).ok()
    }
}

/// `[state]`.
#[derive(Debug, Clone)]
pub struct StateSettings {
    /// `sqlite://…` or `postgres://…`; may hold a password.
    pub url: SecretString,
}

/// `[source]`.
#[derive(Debug, Clone)]
pub struct SourceSettings {
    /// The source database URL; may hold a password.
    pub url: Option<SecretString>,
    /// The operator's read-only query.
    pub query: Option<String>,
    /// The longest the query may run.
    pub statement_timeout: Duration,
}

/// `[invite]`.
#[derive(Debug, Clone)]
pub struct InviteSettings {
    /// Where invitees land after redeeming.
    pub redirect_url: Url,
    /// Whether Graph sends its own invitation e-mail.
    pub send_invitation_message: bool,
    /// `Guest` or `Member`.
    pub invited_user_type: String,
}

/// `[sync]`.
#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Time between cycle starts.
    pub interval: Duration,
    /// How long our own write may take to become visible.
    pub replication_window: Duration,
}

/// `[workers]`.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Number of worker tasks.
    pub count: u32,
    /// Lease of a claimed item.
    pub lease: Duration,
    /// Attempts before an item is dead.
    pub max_attempts: u32,
}

/// `[safety]`.
#[derive(Debug, Clone)]
pub struct SafetySettings {
    /// Most disables and deletes one cycle may do without approval.
    pub max_disables: u64,
    /// Most disables and deletes one cycle may do, in % of owned guests.
    pub max_disable_percent: f64,
}

/// `[http]`.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Listen address.
    pub listen: SocketAddr,
    /// Admin API bearer token; `None` turns the admin API off.
    pub admin_token: Option<SecretString>,
}

/// The log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Text on a terminal, JSON otherwise.
    Auto,
    /// Human-readable text.
    Text,
    /// One JSON object per line.
    Json,
}

/// `[log]`.
#[derive(Debug, Clone)]
pub struct LogSettings {
    /// A tracing filter directive.
    pub level: String,
    /// The output format.
    pub format: LogFormat,
}

/// `[quarantine]`: the breaker for permanent, tenant-wide Graph failures.
#[derive(Debug, Clone)]
pub struct QuarantineSettings {
    /// Time between two probes while quarantined.
    pub retry_every: Duration,
    /// Share of a cycle's Graph calls that must fail with one permanent cause.
    pub error_ratio: f64,
    /// Failures with that cause needed before the ratio counts.
    pub min_failures: u64,
}
