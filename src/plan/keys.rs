//! [`KeyTable`]: interns the string keys of one planning input (anchors, object ids) into dense
//! slot numbers, so the planner keeps per-key facts in plain vectors and looks each key up once.
//! The table stores only `u32` slots (the keys stay borrowed from the input).

use std::hash::Hasher;

use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

use super::hash::FxHasher;

/// "No record": a slot or record index that is absent.
pub(crate) const NONE: u32 = u32::MAX;

/// String keys → dense slots `0..len()`, in order of first appearance. Inputs beyond
/// `u32::MAX - 1` distinct keys are not supported (far past what fits in memory).
#[derive(Debug)]
pub(crate) struct KeyTable<'a> {
    table: HashTable<u32>,
    keys: Vec<&'a str>,
}

fn hash(key: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(key.as_bytes());
    h.finish()
}

impl<'a> KeyTable<'a> {
    /// An empty table sized for `capacity` keys.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            table: HashTable::with_capacity(capacity),
            keys: Vec::with_capacity(capacity),
        }
    }

    /// The slot of `key`, added if new.
    pub(crate) fn intern(&mut self, key: &'a str) -> u32 {
        let Self { table, keys } = self;
        let entry = table.entry(
            hash(key),
            |&slot| keys[slot as usize] == key,
            |&slot| hash(keys[slot as usize]),
        );
        match entry {
            Entry::Occupied(found) => *found.get(),
            Entry::Vacant(vacant) => {
                let slot = keys.len() as u32;
                vacant.insert(slot);
                keys.push(key);
                slot
            }
        }
    }

    /// The slot of `key`, if interned.
    pub(crate) fn get(&self, key: &str) -> Option<u32> {
        let keys = &self.keys;
        self.table
            .find(hash(key), |&slot| keys[slot as usize] == key)
            .copied()
    }

    /// How many keys are interned.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_in_order_of_first_appearance() {
        let mut t = KeyTable::with_capacity(1);
        assert_eq!(t.intern("b"), 0);
        assert_eq!(t.intern("a"), 1);
        assert_eq!(t.intern("b"), 0);
        assert_eq!(t.get("a"), Some(1));
        assert_eq!(t.get("c"), None);
        assert_eq!(t.len(), 2);
    }
}
