//! The optional `groups` column: its raw cell per anchor, kept for the cycle to resolve against
//! `[groups]` (see [`crate::groups::parse`]). The source knows nothing of the configuration.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::identity::Anchor;

use super::validate::Cell;

/// The `groups` cell of one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCell {
    /// The row's position in the result, from 1 (for a rejection).
    pub row_number: u64,
    /// The text (`None` for NULL), or why the cell could not be decoded.
    pub value: Result<Option<String>, String>,
}

/// Collects the `groups` cells of a read.
#[derive(Debug, Default)]
pub(crate) struct GroupCells(BTreeMap<Anchor, GroupCell>);

impl GroupCells {
    /// Keeps the cell of row `row_number` for `anchor` (a later row with the same anchor wins;
    /// duplicated anchors are rejected anyway).
    pub fn push(&mut self, anchor: &Anchor, row_number: u64, cell: Cell<'_>) {
        let value = cell.map(|c| c.map(|v| v.into_owned()));
        self.0
            .insert(anchor.clone(), GroupCell { row_number, value });
    }

    /// The cells collected.
    pub fn finish(self) -> BTreeMap<Anchor, GroupCell> {
        self.0
    }
}
