//! Write-back rows: what guestsync knows of one anchor, from its link and its queue item.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use crate::store::{ItemRecord, Link};

/// One row of the write-back table.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct WriteBackRow {
    /// The anchor (the key).
    pub anchor: String,
    /// The guest's object id.
    pub object_id: String,
    /// The guest's UPN, when known.
    pub user_principal_name: Option<String>,
    /// `Guest` or `Member`, when known.
    pub user_type: Option<String>,
    /// The redeem URL of the last invitation (sensitive).
    pub redeem_url: Option<String>,
    /// The redemption state (pending, accepted, unknown, other).
    pub redemption_state: Option<String>,
    /// Graph's time of the last redemption state change.
    pub redemption_changed_at: Option<DateTime<Utc>>,
    /// When guestsync last wrote the guest.
    pub last_sync_at: DateTime<Utc>,
    /// The item's last error (`code: message`), if any.
    pub last_error: Option<String>,
}

impl std::fmt::Debug for WriteBackRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBackRow")
            .field("anchor", &self.anchor)
            .field("object_id", &self.object_id)
            .field(
                "redeem_url",
                &self.redeem_url.as_ref().map(|_| "<redacted>"),
            )
            .field("redemption_state", &self.redemption_state)
            .finish_non_exhaustive()
    }
}

impl WriteBackRow {
    /// A hash of every column, to skip rows that did not change.
    pub fn digest(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut hasher);
        hasher.finish()
    }
}

/// The row of a live link, with its item (for the last error) and the guest's user type.
pub fn row_for(link: &Link, item: Option<&ItemRecord>, user_type: Option<&str>) -> WriteBackRow {
    WriteBackRow {
        anchor: link.anchor.clone(),
        object_id: link.object_id.clone(),
        user_principal_name: link.user_principal_name.clone(),
        user_type: user_type.map(str::to_string),
        redeem_url: link.redeem_url.as_ref().map(|u| u.expose().to_string()),
        redemption_state: link.redemption_state.map(|s| s.as_str().to_string()),
        redemption_changed_at: link.redemption_changed_at,
        last_sync_at: link.last_applied_at,
        last_error: item
            .and_then(|i| i.last_error.as_ref())
            .map(|e| format!("{}: {}", e.code, e.message)),
    }
}
