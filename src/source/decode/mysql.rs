//! MySQL/MariaDB cells: character types (any collation, including binary ones, which the
//! protocol reports as binary), enums, decimals, signed and unsigned integers, binary strings,
//! datetime/timestamp and date.

use chrono::{NaiveDate, NaiveDateTime};
use sqlx::mysql::MySqlRow;
use sqlx::{Column, Row, TypeInfo};

use super::{RowDecoder, bytes, iso, shown, text, unsupported};
use crate::source::SourceError;
use crate::source::columns::ColumnMap;
use crate::source::validate::Cell;

/// How one column is read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    Binary,
    Signed,
    Unsigned,
    DateTime,
    Date,
    Unused,
}

impl Kind {
    fn of(type_name: &str) -> Option<Self> {
        let kind = match type_name {
            "VARCHAR" | "CHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM"
            | "SET" | "DECIMAL" => Self::Text,
            "VARBINARY" | "BINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" => {
                Self::Binary
            }
            "BOOLEAN" | "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
                Self::Signed
            }
            "TINYINT UNSIGNED" | "SMALLINT UNSIGNED" | "MEDIUMINT UNSIGNED" | "INT UNSIGNED"
            | "BIGINT UNSIGNED" => Self::Unsigned,
            "DATETIME" | "TIMESTAMP" => Self::DateTime,
            "DATE" => Self::Date,
            _ => return None,
        };
        Some(kind)
    }
}

/// Decodes MySQL/MariaDB rows.
#[derive(Debug)]
pub(crate) struct MySqlDecoder {
    kinds: Vec<Kind>,
}

impl RowDecoder for MySqlDecoder {
    type Row = MySqlRow;

    fn new(row: &MySqlRow, map: &ColumnMap) -> Result<Self, SourceError> {
        let mut kinds = vec![Kind::Unused; row.columns().len()];
        for index in map.mapped() {
            let name = row.columns()[index].type_info().name();
            kinds[index] = Kind::of(name).ok_or_else(|| unsupported(row, index, name))?;
        }
        Ok(Self { kinds })
    }

    fn cell<'r>(&self, row: &'r MySqlRow, index: usize) -> Cell<'r> {
        match self.kinds[index] {
            Kind::Text => text(row.try_get_unchecked(index)),
            Kind::Binary => bytes(row.try_get_unchecked(index)),
            Kind::Signed => shown(row.try_get_unchecked::<Option<i64>, _>(index)),
            Kind::Unsigned => shown(row.try_get_unchecked::<Option<u64>, _>(index)),
            Kind::DateTime => {
                let value = row.try_get_unchecked::<Option<NaiveDateTime>, _>(index);
                shown(value.map(|v| v.map(iso)))
            }
            Kind::Date => shown(row.try_get_unchecked::<Option<NaiveDate>, _>(index)),
            Kind::Unused => Ok(None),
        }
    }
}
