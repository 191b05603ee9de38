//! Encoding of timestamps, JSON and enums for SQLite, and decoding of stored rows.
//!
//! Timestamps are UTC ISO-8601 TEXT of fixed width with microseconds
//! (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), so text order is time order.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

pub(super) use crate::store::rows::{ITEM_COLUMNS, col_u32, count, parse_state};
use crate::store::{AttemptOutcome, AttemptRecord, ItemError, ItemRecord, StoreError, StoreResult};

/// Formats a timestamp for storage.
pub(super) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Parses a stored timestamp.
pub(super) fn parse_ts(s: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt(format!("timestamp {s:?}: {e}")))
}

/// Parses an optional stored timestamp.
pub(super) fn parse_opt_ts(s: Option<String>) -> StoreResult<Option<DateTime<Utc>>> {
    s.as_deref().map(parse_ts).transpose()
}

/// Reads a timestamp column.
pub(super) fn col_ts(row: &SqliteRow, col: &str) -> StoreResult<DateTime<Utc>> {
    parse_ts(&row.try_get::<String, _>(col)?)
}

/// Reads an optional timestamp column.
pub(super) fn col_opt_ts(row: &SqliteRow, col: &str) -> StoreResult<Option<DateTime<Utc>>> {
    parse_opt_ts(row.try_get(col)?)
}

/// Reads a JSON column.
pub(super) fn col_json(row: &SqliteRow, col: &str) -> StoreResult<serde_json::Value> {
    Ok(serde_json::from_str(&row.try_get::<String, _>(col)?)?)
}

/// Decodes an item row selected with `ITEM_COLUMNS`.
pub(super) fn item_from_row(row: &SqliteRow) -> StoreResult<ItemRecord> {
    let last_error: Option<String> = row.try_get("last_error")?;
    Ok(ItemRecord {
        anchor: row.try_get("anchor")?,
        action: row.try_get("action")?,
        desired_hash: row.try_get("desired_hash")?,
        payload: col_json(row, "payload")?,
        desired_gen: row.try_get("desired_gen")?,
        applied_gen: row.try_get("applied_gen")?,
        state: parse_state(&row.try_get::<String, _>("state")?)?,
        attempts: col_u32(row, "attempts")?,
        run_after: col_ts(row, "run_after")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until: col_opt_ts(row, "lease_until")?,
        lease_token: row.try_get("lease_token")?,
        last_error: last_error
            .as_deref()
            .map(serde_json::from_str)
            .transpose()?,
        run_id: row.try_get("run_id")?,
        created_at: col_ts(row, "created_at")?,
        updated_at: col_ts(row, "updated_at")?,
    })
}

/// Decodes an attempt row.
pub(super) fn attempt_from_row(row: &SqliteRow) -> StoreResult<AttemptRecord> {
    let outcome: String = row.try_get("outcome")?;
    let class: Option<String> = row.try_get("error_class")?;
    let status: Option<i64> = row.try_get("status")?;
    let error = match class {
        Some(class) => Some(ItemError {
            class,
            code: row
                .try_get::<Option<String>, _>("error_code")?
                .unwrap_or_default(),
            message: row
                .try_get::<Option<String>, _>("error_message")?
                .unwrap_or_default(),
            request_id: row.try_get("request_id")?,
            status: status.and_then(|s| u16::try_from(s).ok()),
        }),
        None => None,
    };
    Ok(AttemptRecord {
        at: col_ts(row, "at")?,
        claimed_at: col_opt_ts(row, "claimed_at")?,
        owner: row.try_get("owner")?,
        lease_token: row.try_get("lease_token")?,
        action: row.try_get("action")?,
        desired_gen: row.try_get("desired_gen")?,
        outcome: AttemptOutcome::parse(&outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("attempt outcome {outcome:?}")))?,
        run_after: col_opt_ts(row, "run_after")?,
        reason: row.try_get("reason")?,
        error,
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::{parse_ts, ts};

    #[test]
    fn timestamps_have_fixed_width_and_sort_as_time() {
        let times = [
            Utc.with_ymd_and_hms(999, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::TimeDelta::microseconds(1),
            Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap(),
        ];
        let texts: Vec<String> = times.iter().map(|t| ts(*t)).collect();
        assert!(texts.iter().all(|t| t.len() == 27), "{texts:?}");
        assert!(texts.windows(2).all(|w| w[0] < w[1]), "{texts:?}");
        for (t, text) in times.iter().zip(&texts) {
            assert_eq!(parse_ts(text).unwrap(), *t);
        }
        assert!(parse_ts("yesterday").is_err());
    }
}
