//! The stored links as one cycle uses them, made one link at a time while the store streams
//! them: the planner's [`LinkState`]s, the redemption [`Tally`] and the owned and invited
//! counts. Each [`Link`] (with its `last_applied` JSON) is dropped once converted, so a large
//! table is never held both as links and as link states.

use super::Redemption;
use super::convert::link_state;
use super::metrics;
use super::redemption::{RedemptionSummary, Tally};
use crate::plan::{LinkState, ObservedGuest};
use crate::store::Link;

/// The links seen so far, against the guests of one tenant read.
#[derive(Debug)]
pub(super) struct OwnedLinks<'a> {
    tally: Tally<'a>,
    states: Vec<LinkState>,
    /// Per link state, the position of its guest in the tenant read (`u32::MAX`: none).
    guests: Vec<u32>,
    owned: u64,
    invited: u64,
}

/// What the links of a cycle came to.
pub(super) struct Owned {
    /// The planner's links (links whose anchor or address no longer parses are left out).
    pub links: Vec<LinkState>,
    /// Per link, the position of the last guest with its object id (`u32::MAX`: none), for
    /// [`crate::plan::plan_with_link_guests`].
    pub link_guests: Vec<u32>,
    /// The redemption changes and counts.
    pub redemption: RedemptionSummary,
    /// The funnel for the cycle report.
    pub funnel: Redemption,
}

impl<'a> OwnedLinks<'a> {
    /// `user_types`: whether the redemption summary keeps each guest's `userType` (the
    /// write-back needs them).
    pub(super) fn new(guests: &'a [ObservedGuest], user_types: bool) -> Self {
        Self {
            tally: Tally::new(guests, user_types),
            states: Vec::new(),
            guests: Vec::new(),
            owned: 0,
            invited: 0,
        }
    }

    /// Takes in one link, in anchor order.
    pub(super) fn add(&mut self, link: Link) {
        let found = self.tally.find(&link.object_id);
        self.tally.add_found(&link, found);
        if link.deleted_at.is_none() {
            self.owned += 1;
            self.invited += u64::from(link.invited_at.is_some());
        }
        if let Some(state) = link_state(&link) {
            self.states.push(state);
            self.guests.push(found.unwrap_or(u32::MAX));
        }
    }

    /// The links and their redemption; sets the owned-guest gauges.
    pub(super) fn finish(self) -> Owned {
        let redemption = self.tally.finish();
        let funnel = metrics::owned_guests(&redemption, self.owned, self.invited);
        Owned {
            links: self.states,
            link_guests: self.guests,
            redemption,
            funnel,
        }
    }
}
