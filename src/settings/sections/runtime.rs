//! Parsing of the sections that say how guestsync runs: `[invite]`, `[sync]`, `[workers]`,
//! `[safety]`, `[http]`, `[log]`.

use secrecy::{ExposeSecret, SecretString};

use super::endpoints::{at_least_one, http_url, non_empty, positive};
use super::{
    HttpSettings, InviteSettings, LogFormat, LogSettings, QuarantineSettings, SafetySettings,
    SyncSettings, WorkerSettings,
};
use crate::settings::error::Problems;
use crate::settings::raw::{
    RawHttp, RawInvite, RawLog, RawQuarantine, RawSafety, RawSync, RawWorkers,
};

/// Parses `[invite]`.
pub fn parse_invite(raw: &RawInvite, problems: &mut Problems) -> Option<InviteSettings> {
    let redirect_url = problems.check("invite.redirect_url", http_url(&raw.redirect_url));
    let user_type = match raw.invited_user_type.as_str() {
        "Guest" | "Member" => Some(raw.invited_user_type.clone()),
        other => {
            problems.add(
                "invite.invited_user_type",
                format!("\"{other}\" is not Guest or Member"),
            );
            None
        }
    };
    Some(InviteSettings {
        redirect_url: redirect_url?,
        send_invitation_message: raw.send_invitation_message,
        invited_user_type: user_type?,
    })
}

/// Parses `[sync]`.
pub fn parse_sync(raw: &RawSync, problems: &mut Problems) -> Option<SyncSettings> {
    let interval = problems.check("sync.interval", positive(&raw.interval));
    let window = problems.check("sync.replication_window", positive(&raw.replication_window));
    Some(SyncSettings {
        interval: interval?,
        replication_window: window?,
    })
}

/// Parses `[workers]`.
pub fn parse_workers(raw: &RawWorkers, problems: &mut Problems) -> Option<WorkerSettings> {
    let count = match raw.count {
        1..=256 => Some(raw.count),
        other => {
            problems.add("workers.count", format!("{other} is not between 1 and 256"));
            None
        }
    };
    let lease = problems.check("workers.lease", positive(&raw.lease));
    let max_attempts = problems.check("workers.max_attempts", at_least_one(raw.max_attempts));
    Some(WorkerSettings {
        count: count?,
        lease: lease?,
        max_attempts: max_attempts?,
    })
}

/// Parses `[safety]`.
pub fn parse_safety(raw: &RawSafety, problems: &mut Problems) -> Option<SafetySettings> {
    let percent = raw.max_disable_percent;
    if !(0.0..=100.0).contains(&percent) {
        problems.add(
            "safety.max_disable_percent",
            format!("{percent} is not between 0 and 100"),
        );
        return None;
    }
    Some(SafetySettings {
        max_disables: raw.max_disables,
        max_disable_percent: percent,
    })
}

/// Parses `[http]`: the admin token comes from `admin_token` or `admin_token_file`, not both.
pub fn parse_http(raw: &RawHttp, problems: &mut Problems) -> Option<HttpSettings> {
    let listen = problems.check(
        "http.listen",
        raw.listen.trim().parse().map_err(|_| {
            format!(
                "\"{}\" is not an address such as 127.0.0.1:8080",
                raw.listen
            )
        }),
    );
    let inline = non_empty(raw.admin_token.expose_secret());
    let (key, token) = match (inline, non_empty(&raw.admin_token_file)) {
        (Some(_), Some(_)) => {
            problems.add(
                "http.admin_token_file",
                "set either admin_token or admin_token_file, not both",
            );
            return None;
        }
        (None, Some(path)) => (
            "http.admin_token_file",
            Some(problems.check("http.admin_token_file", read_token_file(&path))?),
        ),
        (inline, None) => ("http.admin_token", inline),
    };
    if token.as_ref().is_some_and(|t| t.len() < 16) {
        problems.add(key, "must be at least 16 characters");
        return None;
    }
    Some(HttpSettings {
        listen: listen?,
        admin_token: token.map(SecretString::from),
    })
}

fn read_token_file(path: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let token = text.trim_end_matches(['\r', '\n']);
    if token.is_empty() {
        return Err(format!("{path} is empty"));
    }
    Ok(token.to_string())
}

/// Parses `[quarantine]`.
pub fn parse_quarantine(
    raw: &RawQuarantine,
    problems: &mut Problems,
) -> Option<QuarantineSettings> {
    let retry_every = problems.check("quarantine.retry_every", positive(&raw.retry_every));
    if !(raw.error_ratio > 0.0 && raw.error_ratio < 1.0) {
        problems.add(
            "quarantine.error_ratio",
            format!("{} is not between 0 and 1 (exclusive)", raw.error_ratio),
        );
        return None;
    }
    let min_failures = problems.check(
        "quarantine.min_failures",
        at_least_one_u64(raw.min_failures),
    );
    Some(QuarantineSettings {
        retry_every: retry_every?,
        error_ratio: raw.error_ratio,
        min_failures: min_failures?,
    })
}

fn at_least_one_u64(n: u64) -> Result<u64, String> {
    if n == 0 {
        Err("must be at least 1".into())
    } else {
        Ok(n)
    }
}

/// Parses `[log]`.
pub fn parse_log(raw: &RawLog, problems: &mut Problems) -> Option<LogSettings> {
    let format = match raw.format.as_str() {
        "auto" => Some(LogFormat::Auto),
        "text" => Some(LogFormat::Text),
        "json" => Some(LogFormat::Json),
        other => {
            problems.add(
                "log.format",
                format!("\"{other}\" is not auto, text or json"),
            );
            None
        }
    };
    if let Err(e) = tracing_subscriber::EnvFilter::try_new(&raw.level) {
        problems.add(
            "log.level",
            format!("\"{}\" is not a log filter: {e}", raw.level),
        );
        return None;
    }
    Some(LogSettings {
        level: raw.level.clone(),
        format: format?,
    })
}
