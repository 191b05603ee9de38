//! Parsing of the sections that say where things are: `[graph]`, `[auth]`, `[state]`, `[source]`.

use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{AuthSettings, ClientCredential, GraphSettings, SourceSettings, StateSettings};
use crate::settings::duration::parse_duration;
use crate::settings::error::Problems;
use crate::settings::raw::{RawAuth, RawGraph, RawSource, RawState};

/// Parses `[graph]`, recording problems.
pub fn parse_graph(raw: &RawGraph, problems: &mut Problems) -> Option<GraphSettings> {
    let base_url = problems.check("graph.base_url", http_url(&raw.base_url));
    let request_timeout = problems.check("graph.request_timeout", positive(&raw.request_timeout));
    let connect_timeout = problems.check("graph.connect_timeout", positive(&raw.connect_timeout));
    let write = problems.check(
        "graph.write_budget_per_second",
        rate(raw.write_budget_per_second),
    );
    let read = problems.check(
        "graph.read_budget_per_second",
        rate(raw.read_budget_per_second),
    );
    let max_attempts = problems.check("graph.max_attempts", at_least_one(raw.max_attempts));
    let retry_base = problems.check("graph.retry_base", positive(&raw.retry_base));
    let retry_cap = problems.check("graph.retry_cap", positive(&raw.retry_cap));
    let retry_fallback = problems.check("graph.retry_fallback", positive(&raw.retry_fallback));
    let max_response = problems.check("graph.max_response_mib", mebibytes(raw.max_response_mib));
    Some(GraphSettings {
        base_url: base_url?,
        request_timeout: request_timeout?,
        connect_timeout: connect_timeout?,
        write_budget_per_second: write?,
        read_budget_per_second: read?,
        max_attempts: max_attempts?,
        retry_base: retry_base?,
        retry_cap: retry_cap?,
        retry_fallback: retry_fallback?,
        max_response_bytes: max_response?,
    })
}

/// A size of 1 to 1024 MiB, in bytes.
fn mebibytes(mib: u32) -> Result<usize, String> {
    match mib {
        1..=1024 => Ok(mib as usize * 1024 * 1024),
        _ => Err(format!("{mib} is not between 1 and 1024")),
    }
}

/// Parses `[auth]`, reading the secret and certificate files it names.
pub fn parse_auth(raw: &RawAuth, problems: &mut Problems) -> Option<AuthSettings> {
    let authority_url = problems.check("auth.authority_url", http_url(&raw.authority_url));
    let tenant_id = problems.check("auth.tenant_id", tenant(&raw.tenant_id));
    let client_id = non_empty(&raw.client_id);
    let credential = credential(raw, problems);
    Some(AuthSettings {
        authority_url: authority_url?,
        tenant_id: tenant_id?,
        client_id,
        credential: credential?,
    })
}

fn credential(raw: &RawAuth, problems: &mut Problems) -> Option<Option<ClientCredential>> {
    let inline = non_empty(raw.client_secret.expose_secret());
    let secret_file = non_empty(&raw.client_secret_file);
    let cert = non_empty(&raw.certificate_path);
    let key = non_empty(&raw.private_key_path);
    if inline.is_some() && secret_file.is_some() {
        problems.add(
            "auth.client_secret_file",
            "set either client_secret or client_secret_file, not both",
        );
        return None;
    }
    if (inline.is_some() || secret_file.is_some()) && (cert.is_some() || key.is_some()) {
        problems.add(
            "auth.certificate_path",
            "set either a client secret or a certificate, not both",
        );
        return None;
    }
    match (cert, key) {
        (Some(_), None) => {
            problems.add(
                "auth.private_key_path",
                "is required with auth.certificate_path",
            );
            return None;
        }
        (None, Some(_)) => {
            problems.add(
                "auth.certificate_path",
                "is required with auth.private_key_path",
            );
            return None;
        }
        (Some(cert), Some(key)) => {
            let certificate_pem =
                problems.check("auth.certificate_path", read_pem(&cert, "CERTIFICATE"));
            let private_key_pem =
                problems.check("auth.private_key_path", read_pem(&key, "PRIVATE KEY"));
            return Some(Some(ClientCredential::Certificate {
                certificate_pem: certificate_pem?,
                private_key_pem: SecretString::from(private_key_pem?),
            }));
        }
        (None, None) => {}
    }
    if let Some(path) = secret_file {
        let secret = problems.check("auth.client_secret_file", read_secret_file(&path))?;
        return Some(Some(ClientCredential::Secret(secret)));
    }
    Some(inline.map(|s| ClientCredential::Secret(SecretString::from(s))))
}

/// Parses `[state]`.
pub fn parse_state(raw: &RawState, problems: &mut Problems) -> Option<StateSettings> {
    let url = raw.url.expose_secret();
    let scheme_ok = ["sqlite:", "postgres:", "postgresql:"]
        .iter()
        .any(|s| url.starts_with(s));
    if !scheme_ok {
        problems.add("state.url", "must start with sqlite: or postgres:");
        return None;
    }
    Some(StateSettings {
        url: raw.url.clone(),
    })
}

/// Parses `[source]`.
pub fn parse_source(raw: &RawSource, problems: &mut Problems) -> Option<SourceSettings> {
    let url = non_empty(raw.url.expose_secret());
    if let Some(url) = &url {
        let schemes = ["sqlite:", "postgres:", "postgresql:", "mysql:", "mariadb:"];
        if !schemes.iter().any(|s| url.starts_with(s)) {
            problems.add(
                "source.url",
                "must start with sqlite:, postgres:, mysql: or mariadb:",
            );
        }
    }
    let statement_timeout =
        problems.check("source.statement_timeout", positive(&raw.statement_timeout));
    Some(SourceSettings {
        url: url.map(SecretString::from),
        query: non_empty(&raw.query),
        statement_timeout: statement_timeout?,
    })
}

/// An absolute http or https URL with a host.
pub(super) fn http_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("\"{text}\" is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(format!(
            "\"{text}\" must be an http or https URL with a host"
        ));
    }
    Ok(url)
}

/// A duration greater than zero.
pub(super) fn positive(text: &str) -> Result<std::time::Duration, String> {
    let duration = parse_duration(text)?;
    if duration.is_zero() {
        return Err("must be greater than zero".into());
    }
    Ok(duration)
}

fn rate(value: f64) -> Result<f64, String> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(format!("{value} is not a positive number"))
    }
}

pub(super) fn at_least_one(value: u32) -> Result<u32, String> {
    if value >= 1 {
        Ok(value)
    } else {
        Err("must be at least 1".into())
    }
}

pub(super) fn non_empty(text: &str) -> Option<String> {
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

fn tenant(text: &str) -> Result<Option<String>, String> {
    let Some(tenant) = non_empty(text) else {
        return Ok(None);
    };
    if tenant
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    {
        Ok(Some(tenant))
    } else {
        Err(format!("\"{tenant}\" is not a tenant id or domain"))
    }
}

pub(super) fn read_secret_file(path: &str) -> Result<SecretString, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let secret = text.trim_end_matches(['\r', '\n']);
    if secret.is_empty() {
        return Err(format!("{path} is empty"));
    }
    Ok(SecretString::from(secret.to_string()))
}

fn read_pem(path: &str, label: &str) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    if !text.contains(&format!("-----BEGIN {label}")) && !text.contains(&format!("{label}-----")) {
        return Err(format!("{path} holds no PEM {label}"));
    }
    Ok(text)
}
