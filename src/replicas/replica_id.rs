//! The name a replica goes by in the leader lease, its workers' lease owners and readiness:
//! `replicas.id` when set, else `hostname-pid` (unique per process on one host).

/// `configured` when set, else `hostname-pid`.
pub fn replica_id(configured: Option<&str>) -> String {
    match configured {
        Some(id) => id.to_string(),
        None => format!("{}-{}", hostname(), std::process::id()),
    }
}

/// The host name from the kernel, `$HOSTNAME`, or `guestsync` when neither is known.
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "guestsync".to_string())
}

#[cfg(test)]
mod tests {
    use super::replica_id;

    #[test]
    fn a_configured_id_wins_else_host_and_pid() {
        assert_eq!(replica_id(Some("blue")), "blue");
        let id = replica_id(None);
        assert!(id.ends_with(&format!("-{}", std::process::id())), "{id}");
        assert!(id.len() > std::process::id().to_string().len() + 1, "{id}");
    }
}
