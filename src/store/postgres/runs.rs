//! Runs on PostgreSQL: start, finish, read, and the rows a run rejected or held as conflicts.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Row};

use super::codec::count;
use crate::store::rows::{held_conflict, rejected_row};
use crate::store::{
    ABANDONED_RUN, HeldConflict, HeldStatus, ON_DEMAND_RUN, RejectedRow, RunCounts, RunId,
    RunOutcome, RunRecord, StoreError, StoreResult,
};

const RUN_COLUMNS: &str = "id, kind, started_at, finished_at, outcome, failure_reason, counts, \
    held_status, held_actions, held_decided_at, held_superseded_by";

/// Opens a run. A cycle first closes the cycles still open as abandoned: one cycle runs at a
/// time per state store (one process, or the leader), so an open one belongs to a process that
/// died; should it still be alive, its own `finish` overwrites this.
pub(super) async fn start(pool: &PgPool, now: DateTime<Utc>, kind: &str) -> StoreResult<RunId> {
    if kind != ON_DEMAND_RUN {
        sqlx::query(
            "UPDATE run SET finished_at = $1, outcome = 'failed', failure_reason = $2 \
             WHERE finished_at IS NULL AND kind <> $3",
        )
        .bind(now)
        .bind(ABANDONED_RUN)
        .bind(ON_DEMAND_RUN)
        .execute(pool)
        .await?;
    }
    let id = sqlx::query_scalar("INSERT INTO run (kind, started_at) VALUES ($1, $2) RETURNING id")
        .bind(kind)
        .bind(now)
        .fetch_one(pool)
        .await?;
    Ok(id)
}

pub(super) async fn finish(
    pool: &PgPool,
    id: RunId,
    now: DateTime<Utc>,
    outcome: RunOutcome,
    counts: RunCounts,
) -> StoreResult<()> {
    let (name, reason) = match outcome {
        RunOutcome::Succeeded => ("succeeded", None),
        RunOutcome::Failed(reason) => ("failed", Some(reason)),
        RunOutcome::Held => ("held", None),
    };
    let done = sqlx::query(
        "UPDATE run SET finished_at = $2, outcome = $3, failure_reason = $4, counts = $5, \
         held_status = CASE WHEN $3 = 'held' THEN COALESCE(held_status, 'waiting') \
         ELSE held_status END WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(name)
    .bind(reason)
    .bind(Json(&counts))
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::RunNotFound(id));
    }
    Ok(())
}

fn run_from_row(row: &PgRow) -> StoreResult<RunRecord> {
    let outcome: Option<String> = row.try_get("outcome")?;
    let reason: Option<String> = row.try_get("failure_reason")?;
    let outcome = match outcome.as_deref() {
        None => None,
        Some("succeeded") => Some(RunOutcome::Succeeded),
        Some("failed") => Some(RunOutcome::Failed(reason.unwrap_or_default())),
        Some("held") => Some(RunOutcome::Held),
        Some(other) => return Err(StoreError::Corrupt(format!("run outcome {other:?}"))),
    };
    let held: Option<String> = row.try_get("held_status")?;
    let held = match held.as_deref() {
        None => None,
        Some(s) => {
            Some(HeldStatus::parse(s).ok_or_else(|| StoreError::Corrupt(format!("held {s:?}")))?)
        }
    };
    let counts: serde_json::Value = row.try_get("counts")?;
    Ok(RunRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        started_at: row.try_get("started_at")?,
        finished_at: row.try_get("finished_at")?,
        outcome,
        counts: serde_json::from_value(counts)?,
        held,
        held_actions: count(row.try_get("held_actions")?),
        held_decided_at: row.try_get("held_decided_at")?,
        superseded_by: row.try_get("held_superseded_by")?,
    })
}

pub(super) async fn list(pool: &PgPool, limit: u32) -> StoreResult<Vec<RunRecord>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run ORDER BY id DESC LIMIT $1");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(run_from_row).collect()
}

pub(super) async fn held(pool: &PgPool) -> StoreResult<Vec<RunRecord>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run WHERE held_status = 'waiting' ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    rows.iter().map(run_from_row).collect()
}

pub(super) async fn get(pool: &PgPool, id: RunId) -> StoreResult<RunRecord> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run WHERE id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref()
        .map(run_from_row)
        .unwrap_or(Err(StoreError::RunNotFound(id)))
}

/// Locks the run (so concurrent appends get distinct sequence numbers) and returns the next
/// free sequence number of a per-run table; `RunNotFound` if there is no such run.
async fn next_seq(conn: &mut PgConnection, table: &str, id: RunId) -> StoreResult<i64> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM run WHERE id = $1 FOR UPDATE")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        return Err(StoreError::RunNotFound(id));
    }
    let sql = format!("SELECT COALESCE(MAX(seq), 0) + 1 FROM {table} WHERE run_id = $1");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(conn)
        .await?)
}

pub(super) async fn record_rejections(
    pool: &PgPool,
    id: RunId,
    rows: Vec<RejectedRow>,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut numbers = Vec::with_capacity(rows.len());
    let mut anchors = Vec::with_capacity(rows.len());
    let mut reasons = Vec::with_capacity(rows.len());
    for row in rows {
        numbers.push(i64::try_from(row.row_number).unwrap_or(i64::MAX));
        anchors.push(row.anchor);
        reasons.push(row.reason);
    }
    let mut tx = pool.begin().await?;
    let first = next_seq(&mut tx, "run_rejection", id).await?;
    sqlx::query(
        "INSERT INTO run_rejection (run_id, seq, row_number, anchor, reason) \
         SELECT $1, $2 + u.ord - 1, u.row_number, u.anchor, u.reason \
         FROM UNNEST($3::bigint[], $4::text[], $5::text[]) WITH ORDINALITY \
           AS u(row_number, anchor, reason, ord)",
    )
    .bind(id)
    .bind(first)
    .bind(numbers)
    .bind(anchors)
    .bind(reasons)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn record_conflicts(
    pool: &PgPool,
    id: RunId,
    rows: Vec<HeldConflict>,
) -> StoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut anchors = Vec::with_capacity(rows.len());
    let mut emails = Vec::with_capacity(rows.len());
    let mut reasons = Vec::with_capacity(rows.len());
    for row in rows {
        anchors.push(row.anchor);
        emails.push(row.email);
        reasons.push(row.reason);
    }
    let mut tx = pool.begin().await?;
    let first = next_seq(&mut tx, "run_conflict", id).await?;
    sqlx::query(
        "INSERT INTO run_conflict (run_id, seq, anchor, email, reason) \
         SELECT $1, $2 + u.ord - 1, u.anchor, u.email, u.reason \
         FROM UNNEST($3::text[], $4::text[], $5::text[]) WITH ORDINALITY \
           AS u(anchor, email, reason, ord)",
    )
    .bind(id)
    .bind(first)
    .bind(anchors)
    .bind(emails)
    .bind(reasons)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn rejections(pool: &PgPool, id: RunId) -> StoreResult<Vec<RejectedRow>> {
    let rows = sqlx::query(
        "SELECT row_number, anchor, reason FROM run_rejection WHERE run_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(rejected_row).collect()
}

pub(super) async fn conflicts(pool: &PgPool, id: RunId) -> StoreResult<Vec<HeldConflict>> {
    let rows = sqlx::query(
        "SELECT anchor, email, reason FROM run_conflict WHERE run_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(held_conflict).collect()
}
