//! The control row on SQLite (pause and quarantine), and the on-demand claim of one anchor.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

use super::codec::{col_json, col_opt_ts, col_u32, ts};
use crate::store::{ClaimedItem, ControlState, Paused, QuarantineRecord, StoreError, StoreResult};

pub(super) async fn get(pool: &SqlitePool) -> StoreResult<ControlState> {
    let row = sqlx::query("SELECT * FROM control WHERE id = 1")
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else {
        return Ok(ControlState::default());
    };
    let paused = match col_opt_ts(&row, "paused_since")? {
        Some(since) => Some(Paused {
            since,
            reason: row
                .try_get::<Option<String>, _>("paused_reason")?
                .unwrap_or_default(),
        }),
        None => None,
    };
    let cause: Option<String> = row.try_get("quarantine_cause")?;
    let quarantine = match cause {
        Some(cause) => Some(QuarantineRecord {
            cause,
            message: row
                .try_get::<Option<String>, _>("quarantine_message")?
                .unwrap_or_default(),
            since: col_opt_ts(&row, "quarantine_since")?
                .ok_or_else(|| StoreError::Corrupt("quarantine without since".into()))?,
            next_probe_at: col_opt_ts(&row, "quarantine_next_probe")?
                .ok_or_else(|| StoreError::Corrupt("quarantine without next probe".into()))?,
            probes: col_u32(&row, "quarantine_probes")?,
        }),
        None => None,
    };
    Ok(ControlState { paused, quarantine })
}

pub(super) async fn pause(pool: &SqlitePool, now: DateTime<Utc>, reason: &str) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO control (id, paused_since, paused_reason) VALUES (1, ?1, ?2) \
         ON CONFLICT (id) DO UPDATE SET \
           paused_reason = CASE WHEN paused_since IS NULL THEN ?2 ELSE paused_reason END, \
           paused_since = COALESCE(paused_since, ?1)",
    )
    .bind(ts(now))
    .bind(reason)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn resume(pool: &SqlitePool) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE control SET paused_since = NULL, paused_reason = NULL \
         WHERE id = 1 AND paused_since IS NOT NULL",
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn quarantine_set(pool: &SqlitePool, q: &QuarantineRecord) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO control (id, quarantine_cause, quarantine_message, quarantine_since, \
           quarantine_next_probe, quarantine_probes) VALUES (1, ?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (id) DO UPDATE SET quarantine_cause = ?1, quarantine_message = ?2, \
           quarantine_since = ?3, quarantine_next_probe = ?4, quarantine_probes = ?5",
    )
    .bind(&q.cause)
    .bind(&q.message)
    .bind(ts(q.since))
    .bind(ts(q.next_probe_at))
    .bind(i64::from(q.probes))
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn quarantine_clear(pool: &SqlitePool) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE control SET quarantine_cause = NULL, quarantine_message = NULL, \
         quarantine_since = NULL, quarantine_next_probe = NULL, quarantine_probes = 0 \
         WHERE id = 1 AND quarantine_cause IS NOT NULL",
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn claim_anchor(
    pool: &SqlitePool,
    anchor: &str,
    owner: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> StoreResult<Option<ClaimedItem>> {
    let until = chrono::TimeDelta::from_std(lease)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .ok_or(StoreError::InvalidArgument("lease too long"))?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let row = sqlx::query(
        "UPDATE item SET state = 'running', lease_owner = ?2, lease_until = ?3, \
         lease_token = lease_token + 1, updated_at = ?4 \
         WHERE anchor = ?1 AND state = 'pending' \
         RETURNING anchor, action, payload, desired_gen, lease_token, attempts",
    )
    .bind(anchor)
    .bind(owner)
    .bind(ts(until))
    .bind(ts(now))
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    row.map(|r| {
        Ok(ClaimedItem {
            anchor: r.try_get("anchor")?,
            action: r.try_get("action")?,
            payload: col_json(&r, "payload")?,
            desired_gen: r.try_get("desired_gen")?,
            lease_token: r.try_get("lease_token")?,
            attempts: col_u32(&r, "attempts")?,
        })
    })
    .transpose()
}
