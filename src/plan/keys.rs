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

/// For each `left` record, the position of the last `right` record with the same key (or
/// [`NONE`]), and for each `right` record whether a `left` record has its key.
pub(crate) type Joined = (Vec<u32>, Vec<bool>);

/// Joins two record lists on a string key: a sequential merge when both are strictly sorted by
/// key (the common case: the store lists links by anchor), else through a [`KeyTable`].
pub(crate) fn join<'a, L, R>(
    left: &'a [L],
    left_key: impl Fn(&'a L) -> &'a str,
    right: &'a [R],
    right_key: impl Fn(&'a R) -> &'a str,
) -> Joined {
    let left_keys = left.iter().map(&left_key);
    let to_right = if strictly_sorted(left.iter().map(&left_key))
        && strictly_sorted(right.iter().map(&right_key))
    {
        merge(left_keys, right, right_key)
    } else {
        hashed(left_keys, right, right_key)
    };
    let mut matched = vec![false; right.len()];
    for &found in &to_right {
        if let Some(flag) = matched.get_mut(found as usize) {
            *flag = true;
        }
    }
    (to_right, matched)
}

/// Whether every key is greater than the one before.
pub(crate) fn strictly_sorted<'a>(keys: impl Iterator<Item = &'a str>) -> bool {
    let mut previous: Option<&str> = None;
    let mut keys = keys;
    keys.all(|key| previous.replace(key).is_none_or(|p| p < key))
}

/// Both sides strictly sorted: every key occurs at most once on the right.
fn merge<'a, R>(
    left_keys: impl Iterator<Item = &'a str>,
    right: &'a [R],
    right_key: impl Fn(&'a R) -> &'a str,
) -> Vec<u32> {
    let mut next = 0;
    let mut to_right = Vec::with_capacity(left_keys.size_hint().0);
    for key in left_keys {
        while right.get(next).is_some_and(|r| right_key(r) < key) {
            next += 1;
        }
        let found = right.get(next).is_some_and(|r| right_key(r) == key);
        to_right.push(if found { next as u32 } else { NONE });
    }
    to_right
}

fn hashed<'a, R>(
    left_keys: impl Iterator<Item = &'a str>,
    right: &'a [R],
    right_key: impl Fn(&'a R) -> &'a str,
) -> Vec<u32> {
    let mut table = KeyTable::with_capacity(right.len());
    let mut last = Vec::with_capacity(right.len());
    for (position, record) in right.iter().enumerate() {
        let slot = table.intern(right_key(record)) as usize;
        last.resize(table.len(), NONE);
        last[slot] = position as u32;
    }
    left_keys
        .map(|key| table.get(key).map_or(NONE, |slot| last[slot as usize]))
        .collect()
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

    #[test]
    fn join_merges_sorted_and_hashes_unsorted_alike() {
        fn key<'k>(s: &'k &str) -> &'k str {
            s
        }
        let right = ["a", "c", "d"];
        let (to, matched) = join(&["a", "b", "d"], key, &right, key);
        assert_eq!((to, matched), (vec![0, NONE, 2], vec![true, false, true]));
        let right = ["d", "a", "c", "a"];
        let (to, matched) = join(&["b", "a", "d"], key, &right, key);
        assert_eq!(to, vec![NONE, 3, 0]);
        assert_eq!(matched, vec![true, false, false, true]);
    }
}
