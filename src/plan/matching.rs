//! Lookup indexes over one planning input and e-mail matching: which guest a link points to,
//! which anchor owns a guest, and which unowned guest an unlinked identity may adopt.
//! E-mail match keys are trimmed and lower-cased (Entra matches case-insensitively).

use std::borrow::Cow;
use std::cell::OnceCell;

use super::actions::ConflictReason;
use super::hash::FastMap;
use super::keys::{KeyTable, join, strictly_sorted};
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

/// The stored link of a desired identity and the observed guest it points to, if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Linked<'a> {
    /// The link (the last one stored for the anchor).
    pub link: &'a LinkState,
    /// The observed guest with the link's object id.
    pub guest: Option<&'a ObservedGuest>,
}

/// Lookup tables over one [`PlanInput`], by record position: each anchor and object id is
/// joined once (see [`join`]); per-record facts are then read by position.
#[derive(Debug)]
pub(crate) struct Index<'a> {
    input: &'a PlanInput,
    /// Per desired identity: its link's position, and whether its anchor is desired again.
    desired_link: Vec<u32>,
    desired_dup: Vec<bool>,
    /// Per link: whether its anchor is desired, and its observed guest's position.
    link_desired: Vec<bool>,
    link_guest: Vec<u32>,
    /// Object id → the anchor of the last link to it; built on first use (adoptions only).
    owners: OnceCell<FastMap<&'a str, &'a Anchor>>,
    /// Match keys of identities that own no observed guest → those anchors.
    wanted: FastMap<Cow<'a, str>, Vec<&'a Anchor>>,
    /// Guests carrying a wanted key.
    by_key: FastMap<Cow<'a, str>, Vec<&'a ObservedGuest>>,
}

fn at<T>(records: &[T], index: u32) -> Option<&T> {
    records.get(index as usize)
}

/// Per record, whether another record has the same key.
fn duplicates<'a, T>(records: &'a [T], key: impl Fn(&'a T) -> &'a str) -> Vec<bool> {
    if strictly_sorted(records.iter().map(&key)) {
        return vec![false; records.len()];
    }
    let mut table = KeyTable::with_capacity(records.len());
    let slots: Vec<u32> = records.iter().map(|r| table.intern(key(r))).collect();
    let mut count = vec![0u32; table.len()];
    slots.iter().for_each(|&s| count[s as usize] += 1);
    slots.iter().map(|&s| count[s as usize] > 1).collect()
}

impl<'a> Index<'a> {
    /// Builds the tables; only guests whose addresses someone wants are indexed by e-mail.
    /// `link_guest`: per link, the position of the last observed guest with its object id
    /// ([`super::keys::NONE`] for none), when the caller already knows it; joined here if not.
    pub(crate) fn build(input: &'a PlanInput, link_guest: Option<Vec<u32>>) -> Self {
        let anchor = |r: &'a LinkState| r.anchor.as_str();
        let object_id = |r: &'a ObservedGuest| r.object_id.as_str();
        let (desired_link, link_desired) =
            join(&input.desired, |i| i.anchor.as_str(), &input.links, anchor);
        let link_guest = link_guest.unwrap_or_else(|| {
            join(
                &input.links,
                |l| l.object_id.as_str(),
                &input.observed,
                object_id,
            )
            .0
        });
        let mut index = Index {
            input,
            desired_link,
            desired_dup: duplicates(&input.desired, |i| i.anchor.as_str()),
            link_desired,
            link_guest,
            owners: OnceCell::new(),
            wanted: FastMap::default(),
            by_key: FastMap::default(),
        };
        for (position, identity) in input.desired.iter().enumerate() {
            if index.linked(position).and_then(|l| l.guest).is_none() {
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

    /// Whether the anchor of the desired identity at `position` is desired more than once.
    pub(crate) fn is_duplicate(&self, position: usize) -> bool {
        self.desired_dup.get(position).copied().unwrap_or(false)
    }

    /// The link of the desired identity at `position`, and its observed guest.
    pub(crate) fn linked(&self, position: usize) -> Option<Linked<'a>> {
        let link_position = *self.desired_link.get(position)?;
        let link = at(&self.input.links, link_position)?;
        Some(Linked {
            link,
            guest: self.link_guest(link_position as usize),
        })
    }

    /// The observed guest with the object id of the link at `position`.
    pub(crate) fn link_guest(&self, position: usize) -> Option<&'a ObservedGuest> {
        let guest = *self.link_guest.get(position)?;
        at(&self.input.observed, guest)
    }

    /// Whether the anchor of the link at `position` is among the desired identities.
    pub(crate) fn link_is_desired(&self, position: usize) -> bool {
        self.link_desired.get(position).copied().unwrap_or(false)
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
        if let Some(owner) = self.owner(&guest.object_id)
            && owner != anchor
        {
            let other_anchor = owner.clone();
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

    /// The anchor of the last link to `object_id`.
    fn owner(&self, object_id: &str) -> Option<&'a Anchor> {
        let input = self.input;
        let owners = self.owners.get_or_init(|| {
            let mut owners = FastMap::default();
            owners.reserve(input.links.len());
            for link in &input.links {
                owners.insert(link.object_id.as_str(), &link.anchor);
            }
            owners
        });
        owners.get(object_id).copied()
    }
}
