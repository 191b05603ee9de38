//! Leases on SQLite: claim, heartbeat, rescue of expired leases, release at shutdown.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

use super::codec::{col_json, col_u32, parse_ts, ts};
use crate::store::{ClaimedItem, SettleResult, StoreError, StoreResult};

/// `now + lease`, refusing leases too long to represent.
pub(super) fn lease_until(now: DateTime<Utc>, lease: Duration) -> StoreResult<DateTime<Utc>> {
    chrono::TimeDelta::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or(StoreError::InvalidArgument("lease too long"))
}

/// One statement under `BEGIN IMMEDIATE`: only pending rows whose `run_after` has passed, in
/// (`run_after`, anchor) order; each claim bumps the fencing token. Attempts are not touched:
/// they count failures.
pub(super) async fn claim(
    pool: &SqlitePool,
    owner: &str,
    limit: u32,
    lease: Duration,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ClaimedItem>> {
    let until = lease_until(now, lease)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let rows = sqlx::query(
        "UPDATE item SET state = 'running', lease_owner = ?1, lease_until = ?2, \
         lease_token = lease_token + 1, updated_at = ?3, claimed_at = ?3 \
         WHERE anchor IN (SELECT anchor FROM item WHERE state = 'pending' AND run_after <= ?3 \
                          ORDER BY run_after, anchor LIMIT ?4) \
         RETURNING anchor, action, payload, desired_gen, lease_token, attempts, run_after",
    )
    .bind(owner)
    .bind(ts(until))
    .bind(ts(now))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            let run_after = parse_ts(&r.try_get::<String, _>("run_after")?)?;
            let item = ClaimedItem {
                anchor: r.try_get("anchor")?,
                action: r.try_get("action")?,
                payload: col_json(r, "payload")?,
                desired_gen: r.try_get("desired_gen")?,
                lease_token: r.try_get("lease_token")?,
                attempts: col_u32(r, "attempts")?,
            };
            Ok((run_after, item))
        })
        .collect::<StoreResult<Vec<_>>>()?;
    claimed.sort_by(|a, b| (a.0, &a.1.anchor).cmp(&(b.0, &b.1.anchor)));
    Ok(claimed.into_iter().map(|(_, item)| item).collect())
}

pub(super) async fn heartbeat(
    pool: &SqlitePool,
    anchor: &str,
    token: i64,
    lease: Duration,
    now: DateTime<Utc>,
) -> StoreResult<SettleResult> {
    let until = lease_until(now, lease)?;
    let done = sqlx::query(
        "UPDATE item SET lease_until = ?3, updated_at = ?4 \
         WHERE anchor = ?1 AND lease_token = ?2 AND state = 'running'",
    )
    .bind(anchor)
    .bind(token)
    .bind(ts(until))
    .bind(ts(now))
    .execute(pool)
    .await?;
    Ok(settled(done.rows_affected()))
}

/// Maps a fenced statement's row count to its result.
pub(super) fn settled(rows: u64) -> SettleResult {
    if rows == 0 {
        SettleResult::LeaseLost
    } else {
        SettleResult::Settled
    }
}

/// Expired leases back to pending. The token is bumped so the old owner's settle is refused.
pub(super) async fn rescue_expired(pool: &SqlitePool, now: DateTime<Utc>) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE item SET state = 'pending', lease_owner = NULL, lease_until = NULL, \
         lease_token = lease_token + 1, updated_at = ?1 \
         WHERE state = 'running' AND lease_until < ?1",
    )
    .bind(ts(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// `owner`'s leases back to pending, claimable at once; the token is bumped as in rescue.
pub(super) async fn release_owner(
    pool: &SqlitePool,
    owner: &str,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE item SET state = 'pending', lease_owner = NULL, lease_until = NULL, \
         lease_token = lease_token + 1, run_after = ?2, updated_at = ?2 \
         WHERE state = 'running' AND lease_owner = ?1",
    )
    .bind(owner)
    .bind(ts(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
