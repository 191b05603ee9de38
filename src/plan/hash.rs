//! Hashing for the planner: the stable `desired_hash` of a planned action (SHA-256 of a
//! length-prefixed canonical encoding, independent of serde and of process) and a fast,
//! non-cryptographic hasher for the planner's lookup maps (never iterated into output).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use sha2::{Digest, Sha256};

use super::actions::Action;
use crate::identity::{Anchor, Attributes, Identity};

/// A `HashMap` with [`FxHasher`]: for lookups only; iteration order must never reach output.
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The Fx hash (as in rustc): fast for short keys; the inputs are our own data, not an attacker's.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// Fx's last multiply leaves the low bits (the bucket index) weak for keys that differ
    /// only near their end (numbered anchors, object ids): mix them in (murmur3's fmix64).
    fn finish(&self) -> u64 {
        let mut h = self.hash;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The stable hash of one planned action: anchor, action and desired state, as lower-case hex.
pub fn desired_hash(anchor: &Anchor, action: &Action, desired: Option<&Identity>) -> String {
    let mut h = Sha256::new();
    field(&mut h, anchor.as_str());
    feed_action(&mut h, action);
    match desired {
        None => field(&mut h, "-"),
        Some(identity) => {
            field(&mut h, "+");
            field(&mut h, identity.anchor.as_str());
            field(&mut h, identity.email.as_str());
            feed_attributes(&mut h, &identity.attributes);
            feed_extras(&mut h, identity);
        }
    }
    format!("{:x}", h.finalize())
}

fn field(h: &mut Sha256, text: &str) {
    h.update((text.len() as u64).to_le_bytes());
    h.update(text.as_bytes());
}

/// Attributes without `null` entries hash as they always did; a `null` is its name and a
/// length no text can have.
fn feed_attributes(h: &mut Sha256, attributes: &Attributes) {
    h.update((attributes.entries().count() as u64).to_le_bytes());
    for (property, entry) in attributes.entries() {
        field(h, property.graph_name());
        match entry {
            Some(value) => field(h, value),
            None => h.update(u64::MAX.to_le_bytes()),
        }
    }
}

/// The per-row invitation options, only when the row has some (so the hash of a row without
/// them is unchanged).
fn feed_extras(h: &mut Sha256, identity: &Identity) {
    let extras = &identity.extras;
    if extras.is_empty() {
        return;
    }
    field(h, "extras");
    field(h, extras.user_type().map_or("", |t| t.as_str()));
    field(h, extras.redirect_url().unwrap_or_default());
}

fn feed_action(h: &mut Sha256, action: &Action) {
    field(h, action.kind_name());
    match action {
        Action::Invite { email, attributes } => {
            field(h, email.as_str());
            feed_attributes(h, attributes);
        }
        Action::Adopt { object_id, changes }
        | Action::Update { object_id, changes }
        | Action::Enable { object_id, changes } => {
            field(h, object_id);
            feed_attributes(h, changes);
        }
        Action::Disable { object_id } | Action::Delete { object_id } => field(h, object_id),
        Action::Expire { object_id, delete } => {
            field(h, object_id);
            h.update([u8::from(*delete)]);
        }
        Action::Renew {
            object_id,
            email,
            round,
        } => {
            field(h, object_id);
            field(h, email.as_str());
            h.update(u64::from(*round).to_le_bytes());
        }
        Action::Restore {
            object_id,
            email,
            attributes,
        } => {
            field(h, object_id);
            field(h, email.as_str());
            feed_attributes(h, attributes);
        }
        Action::ChangeEmail {
            object_id,
            email,
            changes,
            reset_redemption,
            enable,
        } => {
            field(h, object_id);
            field(h, email.as_str());
            feed_attributes(h, changes);
            h.update([u8::from(*reset_redemption), u8::from(*enable)]);
        }
        Action::ResetRedemption { object_id, email } => {
            field(h, object_id);
            field(h, email.as_str());
        }
        Action::Reinvite {
            previous_object_id,
            email,
            attributes,
        } => {
            field(h, previous_object_id);
            field(h, email.as_str());
            feed_attributes(h, attributes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Email;

    fn disable(id: &str) -> Action {
        Action::Disable {
            object_id: id.into(),
        }
    }

    #[test]
    fn hash_is_stable_and_sensitive() {
        let anchor = Anchor::parse("a1").unwrap();
        let a = desired_hash(&anchor, &disable("x"), None);
        assert_eq!(a, desired_hash(&anchor, &disable("x"), None));
        assert_ne!(a, desired_hash(&anchor, &disable("y"), None));
        assert_eq!(a.len(), 64);
        let invite = Action::Invite {
            email: Email::parse("a@b.example").unwrap(),
            attributes: Attributes::new(),
        };
        assert_ne!(a, desired_hash(&anchor, &invite, None));
        let delete = Action::Delete {
            object_id: "x".into(),
        };
        assert_ne!(a, desired_hash(&anchor, &delete, None));
    }

    #[test]
    fn each_renewal_round_hashes_apart() {
        let anchor = Anchor::parse("a1").unwrap();
        let renew = |round| Action::Renew {
            object_id: "x".into(),
            email: Email::parse("a@b.example").unwrap(),
            round,
        };
        let first = desired_hash(&anchor, &renew(1), None);
        assert_eq!(first, desired_hash(&anchor, &renew(1), None));
        assert_ne!(first, desired_hash(&anchor, &renew(2), None));
    }
}
