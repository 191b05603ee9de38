//! The configuration as written: plain serde structs mirroring `config/default.toml`, with
//! unknown fields denied. [`super::Settings`] is parsed from this once.

use std::collections::BTreeMap;

use serde::Deserialize;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    pub graph: RawGraph,
    pub auth: RawAuth,
    pub state: RawState,
    pub source: RawSource,
    pub invite: RawInvite,
    pub sync: RawSync,
    pub workers: RawWorkers,
    pub safety: RawSafety,
    pub http: RawHttp,
    pub log: RawLog,
    pub replicas: RawReplicas,
    pub groups: RawGroups,
    /// `[mapping]`: open keys (Graph property names), parsed by `super::mapping`.
    #[serde(default)]
    pub mapping: BTreeMap<String, serde_json::Value>,
    /// `[[scope]]`: parsed by `super::scope`.
    #[serde(default)]
    pub scope: Vec<serde_json::Value>,
    pub notify: super::sections::outputs::RawNotify,
    pub writeback: super::sections::outputs::RawWriteback,
    pub lifecycle: super::sections::RawLifecycle,
    pub quarantine: RawQuarantine,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGraph {
    pub base_url: String,
    pub request_timeout: String,
    pub connect_timeout: String,
    pub write_budget_per_second: f64,
    pub read_budget_per_second: f64,
    pub max_attempts: u32,
    pub retry_base: String,
    pub retry_cap: String,
    pub retry_fallback: String,
    pub max_response_mib: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuth {
    pub authority_url: String,
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: secrecy::SecretString,
    pub client_secret_file: String,
    pub certificate_path: String,
    pub private_key_path: String,
}

impl std::fmt::Debug for RawAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawAuth")
            .field("authority_url", &self.authority_url)
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawState {
    pub url: secrecy::SecretString,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub url: secrecy::SecretString,
    pub query: String,
    pub statement_timeout: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawInvite {
    pub redirect_url: String,
    pub send_invitation_message: bool,
    pub invited_user_type: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSync {
    pub interval: String,
    pub replication_window: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkers {
    pub count: u32,
    pub lease: String,
    pub max_attempts: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSafety {
    pub max_disables: u64,
    pub max_disable_percent: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHttp {
    pub listen: String,
    pub admin_token: secrecy::SecretString,
    pub admin_token_file: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawQuarantine {
    pub retry_every: String,
    pub error_ratio: f64,
    pub min_failures: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLog {
    pub level: String,
    pub format: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReplicas {
    pub id: String,
    pub leader_lease: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroups {
    pub managed: ListOrString,
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
}

/// A list written as a TOML array or as one separated string (environment variables).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ListOrString {
    List(Vec<String>),
    Text(String),
}
