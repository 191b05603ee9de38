//! PostgreSQL cells: text types (text, varchar, bpchar, name, citext), int2/4/8, uuid, bool,
//! timestamp, timestamptz and date.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::{Column, Row, TypeInfo};

use super::{RowDecoder, iso, shown, text, unsupported};
use crate::source::SourceError;
use crate::source::columns::ColumnMap;
use crate::source::validate::Cell;

/// How one column is read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Int2,
    Int4,
    Int8,
    Uuid,
    Bool,
    Timestamp,
    TimestampTz,
    Date,
    Unused,
}

impl Kind {
    fn of(type_name: &str) -> Option<Self> {
        let kind = match type_name.to_ascii_uppercase().as_str() {
            "TEXT" | "VARCHAR" | "CHAR" | "BPCHAR" | "NAME" | "CITEXT" | "UNKNOWN" => Self::Text,
            "INT2" => Self::Int2,
            "INT4" => Self::Int4,
            "INT8" => Self::Int8,
            "UUID" => Self::Uuid,
            "BOOL" => Self::Bool,
            "TIMESTAMP" => Self::Timestamp,
            "TIMESTAMPTZ" => Self::TimestampTz,
            "DATE" => Self::Date,
            _ => return None,
        };
        Some(kind)
    }
}

/// Decodes PostgreSQL rows.
#[derive(Debug)]
pub(crate) struct PgDecoder {
    kinds: Vec<Kind>,
}

impl RowDecoder for PgDecoder {
    type Row = PgRow;

    fn new(row: &PgRow, map: &ColumnMap) -> Result<Self, SourceError> {
        let mut kinds = vec![Kind::Unused; row.columns().len()];
        for index in map.mapped() {
            let name = row.columns()[index].type_info().name();
            kinds[index] = Kind::of(name).ok_or_else(|| unsupported(row, index, name))?;
        }
        Ok(Self { kinds })
    }

    fn cell<'r>(&self, row: &'r PgRow, index: usize) -> Cell<'r> {
        match self.kinds[index] {
            Kind::Text => text(row.try_get_unchecked(index)),
            Kind::Int2 => shown(row.try_get_unchecked::<Option<i16>, _>(index)),
            Kind::Int4 => shown(row.try_get_unchecked::<Option<i32>, _>(index)),
            Kind::Int8 => shown(row.try_get_unchecked::<Option<i64>, _>(index)),
            Kind::Uuid => shown(row.try_get_unchecked::<Option<uuid::Uuid>, _>(index)),
            Kind::Bool => shown(row.try_get_unchecked::<Option<bool>, _>(index)),
            Kind::Timestamp => {
                let value = row.try_get_unchecked::<Option<NaiveDateTime>, _>(index);
                shown(value.map(|v| v.map(iso)))
            }
            Kind::TimestampTz => {
                let value = row.try_get_unchecked::<Option<DateTime<Utc>>, _>(index);
                shown(value.map(|v| v.map(|v| v.to_rfc3339())))
            }
            Kind::Date => shown(row.try_get_unchecked::<Option<NaiveDate>, _>(index)),
            Kind::Unused => Ok(None),
        }
    }
}
