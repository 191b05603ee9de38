//! `guestsync health`: probes the daemon's readiness endpoint for a container HEALTHCHECK.
//! Prints the answer; exit 0 when ready, 1 when not ready or unreachable.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::HealthArgs;
use crate::settings::Settings;

/// How long the probe waits for an answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Probes `--url`, or `/health/ready` on `http.listen` from the configuration.
pub async fn health(
    config: Option<&std::path::Path>,
    args: HealthArgs,
) -> anyhow::Result<ExitCode> {
    let url = match args.url {
        Some(url) => url,
        None => ready_url(Settings::load(config)?.http.listen),
    };
    let client = reqwest::Client::builder().timeout(TIMEOUT).build()?;
    let response = match client.get(&url).send().await {
        Ok(response) => response,
        Err(error) => {
            eprintln!("not ready: cannot reach {url}: {error}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    println!("{body}");
    if status.is_success() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("not ready: {url} answered {status}");
        Ok(ExitCode::FAILURE)
    }
}

/// The readiness URL of a daemon listening on `listen` (an unspecified address is probed on
/// the loopback).
pub fn ready_url(listen: SocketAddr) -> String {
    let ip = match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/health/ready", SocketAddr::new(ip, listen.port()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unspecified_listen_addresses_are_probed_on_the_loopback() {
        assert_eq!(
            ready_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080/health/ready"
        );
        assert_eq!(
            ready_url("[::]:9000".parse().unwrap()),
            "http://[::1]:9000/health/ready"
        );
        assert_eq!(
            ready_url("10.0.0.5:80".parse().unwrap()),
            "http://10.0.0.5:80/health/ready"
        );
    }
}
