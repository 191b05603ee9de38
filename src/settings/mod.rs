//! Typed, validated configuration. Settings are read once at start-up ([`Settings::load`]) from
//! the embedded defaults, the `--config` file and `GUESTSYNC__SECTION__KEY` variables, and parsed
//! into typed values; any unknown key or invalid value is a [`SettingsError`] naming the key.
//! Secrets are `secrecy` types, redacted in `Debug`.

mod duration;
mod error;
mod load;
mod mapping;
mod raw;
mod scope;
mod sections;

use std::path::Path;

pub use duration::parse_duration;
pub use error::SettingsError;
pub use load::DEFAULT_TOML;
pub use sections::LifecycleSettings;
pub use sections::{
    AuthSettings, ClientCredential, GraphSettings, HttpSettings, InviteSettings, LogFormat,
    LogSettings, QuarantineSettings, ReplicaSettings, SafetySettings, SmtpSecurity, SmtpSettings,
    SourceSettings, StateSettings, SyncSettings, WorkerSettings, WritebackSettings,
};

use crate::plan::Scope;
use crate::source::Mapping;
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
    /// `[replicas]`: replica name and leader lease.
    pub replicas: ReplicaSettings,
    /// `[groups]`: the group memberships guestsync manages.
    pub groups: crate::groups::GroupConfig,
    /// `[mapping]`: source columns → Graph properties (with the scope-only columns).
    pub mapping: Mapping,
    /// `[[scope]]`: which identities are in scope.
    pub scope: Scope,
    /// `[notify.smtp]`: guestsync's own invitation mail; `None` when off.
    pub notify_smtp: Option<SmtpSettings>,
    /// `[writeback]`: the results table in the source database; `None` when off.
    pub writeback: Option<WritebackSettings>,
    /// `[lifecycle]`: housekeeping of pending, disabled and deleted guests.
    pub lifecycle: LifecycleSettings,
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
        Self::from_raw(load::load_raw(file, env.into_iter().collect())?)
    }

    /// As [`Settings::load_with_env`], with the operator's file given as TOML text (the
    /// `settings` fuzz target feeds it arbitrary text).
    pub fn from_toml_str(
        toml: &str,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, SettingsError> {
        Self::from_raw(load::load_raw_str(toml, env.into_iter().collect())?)
    }

    /// Parses and checks the merged layers.
    fn from_raw(raw: raw::RawSettings) -> Result<Self, SettingsError> {
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
        let replicas = sections::parse_replicas(&raw.replicas, &mut problems);
        let groups = sections::parse_groups(&raw.groups, &mut problems);
        let mapping = mapping::parse_mapping(&raw.mapping, &mut problems);
        let (scope, mapping) = scope::parse_scope(&raw.scope, mapping, &mut problems);
        let notify_smtp = sections::parse_notify(&raw.notify, &mut problems);
        let writeback = sections::parse_writeback(&raw.writeback, &mut problems);
        if raw.invite.send_invitation_message && notify_smtp.as_ref().is_some_and(Option::is_some) {
            problems.add(
                "notify.smtp.host",
                "guestsync mails invitations itself only with invite.send_invitation_message = false",
            );
        }
        let lifecycle = sections::parse_lifecycle(&raw.lifecycle, &mut problems);
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
            replicas: replicas.ok_or_else(missing)?,
            groups: groups.ok_or_else(missing)?,
            mapping,
            scope,
            notify_smtp: notify_smtp.ok_or_else(missing)?,
            writeback: writeback.ok_or_else(missing)?,
            lifecycle: lifecycle.ok_or_else(missing)?,
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
