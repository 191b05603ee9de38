//! Typed, validated configuration. Settings are read once at start-up ([`Settings::load`]) from
//! the embedded defaults, the `--config` file and `GUESTSYNC__SECTION__KEY` variables, and parsed
//! into typed values; any unknown key or invalid value is a [`SettingsError`] naming the key.
//! Secrets are `secrecy` types, redacted in `Debug`.

mod duration;
mod error;
mod load;
mod raw;
mod sections;

use std::path::Path;

pub use duration::parse_duration;
pub use error::SettingsError;
pub use load::DEFAULT_TOML;
pub use sections::{
    AuthSettings, ClientCredential, GraphSettings, HttpSettings, InviteSettings, LogFormat,
    LogSettings, QuarantineSettings, SafetySettings, SourceSettings, StateSettings, SyncSettings,
    WorkerSettings,
};

use error::Problems;

/// Every setting, parsed and validated.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `[graph]`: the Graph endpoint, budgets and retry policy.
    pub graph: GraphSettings,
    /// `[auth]`: the token authority, tenant, app and credential.
    pub auth: AuthSettings,
    /// `[state]`: guestsync's own database.
    pub state: StateSettings,
    /// `[source]`: the SQL identity store.
    pub source: SourceSettings,
    /// `[invite]`: how invitations are sent.
    pub invite: InviteSettings,
    /// `[sync]`: the cycle.
    pub sync: SyncSettings,
    /// `[workers]`: the worker pool.
    pub workers: WorkerSettings,
    /// `[safety]`: the mass-change brake.
    pub safety: SafetySettings,
    /// `[http]`: health, metrics, admin API, status page.
    pub http: HttpSettings,
    /// `[log]`: log level and format.
    pub log: LogSettings,
    /// `[quarantine]`: the breaker for permanent Graph failures.
    pub quarantine: QuarantineSettings,
}

impl Settings {
    /// Loads the layers (defaults, `file`, the process's `GUESTSYNC__…` variables) and parses them.
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        Self::load_with_env(file, load::process_env())
    }

    /// As [`Settings::load`], with the environment given (tests use this).
    pub fn load_with_env(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        let raw = load::load_raw(file, env.into_iter().collect())?;
        let mut problems = Problems::default();
        let graph = sections::parse_graph(&raw.graph, &mut problems);
        let auth = sections::parse_auth(&raw.auth, &mut problems);
        let state = sections::parse_state(&raw.state, &mut problems);
        let source = sections::parse_source(&raw.source, &mut problems);
        let invite = sections::parse_invite(&raw.invite, &mut problems);
        let sync = sections::parse_sync(&raw.sync, &mut problems);
        let workers = sections::parse_workers(&raw.workers, &mut problems);
        let safety = sections::parse_safety(&raw.safety, &mut problems);
        let http = sections::parse_http(&raw.http, &mut problems);
        let log = sections::parse_log(&raw.log, &mut problems);
        let quarantine = sections::parse_quarantine(&raw.quarantine, &mut problems);
        problems.finish()?;
        let missing =
            || SettingsError::single("configuration", "internal: a section was not parsed");
        Ok(Self {
            graph: graph.ok_or_else(missing)?,
            auth: auth.ok_or_else(missing)?,
            state: state.ok_or_else(missing)?,
            source: source.ok_or_else(missing)?,
            invite: invite.ok_or_else(missing)?,
            sync: sync.ok_or_else(missing)?,
            workers: workers.ok_or_else(missing)?,
            safety: safety.ok_or_else(missing)?,
            http: http.ok_or_else(missing)?,
            log: log.ok_or_else(missing)?,
            quarantine: quarantine.ok_or_else(missing)?,
        })
    }

    /// Checks that what talking to Graph needs is set: tenant, client and credential.
    pub fn require_graph(&self) -> Result<(), SettingsError> {
        let mut problems = Problems::default();
        if self.auth.tenant_id.is_none() {
            problems.add("auth.tenant_id", "is required to talk to Graph");
        }
        if self.auth.client_id.is_none() {
            problems.add("auth.client_id", "is required to talk to Graph");
        }
        if self.auth.credential.is_none() {
            problems.add(
                "auth.client_secret",
                "a credential is required: client_secret, client_secret_file, or certificate_path with private_key_path",
            );
        }
        problems.finish()
    }

    /// Checks that the source is configured.
    pub fn require_source(&self) -> Result<(), SettingsError> {
        let mut problems = Problems::default();
        if self.source.url.is_none() {
            problems.add("source.url", "is required to read identities");
        }
        if self.source.query.is_none() {
            problems.add("source.query", "is required to read identities");
        }
        problems.finish()
    }
}
