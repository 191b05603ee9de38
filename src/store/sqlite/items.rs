//! Queue reads and operator actions on SQLite: get, list, counts, history, revive the dead.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::codec::{
    ITEM_COLUMNS, attempt_from_row, count, item_from_row, parse_opt_ts, parse_state, ts,
};
use crate::store::{AttemptRecord, ItemFilter, ItemRecord, ItemState, StoreError, StoreResult};

pub(super) async fn get(pool: &SqlitePool, anchor: &str) -> StoreResult<Option<ItemRecord>> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM item WHERE anchor = ?1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(anchor)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(item_from_row).transpose()
}

pub(super) async fn list(pool: &SqlitePool, filter: ItemFilter) -> StoreResult<Vec<ItemRecord>> {
    let sql = format!(
        "SELECT {ITEM_COLUMNS} FROM item WHERE (?1 IS NULL OR state = ?1) \
         AND (?2 IS NULL OR action = ?2) AND (?3 IS NULL OR anchor > ?3) \
         ORDER BY anchor LIMIT ?4"
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

pub(super) async fn retry_dead(
    pool: &SqlitePool,
    anchor: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let state: Option<(String,)> = sqlx::query_as("SELECT state FROM item WHERE anchor = ?1")
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
        "UPDATE item SET state = 'pending', attempts = 0, run_after = ?2, updated_at = ?2 \
         WHERE anchor = ?1",
    )
    .bind(anchor)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn counts(pool: &SqlitePool) -> StoreResult<BTreeMap<ItemState, u64>> {
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

pub(super) async fn attempts(pool: &SqlitePool, anchor: &str) -> StoreResult<Vec<AttemptRecord>> {
    let rows = sqlx::query(
        "SELECT at, owner, lease_token, action, desired_gen, outcome, run_after, reason, \
         error_class, error_code, error_message, request_id, status, claimed_at \
         FROM attempt WHERE anchor = ?1 ORDER BY id",
    )
    .bind(anchor)
    .fetch_all(pool)
    .await?;
    rows.iter().map(attempt_from_row).collect()
}

pub(super) async fn next_run_after(pool: &SqlitePool) -> StoreResult<Option<DateTime<Utc>>> {
    let next: Option<String> =
        sqlx::query_scalar("SELECT MIN(run_after) FROM item WHERE state = 'pending'")
            .fetch_one(pool)
            .await?;
    parse_opt_ts(next)
}

pub(super) async fn pending_runnable(pool: &SqlitePool, now: DateTime<Utc>) -> StoreResult<u64> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM item WHERE state = 'pending' AND run_after <= ?1")
            .bind(ts(now))
            .fetch_one(pool)
            .await?;
    Ok(count(n))
}
