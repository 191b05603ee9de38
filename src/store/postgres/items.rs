//! Queue reads and operator actions on PostgreSQL: get, list, counts, history, revive the dead.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::codec::{ITEM_COLUMNS, attempt_from_row, count, item_from_row, parse_state};
use crate::store::{AttemptRecord, ItemFilter, ItemRecord, ItemState, StoreError, StoreResult};

pub(super) async fn get(pool: &PgPool, anchor: &str) -> StoreResult<Option<ItemRecord>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM item WHERE anchor = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(anchor)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(item_from_row).transpose()
}

pub(super) async fn list(pool: &PgPool, filter: ItemFilter) -> StoreResult<Vec<ItemRecord>> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM item WHERE ($1::text IS NULL OR state = $1) \
         AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR anchor > $3) \
         ORDER BY anchor LIMIT $4"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(filter.state.map(ItemState::as_str))
        .bind(filter.action)
        .bind(filter.after)
        .bind(i64::from(filter.limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(item_from_row).collect()
}

pub(super) async fn retry_dead(pool: &PgPool, anchor: &str, now: DateTime<Utc>) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    let state: Option<(String,)> =
        sqlx::query_as("SELECT state FROM item WHERE anchor = $1 FOR UPDATE")
            .bind(anchor)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((state,)) = state else {
        return Err(StoreError::ItemNotFound(anchor.to_string()));
    };
    let state = parse_state(&state)?;
    if state != ItemState::Dead {
        return Err(StoreError::WrongState {
            anchor: anchor.to_string(),
            expected: ItemState::Dead,
            actual: state,
        });
    }
    sqlx::query(
        "UPDATE item SET state = 'pending', attempts = 0, run_after = $2, updated_at = $2 \
         WHERE anchor = $1",
    )
    .bind(anchor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    super::notify(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn counts(pool: &PgPool) -> StoreResult<BTreeMap<ItemState, u64>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM item GROUP BY state")
            .fetch_all(pool)
            .await?;
    let mut counts: BTreeMap<ItemState, u64> = ItemState::ALL.into_iter().map(|s| (s, 0)).collect();
    for (state, n) in rows {
        counts.insert(parse_state(&state)?, count(n));
    }
    Ok(counts)
}

pub(super) async fn attempts(pool: &PgPool, anchor: &str) -> StoreResult<Vec<AttemptRecord>> {
    let rows = sqlx::query(
        "SELECT at, owner, lease_token, action, desired_gen, outcome, run_after, reason, \
         error_class, error_code, error_message, request_id, status, claimed_at \
         FROM attempt WHERE anchor = $1 ORDER BY id",
    )
    .bind(anchor)
    .fetch_all(pool)
    .await?;
    rows.iter().map(attempt_from_row).collect()
}

pub(super) async fn next_run_after(pool: &PgPool) -> StoreResult<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT MIN(run_after) FROM item WHERE state = 'pending'")
            .fetch_one(pool)
            .await?,
    )
}

pub(super) async fn pending_runnable(pool: &PgPool, now: DateTime<Utc>) -> StoreResult<u64> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM item WHERE state = 'pending' AND run_after <= $1")
            .bind(now)
            .fetch_one(pool)
            .await?;
    Ok(count(n))
}
