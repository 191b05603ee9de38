//! Decoding of stored PostgreSQL rows into store types. Timestamps are `timestamptz` and JSON
//! is `jsonb`, so only enums, counts and errors need work.

use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::types::Json;

pub(super) use crate::store::rows::{ITEM_COLUMNS, col_u32, count, parse_state};
use crate::store::{AttemptOutcome, AttemptRecord, ItemError, ItemRecord, StoreError, StoreResult};

/// Decodes an item row selected with `ITEM_COLUMNS`.
pub(super) fn item_from_row(row: &PgRow) -> StoreResult<ItemRecord> {
    let last_error: Option<Json<ItemError>> = row.try_get("last_error")?;
    Ok(ItemRecord {
        anchor: row.try_get("anchor")?,
        action: row.try_get("action")?,
        desired_hash: row.try_get("desired_hash")?,
        payload: row.try_get("payload")?,
        desired_gen: row.try_get("desired_gen")?,
        applied_gen: row.try_get("applied_gen")?,
        state: parse_state(&row.try_get::<String, _>("state")?)?,
        attempts: col_u32(row, "attempts")?,
        run_after: row.try_get("run_after")?,
        lease_owner: row.try_get("lease_owner")?,
        lease_until: row.try_get("lease_until")?,
        lease_token: row.try_get("lease_token")?,
        last_error: last_error.map(|Json(e)| e),
        run_id: row.try_get("run_id")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Decodes an attempt row.
pub(super) fn attempt_from_row(row: &PgRow) -> StoreResult<AttemptRecord> {
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
        at: row.try_get("at")?,
        claimed_at: row.try_get("claimed_at")?,
        owner: row.try_get("owner")?,
        lease_token: row.try_get("lease_token")?,
        action: row.try_get("action")?,
        desired_gen: row.try_get("desired_gen")?,
        outcome: AttemptOutcome::parse(&outcome)
            .ok_or_else(|| StoreError::Corrupt(format!("attempt outcome {outcome:?}")))?,
        run_after: row.try_get("run_after")?,
        reason: row.try_get("reason")?,
        error,
    })
}
