//! Redemption tracking in the cycle: what the tenant read shows of each owned guest's
//! `externalUserState`, reduced to the links whose stored state differs (only changes are
//! written), and the counts by state the run records.

use std::collections::{BTreeMap, HashMap};

use crate::plan::ObservedGuest;
use crate::plan::hash::FastMap;
use crate::store::{Link, RedemptionObservation, RedemptionState};

/// What one tenant read says about the redemption of the owned guests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RedemptionSummary {
    /// Links whose state or Graph change time differs from what is stored.
    pub changes: Vec<RedemptionObservation>,
    /// Owned guests found in the tenant, by state.
    pub counts: BTreeMap<RedemptionState, u64>,
    /// The `userType` of each owned guest found, by anchor (for the write-back; a cycle
    /// without one leaves it empty).
    pub user_types: HashMap<String, String>,
}

impl RedemptionSummary {
    /// How many owned guests are in `state`.
    pub fn count(&self, state: RedemptionState) -> u64 {
        self.counts.get(&state).copied().unwrap_or(0)
    }
}

/// Compares the guests of a tenant read with the live links. A link whose guest the read did
/// not return is left as it is (the guest may be lagging or gone; the planner decides).
pub fn summarise(guests: &[ObservedGuest], links: &[Link]) -> RedemptionSummary {
    let mut tally = Tally::new(guests, true);
    links.iter().for_each(|link| tally.add(link));
    tally.finish()
}

/// [`summarise`] one link at a time, so the links need not all be held at once.
#[derive(Debug)]
pub struct Tally<'a> {
    guests: &'a [ObservedGuest],
    /// Object id → position of the last guest with it.
    by_id: FastMap<&'a str, u32>,
    summary: RedemptionSummary,
    user_types: bool,
}

impl<'a> Tally<'a> {
    /// A tally against the guests of one tenant read; `user_types`: whether to keep
    /// [`RedemptionSummary::user_types`].
    pub fn new(guests: &'a [ObservedGuest], user_types: bool) -> Self {
        let mut by_id = FastMap::default();
        by_id.reserve(guests.len());
        let positions = (0..).zip(guests);
        by_id.extend(positions.map(|(at, g): (u32, _)| (g.object_id.as_str(), at)));
        let summary = RedemptionSummary {
            changes: Vec::new(),
            counts: RedemptionState::ALL.into_iter().map(|s| (s, 0)).collect(),
            user_types: HashMap::new(),
        };
        Self {
            guests,
            by_id,
            summary,
            user_types,
        }
    }

    /// The position of the last guest with `object_id`.
    pub fn find(&self, object_id: &str) -> Option<u32> {
        self.by_id.get(object_id).copied()
    }

    /// Counts one link (a deleted one is skipped).
    pub fn add(&mut self, link: &Link) {
        self.add_found(link, self.find(&link.object_id));
    }

    /// [`Self::add`] for a link whose guest [`Self::find`] already returned.
    pub fn add_found(&mut self, link: &Link, found: Option<u32>) {
        if link.deleted_at.is_some() {
            return;
        }
        let Some(guest) = found.and_then(|at| self.guests.get(at as usize)) else {
            return;
        };
        let summary = &mut self.summary;
        let state = RedemptionState::from_graph(guest.external_user_state.as_deref());
        let changed_at = guest.external_user_state_changed_at;
        *summary.counts.entry(state).or_default() += 1;
        if let Some(user_type) = guest.user_type.as_ref().filter(|_| self.user_types) {
            summary
                .user_types
                .insert(link.anchor.clone(), user_type.clone());
        }
        if link.redemption_state != Some(state) || link.redemption_changed_at != changed_at {
            summary.changes.push(RedemptionObservation {
                anchor: link.anchor.clone(),
                state,
                changed_at,
            });
        }
    }

    /// The summary of every link added.
    pub fn finish(self) -> RedemptionSummary {
        self.summary
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;

    fn link(anchor: &str, id: &str, state: Option<RedemptionState>) -> Link {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        Link {
            anchor: anchor.into(),
            object_id: id.into(),
            user_principal_name: None,
            email: format!("{anchor}@example.com"),
            invited_at: None,
            redeem_url: None,
            disabled_by_us: false,
            last_applied: serde_json::json!({}),
            last_applied_at: t,
            deleted_at: None,
            redemption_state: state,
            redemption_changed_at: None,
            redemption_seen_at: None,
            reinvites: 0,
            reinvited_at: None,
            disabled_at: None,
            expired_at: None,
        }
    }

    fn guest(id: &str, state: Option<&str>) -> ObservedGuest {
        super::super::observed(crate::graph::GraphUser {
            id: id.into(),
            external_user_state: state.map(str::to_string),
            ..crate::graph::GraphUser::default()
        })
    }

    #[test]
    fn only_changed_owned_guests_are_written() {
        let links = vec![
            link("a", "1", Some(RedemptionState::Pending)),
            link("b", "2", None),
            link("c", "3", Some(RedemptionState::Pending)),
        ];
        let guests = vec![
            guest("1", Some("PendingAcceptance")),
            guest("2", Some("PendingAcceptance")),
            guest("3", Some("Accepted")),
            guest("9", Some("Accepted")),
        ];
        let summary = summarise(&guests, &links);
        let changed: Vec<_> = summary.changes.iter().map(|c| c.anchor.as_str()).collect();
        assert_eq!(changed, ["b", "c"]);
        assert_eq!(summary.count(RedemptionState::Pending), 2);
        assert_eq!(summary.count(RedemptionState::Accepted), 1);
    }
}
