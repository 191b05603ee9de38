//! Lookup indexes over one planning input and e-mail matching: which guest a link points to,
//! which anchor owns a guest, and which unowned guest an unlinked identity may adopt.
//! E-mail match keys are trimmed and lower-cased (Entra matches case-insensitively).

use std::borrow::Cow;

use super::actions::ConflictReason;
use super::hash::FastMap;
use super::model::{LinkState, ObservedGuest, PlanInput};
use crate::identity::{Anchor, Identity};

/// The e-mail match key: trimmed and lower-cased; borrowed when already lower-case ASCII.
pub(crate) fn match_key(raw: &str) -> Cow<'_, str> {
    let trimmed = raw.trim();
    if trimmed
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(trimmed)
    } else {
        Cow::Owned(trimmed.to_lowercase())
    }
}

/// Every match key of a guest (`mail` and `otherMails`), without duplicates.
fn guest_keys(guest: &ObservedGuest) -> Vec<Cow<'_, str>> {
    let mut keys: Vec<Cow<'_, str>> = Vec::with_capacity(1 + guest.other_mails.len());
    for raw in guest.mail.iter().chain(guest.other_mails.iter()) {
        let key = match_key(raw);
        if !key.is_empty() && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// What e-mail matching found for an identity that owns no observed guest.
#[derive(Debug)]
pub(crate) enum MatchOutcome<'a> {
    /// No guest carries the address.
    NoGuest,
    /// Exactly one adoptable guest.
    Adoptable(&'a ObservedGuest),
    /// Held: no action.
    Conflict(ConflictReason),
}

/// Lookup maps over one [`PlanInput`].
#[derive(Debug)]
pub(crate) struct Index<'a> {
    guests: FastMap<&'a str, &'a ObservedGuest>,
    links: FastMap<&'a str, &'a LinkState>,
    owners: FastMap<&'a str, &'a Anchor>,
    desired: FastMap<&'a str, u32>,
    /// Match keys of identities that own no observed guest → those anchors.
    wanted: FastMap<Cow<'a, str>, Vec<&'a Anchor>>,
    /// Guests carrying a wanted key.
    by_key: FastMap<Cow<'a, str>, Vec<&'a ObservedGuest>>,
}

impl<'a> Index<'a> {
    /// Builds the maps; only guests whose addresses someone wants are indexed by e-mail.
    pub(crate) fn build(input: &'a PlanInput) -> Self {
        let mut index = Index {
            guests: input
                .observed
                .iter()
                .map(|g| (g.object_id.as_str(), g))
                .collect(),
            links: input.links.iter().map(|l| (l.anchor.as_str(), l)).collect(),
            owners: input
                .links
                .iter()
                .map(|l| (l.object_id.as_str(), &l.anchor))
                .collect(),
            desired: FastMap::default(),
            wanted: FastMap::default(),
            by_key: FastMap::default(),
        };
        index.desired.reserve(input.desired.len());
        for identity in &input.desired {
            *index.desired.entry(identity.anchor.as_str()).or_insert(0) += 1;
            if index.owned_guest(&identity.anchor).is_none() {
                let key = match_key(identity.email.as_str());
                index.wanted.entry(key).or_default().push(&identity.anchor);
            }
        }
        if !index.wanted.is_empty() {
            index.index_wanted_guests(&input.observed);
        }
        index
    }

    fn index_wanted_guests(&mut self, observed: &'a [ObservedGuest]) {
        for guest in observed {
            for key in guest_keys(guest) {
                if self.wanted.contains_key(&key) {
                    self.by_key.entry(key).or_default().push(guest);
                }
            }
        }
    }

    /// The link of `anchor`, if any.
    pub(crate) fn link(&self, anchor: &Anchor) -> Option<&'a LinkState> {
        self.links.get(anchor.as_str()).copied()
    }

    /// The observed guest with this object id.
    pub(crate) fn guest(&self, object_id: &str) -> Option<&'a ObservedGuest> {
        self.guests.get(object_id).copied()
    }

    /// The observed guest `anchor` is linked to, if both exist.
    pub(crate) fn owned_guest(&self, anchor: &Anchor) -> Option<&'a ObservedGuest> {
        self.link(anchor).and_then(|l| self.guest(&l.object_id))
    }

    /// How often `anchor` appears among the desired identities.
    pub(crate) fn desired_count(&self, anchor: &Anchor) -> u32 {
        self.desired.get(anchor.as_str()).copied().unwrap_or(0)
    }

    /// Finds the guest an identity without an observed owned guest may adopt.
    pub(crate) fn match_unlinked(&self, identity: &Identity) -> MatchOutcome<'a> {
        let key = match_key(identity.email.as_str());
        let candidates = self.by_key.get(&key).map(Vec::as_slice).unwrap_or(&[]);
        let guest = match candidates {
            [] => return MatchOutcome::NoGuest,
            [one] => *one,
            many => {
                return MatchOutcome::Conflict(ConflictReason::AmbiguousMatch {
                    candidates: many.len(),
                });
            }
        };
        match self.adoption_conflict(guest, &identity.anchor) {
            Some(reason) => MatchOutcome::Conflict(reason),
            None => MatchOutcome::Adoptable(guest),
        }
    }

    fn adoption_conflict(&self, guest: &ObservedGuest, anchor: &Anchor) -> Option<ConflictReason> {
        let object_id = guest.object_id.clone();
        if let Some(owner) = self.owners.get(guest.object_id.as_str())
            && *owner != anchor
        {
            let other_anchor = (*owner).clone();
            return Some(ConflictReason::LinkedToOtherAnchor {
                object_id,
                other_anchor,
            });
        }
        if !guest.is_invited() {
            return Some(ConflictReason::NotAnInvitedGuest { object_id });
        }
        let shared = guest_keys(guest).iter().any(|key| {
            self.wanted
                .get(key)
                .is_some_and(|anchors| anchors.iter().any(|a| *a != anchor))
        });
        shared.then_some(ConflictReason::SharedGuest { object_id })
    }
}
