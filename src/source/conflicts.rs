//! Collects row outcomes and applies the rules that need the whole result: an anchor seen twice
//! rejects every row that has it; two or more anchors sharing an e-mail (by `match_key`) are all
//! held as conflicts. Produces the [`SourceSnapshot`].

use std::collections::hash_map::Entry;

use crate::identity::{Anchor, Identity};
use crate::plan::hash::FastMap;

use super::validate::RowOutcome;
use super::{Conflict, RejectedRow, SourceSnapshot};

/// Accumulates outcomes in row order; [`Self::finish`] builds the snapshot.
#[derive(Debug, Default)]
pub struct SnapshotBuilder {
    rows: Vec<(u64, RowOutcome)>,
    rejected: Vec<RejectedRow>,
}

impl SnapshotBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many rows were pushed.
    pub fn rows_read(&self) -> u64 {
        (self.rows.len() + self.rejected.len()) as u64
    }

    /// Adds the next row's outcome.
    pub fn push(&mut self, outcome: RowOutcome) {
        let row_number = self.rows_read() + 1;
        match outcome {
            RowOutcome::NoAnchor { raw, reason } => self.rejected.push(RejectedRow {
                row_number,
                anchor: raw,
                reason,
            }),
            other => self.rows.push((row_number, other)),
        }
    }

    /// Applies the duplicate-anchor and shared-e-mail rules.
    pub fn finish(self) -> SourceSnapshot {
        let rows_read = self.rows_read();
        let mut snapshot = SourceSnapshot {
            rows_read,
            rejected: self.rejected,
            ..SourceSnapshot::default()
        };
        let duplicates: Vec<bool> = {
            let counts = anchor_counts(&self.rows);
            let count = |a: &Anchor| counts.get(a.as_str()).copied().unwrap_or(0);
            let rows = self.rows.iter();
            rows.map(|(_, o)| o.anchor().is_some_and(|a| count(a) > 1))
                .collect()
        };
        let mut valid: Vec<Identity> = Vec::with_capacity(self.rows.len());
        for ((row_number, outcome), duplicate) in self.rows.into_iter().zip(duplicates) {
            match outcome {
                RowOutcome::Valid(identity) if !duplicate => valid.push(identity),
                other => reject(&mut snapshot, row_number, other, duplicate),
            }
        }
        snapshot.rejected.sort_by_key(|r| r.row_number);
        hold_shared_emails(&mut snapshot, valid);
        snapshot
    }
}

fn anchor_counts(rows: &[(u64, RowOutcome)]) -> FastMap<&str, u32> {
    let mut counts = FastMap::default();
    counts.reserve(rows.len());
    for anchor in rows.iter().filter_map(|(_, o)| o.anchor()) {
        *counts.entry(anchor.as_str()).or_default() += 1;
    }
    counts
}

/// Records a row with a valid anchor as rejected (duplicate, or invalid for another reason).
fn reject(snapshot: &mut SourceSnapshot, row_number: u64, outcome: RowOutcome, duplicate: bool) {
    let (anchor, reason) = match outcome {
        RowOutcome::Rejected { anchor, reason } => (anchor, reason),
        RowOutcome::Valid(identity) => (identity.anchor, String::new()),
        RowOutcome::NoAnchor { .. } => return,
    };
    let reason = match (duplicate, reason.is_empty()) {
        (false, _) => reason,
        (true, true) => "duplicate anchor".to_string(),
        (true, false) => format!("duplicate anchor; also {reason}"),
    };
    snapshot.rejected.push(RejectedRow {
        row_number,
        anchor: Some(anchor.as_str().to_string()),
        reason,
    });
    snapshot.present_anchors.insert(anchor);
}

/// Moves identities whose address is shared with another anchor into `conflicts`.
fn hold_shared_emails(snapshot: &mut SourceSnapshot, valid: Vec<Identity>) {
    let keys: Vec<String> = valid.iter().map(|i| i.email.match_key()).collect();
    let mut first: FastMap<&str, usize> = FastMap::default();
    first.reserve(valid.len());
    // Only addresses seen more than once get a group: no vector per identity.
    let mut groups: FastMap<&str, Vec<usize>> = FastMap::default();
    for (index, key) in keys.iter().enumerate() {
        match first.entry(key.as_str()) {
            Entry::Vacant(slot) => _ = slot.insert(index),
            Entry::Occupied(slot) => groups
                .entry(key.as_str())
                .or_insert_with(|| vec![*slot.get()])
                .push(index),
        }
    }
    drop(first);
    let reasons: Vec<Option<String>> = keys
        .iter()
        .enumerate()
        .map(|(index, key)| shared_reason(&valid, groups.get(key.as_str()), index))
        .collect();
    snapshot.identities.reserve(valid.len());
    for (identity, reason) in valid.into_iter().zip(reasons) {
        snapshot.present_anchors.insert(identity.anchor.clone());
        match reason {
            None => snapshot.identities.push(identity),
            Some(reason) => snapshot.conflicts.push(Conflict {
                anchor: identity.anchor,
                email: identity.email,
                reason,
            }),
        }
    }
}

/// "e-mail shared with anchors X, Y" when `index`'s group has other members.
fn shared_reason(valid: &[Identity], group: Option<&Vec<usize>>, index: usize) -> Option<String> {
    let group = group.filter(|g| g.len() > 1)?;
    let others: Vec<&str> = group
        .iter()
        .filter(|&&j| j != index)
        .map(|&j| valid[j].anchor.as_str())
        .collect();
    Some(format!("e-mail shared with anchors {}", others.join(", ")))
}

#[cfg(test)]
mod tests;
