//! Leases on PostgreSQL: claim (`FOR UPDATE SKIP LOCKED`), heartbeat, rescue of expired
//! leases, release at shutdown.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

use super::codec::col_u32;
use crate::store::{ClaimedItem, SettleResult, StoreError, StoreResult};

/// `now + lease`, refusing leases too long to represent.
pub(super) fn lease_until(now: DateTime<Utc>, lease: Duration) -> StoreResult<DateTime<Utc>> {
    chrono::TimeDelta::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or(StoreError::InvalidArgument("lease too long"))
}

/// One statement: lock up to `limit` runnable pending rows in (`run_after`, anchor) order,
/// skipping rows another claimer holds, and lease them; each claim bumps the fencing token.
/// Attempts are not touched: they count failures.
pub(super) async fn claim(
    pool: &PgPool,
    owner: &str,
    limit: u32,
    lease: Duration,
    now: DateTime<Utc>,
) -> StoreResult<Vec<ClaimedItem>> {
    let until = lease_until(now, lease)?;
    let rows = sqlx::query(
        "WITH c AS (SELECT anchor FROM item WHERE state = 'pending' AND run_after <= $3 \
                    ORDER BY run_after, anchor LIMIT $4 FOR UPDATE SKIP LOCKED) \
         UPDATE item SET state = 'running', lease_owner = $1, lease_until = $2, \
           lease_token = item.lease_token + 1, updated_at = $3, claimed_at = $3 \
         FROM c WHERE item.anchor = c.anchor AND item.state = 'pending' \
         RETURNING item.anchor, item.action, item.payload, item.desired_gen, \
           item.lease_token, item.attempts, item.run_after",
    )
    .bind(owner)
    .bind(until)
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    let mut claimed = rows
        .iter()
        .map(|r| {
            let run_after: DateTime<Utc> = r.try_get("run_after")?;
            let item = ClaimedItem {
                anchor: r.try_get("anchor")?,
                action: r.try_get("action")?,
                payload: r.try_get("payload")?,
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
    pool: &PgPool,
    anchor: &str,
    token: i64,
    lease: Duration,
    now: DateTime<Utc>,
) -> StoreResult<SettleResult> {
    let until = lease_until(now, lease)?;
    let done = sqlx::query(
        "UPDATE item SET lease_until = $3, updated_at = $4 \
         WHERE anchor = $1 AND lease_token = $2 AND state = 'running'",
    )
    .bind(anchor)
    .bind(token)
    .bind(until)
    .bind(now)
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
pub(super) async fn rescue_expired(pool: &PgPool, now: DateTime<Utc>) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE item SET state = 'pending', lease_owner = NULL, lease_until = NULL, \
         lease_token = lease_token + 1, updated_at = $1 \
         WHERE state = 'running' AND lease_until < $1",
    )
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// `owner`'s leases back to pending, claimable at once; the token is bumped as in rescue.
pub(super) async fn release_owner(
    pool: &PgPool,
    owner: &str,
    now: DateTime<Utc>,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE item SET state = 'pending', lease_owner = NULL, lease_until = NULL, \
         lease_token = lease_token + 1, run_after = $2, updated_at = $2 \
         WHERE state = 'running' AND lease_owner = $1",
    )
    .bind(owner)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
