//! The optional outputs of guestsync's results: `[notify.smtp]` (guestsync mails the redeem URL
//! itself) and `[writeback]` (a table in the source database the IDM reads). Both are off by
//! default; their raw forms live here too, so the rest of the settings only gain two fields.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::endpoints::{at_least_one, non_empty, positive, read_secret_file};
use crate::notify::MailTemplate;
use crate::settings::error::Problems;

/// `[notify]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    pub smtp: RawSmtp,
}

/// `[notify.smtp]` as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSmtp {
    pub host: String,
    pub port: u16,
    pub security: String,
    pub username: String,
    pub password: SecretString,
    pub password_file: String,
    pub from: String,
    pub subject: String,
    pub template_path: String,
    pub inviting_organisation: String,
    pub timeout: String,
    pub retry_base: String,
    pub retry_cap: String,
    pub max_attempts: u32,
}

impl std::fmt::Debug for RawSmtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSmtp")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("password", &"[REDACTED]")
            .finish_non_exhaustive()
    }
}

/// `[writeback]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWriteback {
    pub enabled: bool,
    pub url: SecretString,
    pub table: String,
    pub create_table: bool,
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    StartTls,
    /// TLS from the first byte, usually port 465.
    Tls,
    /// No TLS: only for a local relay or tests.
    None,
}

/// `[notify.smtp]`, when `host` is set.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// The SMTP server.
    pub host: String,
    /// Its port.
    pub port: u16,
    /// STARTTLS, TLS or none.
    pub security: SmtpSecurity,
    /// The user name and password, when the server wants authentication.
    pub credentials: Option<(String, SecretString)>,
    /// The sender mailbox, e.g. `IT <it@contoso.com>`.
    pub from: String,
    /// The subject template.
    pub subject: MailTemplate,
    /// The body template (plain text).
    pub body: MailTemplate,
    /// The value of `{inviting_organisation}`.
    pub inviting_organisation: String,
    /// Timeout of one SMTP conversation.
    pub timeout: Duration,
    /// First wait after a failed send; doubles up to `retry_cap`.
    pub retry_base: Duration,
    /// Longest wait between two sends of one mail.
    pub retry_cap: Duration,
    /// Sends of one mail before it is given up.
    pub max_attempts: u32,
}

/// `[writeback]`, when enabled.
#[derive(Debug, Clone)]
pub struct WritebackSettings {
    /// The database; `None` = the source database (`source.url`).
    pub url: Option<SecretString>,
    /// The table name (letters, digits, `_`, optionally `schema.table`).
    pub table: String,
    /// Whether guestsync creates the table when it is missing.
    pub create_table: bool,
}

/// Parses `[notify.smtp]`; `None` inside when `host` is empty (no own mail).
pub fn parse_notify(raw: &RawNotify, problems: &mut Problems) -> Option<Option<SmtpSettings>> {
    let raw = &raw.smtp;
    let Some(host) = non_empty(&raw.host) else {
        return Some(None);
    };
    let security = match raw.security.as_str() {
        "starttls" => Some(SmtpSecurity::StartTls),
        "tls" => Some(SmtpSecurity::Tls),
        "none" => Some(SmtpSecurity::None),
        other => {
            let message = format!("\"{other}\" is not starttls, tls or none");
            problems.add("notify.smtp.security", message);
            None
        }
    };
    let from = non_empty(&raw.from);
    if from.is_none() {
        problems.add("notify.smtp.from", "is required with notify.smtp.host");
    }
    let subject = problems.check("notify.smtp.subject", MailTemplate::parse(&raw.subject));
    let body = problems.check("notify.smtp.template_path", body(&raw.template_path));
    let credentials = credentials(raw, problems);
    let timeout = problems.check("notify.smtp.timeout", positive(&raw.timeout));
    let retry_base = problems.check("notify.smtp.retry_base", positive(&raw.retry_base));
    let retry_cap = problems.check("notify.smtp.retry_cap", positive(&raw.retry_cap));
    let attempts = problems.check("notify.smtp.max_attempts", at_least_one(raw.max_attempts));
    Some(Some(SmtpSettings {
        host,
        port: raw.port,
        security: security?,
        credentials: credentials?,
        from: from?,
        subject: subject?,
        body: body?,
        inviting_organisation: raw.inviting_organisation.clone(),
        timeout: timeout?,
        retry_base: retry_base?,
        retry_cap: retry_cap?,
        max_attempts: attempts?,
    }))
}

fn body(path: &str) -> Result<MailTemplate, String> {
    let path = non_empty(path).ok_or("is required with notify.smtp.host")?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    MailTemplate::parse(&text).map_err(|e| format!("{path}: {e}"))
}

fn credentials(raw: &RawSmtp, problems: &mut Problems) -> Option<Option<(String, SecretString)>> {
    let inline = non_empty(raw.password.expose_secret());
    let file = non_empty(&raw.password_file);
    let password = match (inline, file) {
        (Some(_), Some(_)) => {
            let message = "set either password or password_file, not both";
            problems.add("notify.smtp.password_file", message);
            return None;
        }
        (Some(p), None) => Some(SecretString::from(p)),
        (None, Some(path)) => {
            Some(problems.check("notify.smtp.password_file", read_secret_file(&path))?)
        }
        (None, None) => None,
    };
    match (non_empty(&raw.username), password) {
        (Some(user), Some(password)) => Some(Some((user, password))),
        (None, None) => Some(None),
        (Some(_), None) => {
            problems.add(
                "notify.smtp.password",
                "is required with notify.smtp.username",
            );
            None
        }
        (None, Some(_)) => {
            problems.add("notify.smtp.username", "is required with a password");
            None
        }
    }
}

/// Parses `[writeback]`; `None` inside when it is off.
pub fn parse_writeback(
    raw: &RawWriteback,
    problems: &mut Problems,
) -> Option<Option<WritebackSettings>> {
    if !raw.enabled {
        return Some(None);
    }
    let url = non_empty(raw.url.expose_secret()).map(SecretString::from);
    let table = problems.check("writeback.table", table_name(&raw.table));
    Some(Some(WritebackSettings {
        url,
        table: table?,
        create_table: raw.create_table,
    }))
}

/// A table name guestsync may put into SQL text: `name` or `schema.name`, each part starting
/// with a letter or `_` and made of ASCII letters, digits and `_` (at most 63 characters).
fn table_name(text: &str) -> Result<String, String> {
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.len() <= 63
            && p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() <= 2 && parts.iter().all(|p| ok_part(p)) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "\"{text}\" is not a table name (letters, digits, _; optionally schema.table)"
        ))
    }
}
