//! Per-backend decoding of a cell into text. The mapped columns' types are checked once, on the
//! first row: a type that cannot be read as text fails the read (every row would be refused,
//! which must not look like an empty source). A single value that cannot be decoded rejects
//! only its row.
//!
//! Text conversions: integers → decimal; uuid → lower-case hyphenated; 16-byte binary that is
//! not text → uuid; timestamps → ISO 8601 (`2026-01-31T08:00:00`, with `+00:00` when zoned);
//! dates → `YYYY-MM-DD`; booleans → `true`/`false`; NULL → absent.

use std::borrow::Cow;
use std::fmt::Display;

use super::SourceError;
use super::columns::ColumnMap;
use super::validate::Cell;

pub(crate) mod mysql;
pub(crate) mod postgres;
pub(crate) mod sqlite;

/// Decodes the cells of one backend's rows.
pub(crate) trait RowDecoder: Sized {
    /// The backend's row type.
    type Row: sqlx::Row;

    /// Plans decoding from the first row's column types; fails on an unsupported mapped type.
    fn new(row: &Self::Row, map: &ColumnMap) -> Result<Self, SourceError>;

    /// The text of column `index` of `row`.
    fn cell<'r>(&self, row: &'r Self::Row, index: usize) -> Cell<'r>;
}

/// An owned cell from a displayable value.
pub(crate) fn shown<T: Display>(value: Result<Option<T>, sqlx::Error>) -> Cell<'static> {
    value
        .map(|v| v.map(|v| Cow::Owned(v.to_string())))
        .map_err(|e| e.to_string())
}

/// A borrowed text cell.
pub(crate) fn text(value: Result<Option<&str>, sqlx::Error>) -> Cell<'_> {
    value
        .map(|v| v.map(Cow::Borrowed))
        .map_err(|e| e.to_string())
}

/// Binary data as text: UTF-8 when it is, else a uuid when it is 16 bytes.
pub(crate) fn bytes(value: Result<Option<&[u8]>, sqlx::Error>) -> Cell<'_> {
    let Some(raw) = value.map_err(|e| e.to_string())? else {
        return Ok(None);
    };
    let printable = raw.iter().all(|b| (0x20..0x7f).contains(b));
    if raw.len() == 16 && !printable {
        return Ok(uuid::Uuid::from_slice(raw)
            .ok()
            .map(|u| Cow::Owned(u.to_string())));
    }
    match std::str::from_utf8(raw) {
        Ok(text) => Ok(Some(Cow::Borrowed(text))),
        Err(_) => Err(format!(
            "binary value of {} bytes is not UTF-8 text",
            raw.len()
        )),
    }
}

/// The unsupported-type error for column `index`.
pub(crate) fn unsupported(row: &impl sqlx::Row, index: usize, type_name: &str) -> SourceError {
    use sqlx::Column;
    let column = row.columns().get(index).map(|c| c.name().to_string());
    SourceError::UnsupportedType {
        column: column.unwrap_or_else(|| index.to_string()),
        type_name: type_name.to_string(),
    }
}

/// ISO 8601 form of a timestamp without zone.
pub(crate) fn iso(value: chrono::NaiveDateTime) -> String {
    value.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
}
