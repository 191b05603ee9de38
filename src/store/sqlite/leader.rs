//! The leader lease on SQLite: the same upsert as on PostgreSQL, under `BEGIN IMMEDIATE`. A
//! SQLite store serves one process in practice, so that process always leads; the semantics
//! are the same so the conformance suite holds for both.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::claim::lease_until;
use super::codec::{col_ts, ts};
use crate::store::{CYCLE_ROLE, LeaderLease, StoreResult};

fn lease_from_row(row: &SqliteRow) -> StoreResult<LeaderLease> {
    Ok(LeaderLease {
        holder: row.try_get("holder")?,
        epoch: row.try_get("epoch")?,
        acquired_at: col_ts(row, "acquired_at")?,
        lease_until: col_ts(row, "lease_until")?,
    })
}

pub(super) async fn acquire(
    pool: &SqlitePool,
    replica: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> StoreResult<Option<LeaderLease>> {
    let until = lease_until(now, lease)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let row = sqlx::query(
        "INSERT INTO leader_lease (role, holder, epoch, acquired_at, lease_until) \
         VALUES (?1, ?2, 1, ?3, ?4) \
         ON CONFLICT (role) DO UPDATE SET \
           epoch = CASE WHEN leader_lease.holder = excluded.holder THEN leader_lease.epoch \
                        ELSE leader_lease.epoch + 1 END, \
           acquired_at = CASE WHEN leader_lease.holder = excluded.holder \
                              THEN leader_lease.acquired_at ELSE excluded.acquired_at END, \
           holder = excluded.holder, lease_until = excluded.lease_until \
         WHERE leader_lease.holder = excluded.holder OR leader_lease.lease_until <= ?3 \
         RETURNING holder, epoch, acquired_at, lease_until",
    )
    .bind(CYCLE_ROLE)
    .bind(replica)
    .bind(ts(now))
    .bind(ts(until))
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    row.as_ref().map(lease_from_row).transpose()
}

pub(super) async fn release(
    pool: &SqlitePool,
    replica: &str,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE leader_lease SET lease_until = ?3 \
         WHERE role = ?1 AND holder = ?2 AND lease_until > ?3",
    )
    .bind(CYCLE_ROLE)
    .bind(replica)
    .bind(ts(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn get(pool: &SqlitePool) -> StoreResult<Option<LeaderLease>> {
    let row = sqlx::query(
        "SELECT holder, epoch, acquired_at, lease_until FROM leader_lease WHERE role = ?1",
    )
    .bind(CYCLE_ROLE)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(lease_from_row).transpose()
}
