//! Plan recording on PostgreSQL: the coalescing upsert in `UNNEST` batches, and the held
//! actions of braked runs.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Row};

use super::batch::{Row as Planned, batches, encode};
use crate::store::{PlannedItem, RecordSummary, RunId, StoreError, StoreResult};

/// The coalescing upsert: `$1` = now, `$2` = run id, `$3..$6` = column arrays.
/// Same hash: nothing. New hash: `desired_gen + 1`; done/dead are revived (attempts reset,
/// claimable now); pending becomes claimable now; running stays running (the worker's complete
/// sees `desired_gen > applied_gen` and puts it back to pending).
const UPSERT: &str = "INSERT INTO item (anchor, action, desired_hash, payload, desired_gen, \
     state, run_after, run_id, created_at, updated_at) \
     SELECT u.anchor, u.action, u.hash, u.payload::jsonb, 1, 'pending', $1, $2, $1, $1 \
     FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[]) \
       AS u(anchor, action, hash, payload) \
     ON CONFLICT (anchor) DO UPDATE SET \
       desired_gen = item.desired_gen + 1, desired_hash = excluded.desired_hash, \
       action = excluded.action, payload = excluded.payload, run_id = excluded.run_id, \
       state = CASE WHEN item.state IN ('done', 'dead') THEN 'pending' ELSE item.state END, \
       attempts = CASE WHEN item.state IN ('done', 'dead') THEN 0 ELSE item.attempts END, \
       run_after = CASE WHEN item.state = 'running' THEN item.run_after \
                   ELSE excluded.run_after END, \
       updated_at = excluded.updated_at \
     WHERE item.desired_hash IS DISTINCT FROM excluded.desired_hash \
     RETURNING desired_gen";

/// Upserts `items` inside the caller's transaction.
async fn upsert(
    conn: &mut PgConnection,
    run_id: RunId,
    now: DateTime<Utc>,
    items: Vec<Planned>,
) -> StoreResult<RecordSummary> {
    let mut summary = RecordSummary::default();
    for batch in batches(items) {
        let rows = batch.len();
        let returned = sqlx::query(UPSERT)
            .bind(now)
            .bind(run_id)
            .bind(batch.anchors)
            .bind(batch.actions)
            .bind(batch.hashes)
            .bind(batch.payloads)
            .fetch_all(&mut *conn)
            .await?;
        for row in &returned {
            match row.try_get::<i64, _>(0)? {
                1 => summary.inserted += 1,
                _ => summary.changed += 1,
            }
        }
        summary.unchanged += (rows - returned.len()) as u64;
    }
    Ok(summary)
}

pub(super) async fn record(
    pool: &PgPool,
    run_id: RunId,
    now: DateTime<Utc>,
    items: Vec<PlannedItem>,
) -> StoreResult<RecordSummary> {
    let items = encode(items)?;
    let mut tx = pool.begin().await?;
    held_status(&mut tx, run_id).await?;
    let summary = upsert(&mut tx, run_id, now, items).await?;
    super::notify(&mut tx).await?;
    tx.commit().await?;
    Ok(summary)
}

/// The held status of a run and the run that superseded it, its row locked;
/// `RunNotFound` if there is no such run.
async fn held_status(
    conn: &mut PgConnection,
    run_id: RunId,
) -> StoreResult<(Option<String>, Option<RunId>)> {
    let row: Option<(Option<String>, Option<RunId>)> =
        sqlx::query_as("SELECT held_status, held_superseded_by FROM run WHERE id = $1 FOR UPDATE")
            .bind(run_id)
            .fetch_optional(conn)
            .await?;
    row.ok_or(StoreError::RunNotFound(run_id))
}

/// Fails unless the run is waiting for an operator (or, with `allow_new`, not held yet).
async fn require_waiting(
    conn: &mut PgConnection,
    run_id: RunId,
    allow_new: bool,
) -> StoreResult<()> {
    match held_status(conn, run_id).await? {
        (Some(status), _) if status == "waiting" => Ok(()),
        (None, _) if allow_new => Ok(()),
        (_, Some(by)) => Err(StoreError::RunSuperseded { run: run_id, by }),
        _ => Err(StoreError::RunNotHeld(run_id)),
    }
}

pub(super) async fn held_record(
    pool: &PgPool,
    run_id: RunId,
    items: Vec<PlannedItem>,
) -> StoreResult<()> {
    let items = encode(items)?;
    let mut tx = pool.begin().await?;
    require_waiting(&mut tx, run_id, true).await?;
    for batch in batches(items) {
        sqlx::query(
            "INSERT INTO held_action (run_id, anchor, action, desired_hash, payload) \
             SELECT $1, u.anchor, u.action, u.hash, u.payload::jsonb \
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[]) \
               AS u(anchor, action, hash, payload) \
             ON CONFLICT (run_id, anchor) DO UPDATE SET action = excluded.action, \
             desired_hash = excluded.desired_hash, payload = excluded.payload",
        )
        .bind(run_id)
        .bind(batch.anchors)
        .bind(batch.actions)
        .bind(batch.hashes)
        .bind(batch.payloads)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE run SET held_status = 'waiting', held_actions = \
         (SELECT COUNT(*) FROM held_action WHERE run_id = $1) WHERE id = $1",
    )
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn approve(
    pool: &PgPool,
    run_id: RunId,
    now: DateTime<Utc>,
) -> StoreResult<RecordSummary> {
    let mut tx = pool.begin().await?;
    require_waiting(&mut tx, run_id, false).await?;
    let rows: Vec<Planned> = sqlx::query_as(
        "SELECT anchor, action, desired_hash, payload::text FROM held_action \
         WHERE run_id = $1 ORDER BY anchor",
    )
    .bind(run_id)
    .fetch_all(&mut *tx)
    .await?;
    let summary = upsert(&mut tx, run_id, now, rows).await?;
    decide(&mut tx, run_id, now, "approved").await?;
    super::notify(&mut tx).await?;
    tx.commit().await?;
    Ok(summary)
}

pub(super) async fn reject(pool: &PgPool, run_id: RunId, now: DateTime<Utc>) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    require_waiting(&mut tx, run_id, false).await?;
    decide(&mut tx, run_id, now, "rejected").await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn supersede(
    pool: &PgPool,
    newer: RunId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<RunId>> {
    let mut tx = pool.begin().await?;
    let ids: Vec<RunId> = sqlx::query_scalar(
        "SELECT id FROM run WHERE held_status = 'waiting' AND id < $1 ORDER BY id FOR UPDATE",
    )
    .bind(newer)
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        decide(&mut tx, *id, now, "rejected").await?;
    }
    sqlx::query("UPDATE run SET held_superseded_by = $1 WHERE id = ANY($2)")
        .bind(newer)
        .bind(&ids)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(ids)
}

/// Drops the held actions and records the operator's decision.
async fn decide(
    conn: &mut PgConnection,
    run_id: RunId,
    now: DateTime<Utc>,
    status: &'static str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM held_action WHERE run_id = $1")
        .bind(run_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE run SET held_status = $2, held_decided_at = $3 WHERE id = $1")
        .bind(run_id)
        .bind(status)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
