//! The leader lease: which replica runs the cycles. One row per role; a replica holds it until
//! `lease_until` and must renew it before then. Time is always the caller's `now`.

use chrono::{DateTime, Utc};

/// The role the lease is for: the replica that reads the source, plans, records and rescues.
pub const CYCLE_ROLE: &str = "cycle";

/// The leader lease as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderLease {
    /// The replica holding it (`replicas.id`).
    pub holder: String,
    /// The fencing token: it grows each time another replica takes the lease over.
    pub epoch: i64,
    /// When the current holder took it.
    pub acquired_at: DateTime<Utc>,
    /// When it lapses unless renewed.
    pub lease_until: DateTime<Utc>,
}

impl LeaderLease {
    /// Whether the lease is still in force at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.lease_until > now
    }
}
