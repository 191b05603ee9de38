//! Lookup indexes over one planning input and e-mail matching: which guest a link points to,
//! which anchor owns a guest, and which unowned guest an unlinked identity may adopt.
//! E-mail match keys are trimmed and lower-cased (Entra matches case-insensitively).

use std::borrow::Cow;

use super::actions::ConflictReason;
use super::hash::FastMap;
use super::keys::{KeyTable, NONE};
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

/// Per-anchor facts: the last link for it and how often it is desired.
#[derive(Debug, Clone, Copy)]
struct AnchorSlot {
    link: u32,
    desired: u32,
}

/// Per-object-id facts: the last observed guest and the last link with that id.
#[derive(Debug, Clone, Copy)]
struct ObjectSlot {
    guest: u32,
    owner: u32,
}

/// Lookup tables over one [`PlanInput`]: every anchor and object id is hashed once, then the
/// planner reads per-record facts by position.
#[derive(Debug)]
pub(crate) struct Index<'a> {
    input: &'a PlanInput,
    anchors: Vec<AnchorSlot>,
    objects: KeyTable<'a>,
    object_slots: Vec<ObjectSlot>,
    /// Per desired identity: its anchor slot.
    desired_anchor: Vec<u32>,
    /// Per link: its anchor slot and the observed guest with its object id.
    link_anchor: Vec<u32>,
    link_guest: Vec<u32>,
    /// Match keys of identities that own no observed guest → those anchors.
    wanted: FastMap<Cow<'a, str>, Vec<&'a Anchor>>,
    /// Guests carrying a wanted key.
    by_key: FastMap<Cow<'a, str>, Vec<&'a ObservedGuest>>,
}

fn at<T>(records: &[T], index: u32) -> Option<&T> {
    records.get(index as usize)
}

impl<'a> Index<'a> {
    /// Builds the tables; only guests whose addresses someone wants are indexed by e-mail.
    pub(crate) fn build(input: &'a PlanInput) -> Self {
        let mut index = Self::build_keys(input);
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

    fn build_keys(input: &'a PlanInput) -> Self {
        let (observed, links) = (&input.observed, &input.links);
        let mut objects = KeyTable::with_capacity(observed.len() + links.len() / 64);
        let mut object_slots = Vec::with_capacity(observed.len());
        let empty = ObjectSlot {
            guest: NONE,
            owner: NONE,
        };
        for (position, guest) in observed.iter().enumerate() {
            let slot = objects.intern(&guest.object_id) as usize;
            object_slots.resize(objects.len(), empty);
            object_slots[slot].guest = position as u32;
        }
        let mut anchors = KeyTable::with_capacity(links.len() + input.desired.len() / 64);
        let mut anchor_slots = Vec::with_capacity(links.len() + input.desired.len() / 64);
        let unlinked = AnchorSlot {
            link: NONE,
            desired: 0,
        };
        let mut link_anchor = Vec::with_capacity(links.len());
        let mut link_guest = Vec::with_capacity(links.len());
        for (position, link) in links.iter().enumerate() {
            let slot = objects.intern(&link.object_id) as usize;
            object_slots.resize(objects.len(), empty);
            object_slots[slot].owner = position as u32;
            link_guest.push(object_slots[slot].guest);
            let anchor = anchors.intern(link.anchor.as_str());
            anchor_slots.resize(anchors.len(), unlinked);
            anchor_slots[anchor as usize].link = position as u32;
            link_anchor.push(anchor);
        }
        let mut desired_anchor = Vec::with_capacity(input.desired.len());
        for identity in &input.desired {
            let anchor = anchors.intern(identity.anchor.as_str());
            anchor_slots.resize(anchors.len(), unlinked);
            anchor_slots[anchor as usize].desired += 1;
            desired_anchor.push(anchor);
        }
        Index {
            input,
            anchors: anchor_slots,
            objects,
            object_slots,
            desired_anchor,
            link_anchor,
            link_guest,
            wanted: FastMap::default(),
            by_key: FastMap::default(),
        }
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

    fn desired_slot(&self, position: usize) -> Option<&AnchorSlot> {
        let slot = *self.desired_anchor.get(position)?;
        at(&self.anchors, slot)
    }

    /// How often the anchor of the desired identity at `position` is desired.
    pub(crate) fn desired_count(&self, position: usize) -> u32 {
        self.desired_slot(position).map_or(0, |s| s.desired)
    }

    /// The link of the desired identity at `position`, and its observed guest.
    pub(crate) fn linked(&self, position: usize) -> Option<Linked<'a>> {
        let link = *self.desired_slot(position)?;
        let link_position = link.link;
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
        self.link_anchor
            .get(position)
            .and_then(|slot| at(&self.anchors, *slot))
            .is_some_and(|s| s.desired > 0)
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
        let slot = at(&self.object_slots, self.objects.get(object_id)?)?;
        at(&self.input.links, slot.owner).map(|l| &l.anchor)
    }
}
