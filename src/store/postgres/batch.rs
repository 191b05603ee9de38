//! Planned items as column arrays for `UNNEST` statements: encoding, ordering and batching.

use std::collections::HashSet;

use crate::store::{PlannedItem, StoreResult};

/// One planned item: anchor, action, desired hash, payload (JSON text).
pub(super) type Row = (String, String, String, String);

/// Rows per statement: 100,000 items are 20 statements.
const CHUNK: usize = 5000;

/// Planned items as column arrays (payloads as JSON text), ready for `UNNEST`.
#[derive(Default)]
pub(super) struct Columns {
    pub(super) anchors: Vec<String>,
    pub(super) actions: Vec<String>,
    pub(super) hashes: Vec<String>,
    pub(super) payloads: Vec<String>,
}

impl Columns {
    fn push(&mut self, anchor: String, action: String, hash: String, payload: String) {
        self.anchors.push(anchor);
        self.actions.push(action);
        self.hashes.push(hash);
        self.payloads.push(payload);
    }

    pub(super) fn len(&self) -> usize {
        self.anchors.len()
    }
}

/// Sorts items by anchor (stable: repeats keep their order), so concurrent writers lock rows
/// in one order and cannot deadlock, and splits them into batches of at most [`CHUNK`] rows in
/// which no anchor repeats (one `INSERT … ON CONFLICT` cannot touch a row twice), so a repeated
/// anchor is upserted twice, in order, as one row at a time would.
pub(super) fn batches(mut items: Vec<Row>) -> Vec<Columns> {
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    let mut current = Columns::default();
    let mut seen = HashSet::new();
    for (anchor, action, hash, payload) in items {
        if current.len() == CHUNK || seen.contains(&anchor) {
            out.push(std::mem::take(&mut current));
            seen.clear();
        }
        seen.insert(anchor.clone());
        current.push(anchor, action, hash, payload);
    }
    if current.len() > 0 {
        out.push(current);
    }
    out
}

/// Encodes planned items as rows (payload as JSON text).
pub(super) fn encode(items: Vec<PlannedItem>) -> StoreResult<Vec<Row>> {
    items
        .into_iter()
        .map(|i| {
            let payload = serde_json::to_string(&i.payload)?;
            Ok((i.anchor, i.action, i.desired_hash, payload))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{CHUNK, Row, batches};

    fn item(anchor: &str, payload: &str) -> Row {
        let s = |v: &str| v.to_string();
        (s(anchor), s("invite"), s("h"), s(payload))
    }

    #[test]
    fn batches_are_bounded() {
        let items: Vec<_> = (0..=CHUNK)
            .map(|i| item(&format!("a{i:05}"), "{}"))
            .collect();
        let sizes: Vec<usize> = batches(items).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [CHUNK, 1]);
    }

    #[test]
    fn batches_are_sorted_and_split_repeats_in_order() {
        let items = vec![item("y", "1"), item("x", "2"), item("x", "3")];
        let out = batches(items);
        let anchors: Vec<_> = out.iter().map(|b| b.anchors.clone()).collect();
        assert_eq!(anchors, [vec!["x"], vec!["x", "y"]]);
        let payloads: Vec<_> = out.iter().map(|b| b.payloads.clone()).collect();
        assert_eq!(payloads, [vec!["2"], vec!["3", "1"]]);
    }
}
