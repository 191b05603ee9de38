//! Configuration of the emulator: identity of the fake tenant, the behaviour knobs (throttle,
//! faults, latency, replication lag) and the users it starts with.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use super::fault_knobs::{AnswerFault, AnswerFaultKind, Storm};

/// Everything the emulator needs to start.
#[derive(Clone)]
pub struct EmulatorConfig {
    /// The tenant id accepted in the token URL (the tenant domain is accepted too).
    pub tenant_id: String,
    /// The one registered application.
    pub client_id: String,
    /// The application's client secret.
    pub client_secret: String,
    /// The registered certificate (PEM) for client assertions; `None` disables that path.
    pub client_certificate_pem: Option<String>,
    /// Lifetime of issued access tokens (overridable at run time with [`Knobs::token_lifetime_secs`]).
    pub token_lifetime: Duration,
    /// The tenant's initial domain, used in guest user principal names.
    pub tenant_domain: String,
    /// Behaviour knobs at start.
    pub knobs: Knobs,
    /// Users present at start.
    pub seed_users: Vec<SeedUser>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            tenant_id: "00000000-0000-0000-0000-0000000000aa".to_owned(),
            client_id: "11111111-1111-1111-1111-1111111111bb".to_owned(),
            client_secret: "emulator-secret".to_owned(),
            client_certificate_pem: None,
            token_lifetime: Duration::from_secs(3600),
            tenant_domain: "contoso.onmicrosoft.com".to_owned(),
            knobs: Knobs::default(),
            seed_users: Vec::new(),
        }
    }
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("has_certificate", &self.client_certificate_pem.is_some())
            .field("token_lifetime", &self.token_lifetime)
            .field("tenant_domain", &self.tenant_domain)
            .field("knobs", &self.knobs)
            .field("seed_users", &self.seed_users.len())
            .finish()
    }
}

/// Behaviour knobs; changeable at run time through the handle or `PUT /_emulator/knobs`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// Token bucket for POST/PATCH/DELETE (including items inside `$batch`).
    pub write_budget: Option<Budget>,
    /// Token bucket for GETs.
    pub read_budget: Option<Budget>,
    /// How the `Retry-After` header of a 429 is chosen.
    pub retry_after: RetryAfterMode,
    /// Share of requests (0.0..=1.0) answered 500/503/504.
    pub fault_rate: f64,
    /// Seed of the fault and replication-lag random generator.
    pub fault_seed: u64,
    /// Added to every Graph request.
    pub latency_ms: u64,
    /// New or changed users stay invisible (or stale) for a random time up to this.
    pub replication_lag_max_ms: u64,
    /// Lifetime of tokens issued from now on, overriding the configured one.
    pub token_lifetime_secs: Option<u64>,
    /// Makes `POST /invitations` fail as a misconfigured tenant does (see [`InvitationDenial`]).
    pub invitations_denied: Option<InvitationDenial>,
    /// Cut, lost, malformed or huge answers on chosen routes (see [`AnswerFault`]); off if `None`.
    pub answer_fault: Option<AnswerFault>,
    /// 429 for every request for a while, with a chosen `Retry-After` (see [`Storm`]).
    pub storm: Option<Storm>,
    /// Filtered `GET /users` pages over every user, as Graph may (notes/graph.md §2 "Paging":
    /// a page can hold fewer results than `$top`, even none, and still carry a nextLink): each
    /// page looks at `$top` users and answers those that match. Off: filtered pages are full.
    pub sparse_pages: bool,
}

/// Why the tenant refuses every invitation (notes/graph.md §1 and §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationDenial {
    /// The app lacks User.Invite.All: 403 `Authorization_RequestDenied` "Insufficient
    /// privileges to complete the operation." (graph.md §6, error table).
    MissingPermission,
    /// B2B invitations are disabled for the tenant (graph.md §1: app-only invitations "do not
    /// work if B2B invitations are disabled"; troubleshooting text "Invitations have been
    /// disabled for directory"). UNCONFIRMED: the status and `error.code` Graph sends; 403
    /// `Authorization_RequestDenied` with that message is assumed.
    InvitationsDisabled,
}

impl InvitationDenial {
    /// The status, `error.code` and `error.message` of the refusal.
    pub fn answer(self) -> (u16, &'static str, &'static str) {
        match self {
            Self::MissingPermission => (
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
            Self::InvitationsDisabled => (
                403,
                "Authorization_RequestDenied",
                "Invitations have been disabled for directory",
            ),
        }
    }
}

/// A token bucket: refills `per_second`, holds at most `burst`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct Budget {
    /// Refill rate in requests per second.
    pub per_second: f64,
    /// Bucket size.
    pub burst: u32,
}

/// How the `Retry-After` header of a 429 is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetryAfterMode {
    /// Seconds until a token is free, rounded up, at least 1.
    #[default]
    Computed,
    /// Always this many seconds.
    Fixed(u64),
    /// `Retry-After: 0` (as Dev Proxy's rate limiter can send).
    Zero,
    /// No `Retry-After` header at all.
    Missing,
    /// This many seconds, written as an HTTP-date (RFC 9110 §10.2.3 allows it; graph.md
    /// documents seconds), with a `Date` header on the emulator's clock to count from.
    HttpDate(u64),
}

/// A user present in the directory (seeded at start or added by an admin).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SeedUser {
    /// Primary e-mail address.
    pub mail: String,
    /// Display name.
    pub display_name: String,
    /// `Guest` or `Member`.
    pub user_type: String,
    /// `Invitation` for B2B guests, `None` for regular users.
    pub creation_type: Option<String>,
    /// Whether sign-in is allowed.
    pub account_enabled: bool,
    /// Further addresses.
    pub other_mails: Vec<String>,
    /// Any further Graph properties, set as given (they override the defaults).
    pub extra: Map<String, Value>,
}

impl SeedUser {
    /// An enabled, redeemed B2B guest with the given address.
    pub fn guest(mail: &str) -> Self {
        let display_name = mail.split('@').next().unwrap_or(mail).to_owned();
        Self {
            mail: mail.to_owned(),
            display_name,
            user_type: "Guest".to_owned(),
            creation_type: Some("Invitation".to_owned()),
            account_enabled: true,
            other_mails: Vec::new(),
            extra: Map::new(),
        }
    }
}
