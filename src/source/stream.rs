//! The backend-independent streaming loop: first row → column map and decoder, then every row
//! through validation into the [`SnapshotBuilder`]. Any error ends the read with an `Err`.

use std::time::Duration;

use futures::{Stream, TryStreamExt};
use sqlx::mysql::MySqlDatabaseError;
use sqlx::{Column, Row};

use super::SourceError;
use super::SourceSnapshot;
use super::columns::ColumnMap;
use super::conflicts::SnapshotBuilder;
use super::decode::RowDecoder;
use super::groups::GroupCells;
use super::mapping::Mapping;
use super::validate::validate_row;

/// Limits that apply to one read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// The statement timeout (reported when the server cancels the query).
    pub timeout: Duration,
    /// The row cap.
    pub max_rows: Option<u64>,
}

impl Limits {
    /// Maps a driver error: a server-side statement timeout becomes [`SourceError::Timeout`].
    pub fn error(&self, e: sqlx::Error) -> SourceError {
        if is_timeout(&e) {
            return SourceError::Timeout(self.timeout);
        }
        SourceError::Read(e.to_string())
    }
}

/// PostgreSQL `query_canceled` (57014); MariaDB `ER_STATEMENT_TIMEOUT` (1969); MySQL
/// `ER_QUERY_TIMEOUT` (3024).
fn is_timeout(e: &sqlx::Error) -> bool {
    let Some(db) = e.as_database_error() else {
        return false;
    };
    if db.code().as_deref() == Some("57014") {
        return true;
    }
    db.try_downcast_ref::<MySqlDatabaseError>()
        .is_some_and(|m| matches!(m.number(), 1969 | 3024))
}

/// Reads every row of `rows`. `Ok(None)` when there were none (the caller then checks the
/// columns from the statement's metadata).
pub(crate) async fn drain<D: RowDecoder>(
    mut rows: impl Stream<Item = Result<D::Row, sqlx::Error>> + Unpin,
    limits: Limits,
    mapping: &Mapping,
) -> Result<Option<SourceSnapshot>, SourceError> {
    let Some(mut row) = rows.try_next().await.map_err(|e| limits.error(e))? else {
        return Ok(None);
    };
    let map = ColumnMap::with_mapping(row.columns().iter().map(|c| c.name()), mapping)?;
    if !map.ignored.is_empty() {
        tracing::debug!(columns = ?map.ignored, "source columns not mapped to any field are ignored");
    }
    let decoder = D::new(&row, &map)?;
    let mut builder = SnapshotBuilder::new();
    let mut groups = GroupCells::default();
    loop {
        if let Some(limit) = limits.max_rows.filter(|m| builder.rows_read() >= *m) {
            return Err(SourceError::TooManyRows { limit });
        }
        let outcome = validate_row(&map, |i| decoder.cell(&row, i));
        if let (Some(index), Some(anchor)) = (map.groups, outcome.anchor()) {
            groups.push(anchor, builder.rows_read() + 1, decoder.cell(&row, index));
        }
        builder.push(outcome);
        match rows.try_next().await.map_err(|e| limits.error(e))? {
            Some(next) => row = next,
            None => break,
        }
    }
    let mut snapshot = builder.finish();
    snapshot.groups = map.groups.map(|_| groups.finish());
    Ok(Some(snapshot))
}

/// The check for a query that returned no rows: the required columns must still exist.
pub(crate) fn check_columns<'a>(
    names: impl IntoIterator<Item = &'a str>,
    mapping: &Mapping,
) -> Result<SourceSnapshot, SourceError> {
    let map = ColumnMap::with_mapping(names, mapping)?;
    Ok(SourceSnapshot {
        groups: map.groups.map(|_| Default::default()),
        ..SourceSnapshot::default()
    })
}
