//! Redemption tracking: what the cycles saw of each owned guest's `externalUserState`, stored on
//! its link (`redemption_state`, `redemption_changed_at`, `redemption_seen_at`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A guest's redemption state, as a bounded set (it is a metric label and a stored value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedemptionState {
    /// `PendingAcceptance`: invited, not redeemed yet.
    Pending,
    /// `Accepted`: redeemed.
    Accepted,
    /// `null`, or not observed yet.
    Unknown,
    /// Any other value Graph may return.
    Other,
}

impl RedemptionState {
    /// Every state, in order.
    pub const ALL: [RedemptionState; 4] = [
        RedemptionState::Pending,
        RedemptionState::Accepted,
        RedemptionState::Unknown,
        RedemptionState::Other,
    ];

    /// The stored name (also the metric label value).
    pub fn as_str(self) -> &'static str {
        match self {
            RedemptionState::Pending => "pending",
            RedemptionState::Accepted => "accepted",
            RedemptionState::Unknown => "unknown",
            RedemptionState::Other => "other",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Graph's `externalUserState`, compared case- and space-insensitively (graph.md §2:
    /// "Pending Acceptance" appears in documentation text).
    pub fn from_graph(value: Option<&str>) -> Self {
        let Some(value) = value else {
            return RedemptionState::Unknown;
        };
        let squeezed: String = value.chars().filter(|c| !c.is_whitespace()).collect();
        if squeezed.eq_ignore_ascii_case("PendingAcceptance") {
            RedemptionState::Pending
        } else if squeezed.eq_ignore_ascii_case("Accepted") {
            RedemptionState::Accepted
        } else {
            RedemptionState::Other
        }
    }
}

impl std::fmt::Display for RedemptionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one cycle saw of one owned guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedemptionObservation {
    /// The link's anchor.
    pub anchor: String,
    /// The state.
    pub state: RedemptionState,
    /// Graph's `externalUserStateChangeDateTime`.
    pub changed_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::RedemptionState;

    #[test]
    fn graph_values_map_to_bounded_states() {
        let s = |v| RedemptionState::from_graph(v);
        assert_eq!(s(Some("PendingAcceptance")), RedemptionState::Pending);
        assert_eq!(s(Some("Pending Acceptance")), RedemptionState::Pending);
        assert_eq!(s(Some("accepted")), RedemptionState::Accepted);
        assert_eq!(s(None), RedemptionState::Unknown);
        assert_eq!(s(Some("a@b.example")), RedemptionState::Other);
        for state in RedemptionState::ALL {
            assert_eq!(RedemptionState::parse(state.as_str()), Some(state));
        }
    }
}
