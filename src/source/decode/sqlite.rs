//! SQLite cells. SQLite types values, not columns, so each value is read by its storage class:
//! TEXT as is, INTEGER as decimal, REAL as shown, BLOB as UTF-8 text or a 16-byte uuid.

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, TypeInfo, ValueRef};

use super::{RowDecoder, bytes, shown, text};
use crate::source::SourceError;
use crate::source::columns::ColumnMap;
use crate::source::validate::Cell;

/// Decodes SQLite rows (no per-column plan: the storage class is per value).
#[derive(Debug)]
pub(crate) struct SqliteDecoder;

impl RowDecoder for SqliteDecoder {
    type Row = SqliteRow;

    fn new(_row: &SqliteRow, _map: &ColumnMap) -> Result<Self, SourceError> {
        Ok(Self)
    }

    fn cell<'r>(&self, row: &'r SqliteRow, index: usize) -> Cell<'r> {
        let class = {
            let value = row.try_get_raw(index).map_err(|e| e.to_string())?;
            if value.is_null() {
                return Ok(None);
            }
            Class::of(value.type_info().name())
        };
        match class {
            Class::Integer => shown(row.try_get_unchecked::<Option<i64>, _>(index)),
            Class::Real => shown(row.try_get_unchecked::<Option<f64>, _>(index)),
            Class::Blob => bytes(row.try_get_unchecked(index)),
            Class::Text => text(row.try_get_unchecked(index)),
        }
    }
}

/// A value's storage class.
enum Class {
    Integer,
    Real,
    Blob,
    Text,
}

impl Class {
    fn of(name: &str) -> Self {
        match name {
            "INTEGER" | "BOOLEAN" => Self::Integer,
            "REAL" => Self::Real,
            "BLOB" => Self::Blob,
            _ => Self::Text,
        }
    }
}
