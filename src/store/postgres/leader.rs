//! The leader lease on PostgreSQL: one upsert that takes, renews or refuses the lease, so two
//! replicas racing for a lapsed lease cannot both win (the row lock of the conflicting row
//! orders them; the loser's `WHERE` sees the winner's fresh lease).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use sqlx::Row;
use sqlx::postgres::PgRow;

use super::claim::lease_until;
use crate::store::{CYCLE_ROLE, LeaderLease, StoreResult};

fn lease_from_row(row: &PgRow) -> StoreResult<LeaderLease> {
    Ok(LeaderLease {
        holder: row.try_get("holder")?,
        epoch: row.try_get("epoch")?,
        acquired_at: row.try_get("acquired_at")?,
        lease_until: row.try_get("lease_until")?,
    })
}

pub(super) async fn acquire(
    pool: &PgPool,
    replica: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> StoreResult<Option<LeaderLease>> {
    let until = lease_until(now, lease)?;
    let row = sqlx::query(
        "INSERT INTO leader_lease (role, holder, epoch, acquired_at, lease_until) \
         VALUES ($1, $2, 1, $3, $4) \
         ON CONFLICT (role) DO UPDATE SET \
           epoch = CASE WHEN leader_lease.holder = EXCLUDED.holder THEN leader_lease.epoch \
                        ELSE leader_lease.epoch + 1 END, \
           acquired_at = CASE WHEN leader_lease.holder = EXCLUDED.holder \
                              THEN leader_lease.acquired_at ELSE EXCLUDED.acquired_at END, \
           holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until \
         WHERE leader_lease.holder = EXCLUDED.holder OR leader_lease.lease_until <= $3 \
         RETURNING holder, epoch, acquired_at, lease_until",
    )
    .bind(CYCLE_ROLE)
    .bind(replica)
    .bind(now)
    .bind(until)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(lease_from_row).transpose()
}

pub(super) async fn release(pool: &PgPool, replica: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE leader_lease SET lease_until = $3 \
         WHERE role = $1 AND holder = $2 AND lease_until > $3",
    )
    .bind(CYCLE_ROLE)
    .bind(replica)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn get(pool: &PgPool) -> StoreResult<Option<LeaderLease>> {
    let row = sqlx::query(
        "SELECT holder, epoch, acquired_at, lease_until FROM leader_lease WHERE role = $1",
    )
    .bind(CYCLE_ROLE)
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(lease_from_row).transpose()
}
