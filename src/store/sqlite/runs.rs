//! Runs on SQLite: start, finish, read, and the rows a run rejected or held as conflicts.

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::codec::{col_opt_ts, col_ts, count, ts};
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
pub(super) async fn start(pool: &SqlitePool, now: DateTime<Utc>, kind: &str) -> StoreResult<RunId> {
    if kind != ON_DEMAND_RUN {
        sqlx::query(
            "UPDATE run SET finished_at = ?1, outcome = 'failed', failure_reason = ?2 \
             WHERE finished_at IS NULL AND kind <> ?3",
        )
        .bind(ts(now))
        .bind(ABANDONED_RUN)
        .bind(ON_DEMAND_RUN)
        .execute(pool)
        .await?;
    }
    let id = sqlx::query_scalar("INSERT INTO run (kind, started_at) VALUES (?1, ?2) RETURNING id")
        .bind(kind)
        .bind(ts(now))
        .fetch_one(pool)
        .await?;
    Ok(id)
}

pub(super) async fn finish(
    pool: &SqlitePool,
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
        "UPDATE run SET finished_at = ?2, outcome = ?3, failure_reason = ?4, counts = ?5, \
         held_status = CASE WHEN ?3 = 'held' THEN COALESCE(held_status, 'waiting') \
         ELSE held_status END WHERE id = ?1",
    )
    .bind(id)
    .bind(ts(now))
    .bind(name)
    .bind(reason)
    .bind(serde_json::to_string(&counts)?)
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::RunNotFound(id));
    }
    Ok(())
}

fn run_from_row(row: &SqliteRow) -> StoreResult<RunRecord> {
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
    Ok(RunRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        started_at: col_ts(row, "started_at")?,
        finished_at: col_opt_ts(row, "finished_at")?,
        outcome,
        counts: serde_json::from_str(&row.try_get::<String, _>("counts")?)?,
        held,
        held_actions: count(row.try_get("held_actions")?),
        held_decided_at: col_opt_ts(row, "held_decided_at")?,
        superseded_by: row.try_get("held_superseded_by")?,
    })
}

pub(super) async fn list(pool: &SqlitePool, limit: u32) -> StoreResult<Vec<RunRecord>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run ORDER BY id DESC LIMIT ?1");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    rows.iter().map(run_from_row).collect()
}

pub(super) async fn held(pool: &SqlitePool) -> StoreResult<Vec<RunRecord>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run WHERE held_status = 'waiting' ORDER BY id");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(pool)
        .await?;
    rows.iter().map(run_from_row).collect()
}

pub(super) async fn get(pool: &SqlitePool, id: RunId) -> StoreResult<RunRecord> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM run WHERE id = ?1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref()
        .map(run_from_row)
        .unwrap_or(Err(StoreError::RunNotFound(id)))
}

/// The next free sequence number of a per-run table.
async fn next_seq(tx: &mut sqlx::SqliteConnection, table: &str, id: RunId) -> StoreResult<i64> {
    let sql = format!("SELECT COALESCE(MAX(seq), 0) + 1 FROM {table} WHERE run_id = ?1");
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(tx)
        .await?)
}

pub(super) async fn record_rejections(
    pool: &SqlitePool,
    id: RunId,
    rows: Vec<RejectedRow>,
) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let first = next_seq(&mut tx, "run_rejection", id).await?;
    for (seq, row) in (first..).zip(rows) {
        sqlx::query(
            "INSERT INTO run_rejection (run_id, seq, row_number, anchor, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(id)
        .bind(seq)
        .bind(i64::try_from(row.row_number).unwrap_or(i64::MAX))
        .bind(row.anchor)
        .bind(row.reason)
        .execute(&mut *tx)
        .await
        .map_err(|e| missing_run(e, id))?;
    }
    tx.commit().await?;
    Ok(())
}

pub(super) async fn record_conflicts(
    pool: &SqlitePool,
    id: RunId,
    rows: Vec<HeldConflict>,
) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let first = next_seq(&mut tx, "run_conflict", id).await?;
    for (seq, row) in (first..).zip(rows) {
        sqlx::query(
            "INSERT INTO run_conflict (run_id, seq, anchor, email, reason) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(id)
        .bind(seq)
        .bind(row.anchor)
        .bind(row.email)
        .bind(row.reason)
        .execute(&mut *tx)
        .await
        .map_err(|e| missing_run(e, id))?;
    }
    tx.commit().await?;
    Ok(())
}

/// A foreign-key violation on a per-run table means the run does not exist.
fn missing_run(e: sqlx::Error, id: RunId) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::RunNotFound(id),
        _ => StoreError::Database(e),
    }
}

pub(super) async fn rejections(pool: &SqlitePool, id: RunId) -> StoreResult<Vec<RejectedRow>> {
    let rows = sqlx::query(
        "SELECT row_number, anchor, reason FROM run_rejection WHERE run_id = ?1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(rejected_row).collect()
}

pub(super) async fn conflicts(pool: &SqlitePool, id: RunId) -> StoreResult<Vec<HeldConflict>> {
    let rows = sqlx::query(
        "SELECT anchor, email, reason FROM run_conflict WHERE run_id = ?1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(held_conflict).collect()
}
