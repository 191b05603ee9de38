//! Parsing of `[replicas]`: how several `guestsync run` processes on one PostgreSQL state
//! store tell themselves apart and hand leadership over.

use std::time::Duration;

use super::endpoints::{non_empty, positive};
use crate::settings::error::Problems;
use crate::settings::raw::RawReplicas;

/// The longest `replicas.id` (it is stored as a lease holder and shown by readiness).
const MAX_ID_LEN: usize = 64;

/// `[replicas]`.
#[derive(Debug, Clone)]
pub struct ReplicaSettings {
    /// This replica's name; `None` means `hostname-pid`.
    pub id: Option<String>,
    /// The leader lease: a replica that dies is replaced within this long.
    pub leader_lease: Duration,
}

/// Parses `[replicas]`.
pub fn parse_replicas(raw: &RawReplicas, problems: &mut Problems) -> Option<ReplicaSettings> {
    let id = non_empty(&raw.id);
    let id = match id {
        Some(id) if id.len() > MAX_ID_LEN || id.chars().any(char::is_control) => {
            problems.add(
                "replicas.id",
                format!("must be at most {MAX_ID_LEN} printable characters"),
            );
            None
        }
        other => Some(other),
    };
    let lease = problems.check("replicas.leader_lease", leader_lease(&raw.leader_lease));
    Some(ReplicaSettings {
        id: id?,
        leader_lease: lease?,
    })
}

/// A lease of at least 3 s: it is renewed every third of it.
fn leader_lease(text: &str) -> Result<Duration, String> {
    let lease = positive(text)?;
    if lease < Duration::from_secs(3) {
        return Err("must be at least 3s".into());
    }
    Ok(lease)
}
