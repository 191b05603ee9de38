//! The source reader: runs the operator's read-only SQL query and turns rows into identities.
//!
//! - [`config`]: [`SourceConfig`] and the choice of backend by URL scheme.
//! - [`reader`]: [`SourceReader`]: pools per backend, the read-only transaction, the timeout and
//!   the streaming loop.
//! - [`mapping`]: which column feeds which Graph property (`[mapping]`), and their policies.
//! - [`columns`]: which result column feeds which identity field.
//! - `decode`: per-backend conversion of a cell (text, integers, uuid, timestamps…) to text.
//! - [`validate`]: one row → an [`Identity`] or a rejection reason.
//! - [`conflicts`]: duplicate anchors and shared e-mail addresses → the [`SourceSnapshot`].
//!
//! A read error, half way or not, is always an `Err`: never an empty or partial snapshot.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;

use crate::identity::{Anchor, Email, Identity};

pub mod columns;
pub mod config;
pub mod conflicts;
mod decode;
pub mod groups;
pub mod mapping;
pub mod reader;
mod stream;
pub mod validate;

pub use config::SourceConfig;
pub use mapping::{MappedProperty, Mapping, NullPolicy};
pub use reader::SourceReader;

/// Why a read of the source failed as a whole. No variant carries the URL or its password.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The URL is not usable (unknown scheme, unparsable options).
    #[error("source URL: {0}")]
    Url(String),
    /// The database could not be reached or refused the login.
    #[error("cannot connect to the source: {0}")]
    Connect(String),
    /// A required column is not in the query's result.
    #[error("the source query has no column `{column}` (required; name it with `AS {column}`)")]
    MissingColumn {
        /// The missing column's name.
        column: &'static str,
    },
    /// A column named in the configuration (`[mapping]`, `[[scope]]`) is not in the result.
    #[error("the source query has no column `{column}` (mapped to {feeds})")]
    MissingMappedColumn {
        /// The configured column name.
        column: String,
        /// What it feeds: a Graph property or the scope rules.
        feeds: String,
    },
    /// A mapped column has a type guestsync cannot read as text.
    #[error("column `{column}` has type {type_name}, which guestsync cannot read; cast it to text")]
    UnsupportedType {
        /// The column's name.
        column: String,
        /// The database's name for its type.
        type_name: String,
    },
    /// The query failed (syntax, permissions, a write in the read-only transaction, an error
    /// half way through the rows…).
    #[error("reading the source failed: {0}")]
    Read(String),
    /// The query ran longer than the statement timeout.
    #[error("the source query did not finish within {0:?} (statement timeout)")]
    Timeout(Duration),
    /// The query returned more rows than `max_rows`.
    #[error("the source query returned more than {limit} rows (max_rows)")]
    TooManyRows {
        /// The configured limit.
        limit: u64,
    },
}

/// A row that could not become an identity, with the reason shown to operators.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// The row's position in the result, from 1.
    pub row_number: u64,
    /// The anchor as read (trimmed), when there was one.
    pub anchor: Option<String>,
    /// What was wrong.
    pub reason: String,
}

/// An identity held back because its e-mail address is shared with other anchors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The held identity's anchor.
    pub anchor: Anchor,
    /// Its (normalised) address.
    pub email: Email,
    /// Which anchors share it, e.g. "e-mail shared with anchors 17, 42".
    pub reason: String,
}

/// The result of one complete, successful read of the source.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SourceSnapshot {
    /// Valid identities, in row order, without the rejected and conflicted ones.
    pub identities: Vec<Identity>,
    /// Rows refused, in row order.
    pub rejected: Vec<RejectedRow>,
    /// Identities held because their address is shared, in row order.
    pub conflicts: Vec<Conflict>,
    /// Every valid anchor seen, including rejected (for another reason) and conflicted rows:
    /// the planner must not disable these.
    pub present_anchors: BTreeSet<Anchor>,
    /// How many rows the query returned.
    pub rows_read: u64,
    /// The `groups` cell of each row with a valid anchor; `None` when the query has no
    /// `groups` column.
    pub groups: Option<std::collections::BTreeMap<Anchor, groups::GroupCell>>,
}
