//! Plan recording on SQLite: the coalescing upsert, and the held actions of braked runs.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::codec::ts;
use crate::store::{PlannedItem, RecordSummary, RunId, StoreError, StoreResult};

/// Rows per multi-row upsert (4 parameters a row, far below SQLite's parameter limit).
const CHUNK: usize = 500;

/// A planned item with its payload already encoded.
struct Encoded {
    anchor: String,
    action: String,
    desired_hash: String,
    payload: String,
}

fn encode(items: Vec<PlannedItem>) -> StoreResult<Vec<Encoded>> {
    items
        .into_iter()
        .map(|i| {
            Ok(Encoded {
                payload: serde_json::to_string(&i.payload)?,
                anchor: i.anchor,
                action: i.action,
                desired_hash: i.desired_hash,
            })
        })
        .collect()
}

/// The coalescing upsert for `rows` rows: `?1` = now, `?2` = run id, then 4 per row.
/// Same hash: nothing. New hash: `desired_gen + 1`; done/dead are revived (attempts reset,
/// claimable now); pending becomes claimable now; running stays running (the worker's complete
/// sees `desired_gen > applied_gen` and puts it back to pending).
fn upsert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = 3 + r * 4;
            format!(
                "(?{}, ?{}, ?{}, ?{}, 1, 'pending', ?1, ?2, ?1, ?1)",
                p,
                p + 1,
                p + 2,
                p + 3
            )
        })
        .collect();
    format!(
        "INSERT INTO item (anchor, action, desired_hash, payload, desired_gen, state, run_after, \
         run_id, created_at, updated_at) VALUES {} \
         ON CONFLICT (anchor) DO UPDATE SET \
           desired_gen = item.desired_gen + 1, desired_hash = excluded.desired_hash, \
           action = excluded.action, payload = excluded.payload, run_id = excluded.run_id, \
           state = CASE WHEN item.state IN ('done', 'dead') THEN 'pending' ELSE item.state END, \
           attempts = CASE WHEN item.state IN ('done', 'dead') THEN 0 ELSE item.attempts END, \
           run_after = CASE WHEN item.state = 'running' THEN item.run_after \
                       ELSE excluded.run_after END, \
           updated_at = excluded.updated_at \
         WHERE item.desired_hash IS NOT excluded.desired_hash \
         RETURNING desired_gen",
        values.join(", ")
    )
}

/// Upserts `items` inside the caller's transaction.
async fn upsert(
    conn: &mut SqliteConnection,
    run_id: RunId,
    now: DateTime<Utc>,
    items: &[Encoded],
) -> StoreResult<RecordSummary> {
    let now = ts(now);
    let mut summary = RecordSummary::default();
    for chunk in items.chunks(CHUNK) {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(upsert_sql(chunk.len())))
            .bind(&now)
            .bind(run_id);
        for item in chunk {
            query = query
                .bind(&item.anchor)
                .bind(&item.action)
                .bind(&item.desired_hash)
                .bind(&item.payload);
        }
        let returned = query.fetch_all(&mut *conn).await?;
        for row in &returned {
            match row.try_get::<i64, _>(0)? {
                1 => summary.inserted += 1,
                _ => summary.changed += 1,
            }
        }
        summary.unchanged += (chunk.len() - returned.len()) as u64;
    }
    Ok(summary)
}

pub(super) async fn record(
    pool: &SqlitePool,
    run_id: RunId,
    now: DateTime<Utc>,
    items: Vec<PlannedItem>,
) -> StoreResult<RecordSummary> {
    let items = encode(items)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    held_status(&mut tx, run_id).await?;
    let summary = upsert(&mut tx, run_id, now, &items).await?;
    tx.commit().await?;
    Ok(summary)
}

/// The held status of a run and the run that superseded it;
/// `RunNotFound` if there is no such run.
async fn held_status(
    conn: &mut SqliteConnection,
    run_id: RunId,
) -> StoreResult<(Option<String>, Option<RunId>)> {
    let row: Option<(Option<String>, Option<RunId>)> =
        sqlx::query_as("SELECT held_status, held_superseded_by FROM run WHERE id = ?1")
            .bind(run_id)
            .fetch_optional(conn)
            .await?;
    row.ok_or(StoreError::RunNotFound(run_id))
}

/// Fails unless the run is waiting for an operator (or, with `allow_new`, not held yet).
async fn require_waiting(
    conn: &mut SqliteConnection,
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
    pool: &SqlitePool,
    run_id: RunId,
    items: Vec<PlannedItem>,
) -> StoreResult<()> {
    let items = encode(items)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    require_waiting(&mut tx, run_id, true).await?;
    for item in &items {
        sqlx::query(
            "INSERT INTO held_action (run_id, anchor, action, desired_hash, payload) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (run_id, anchor) DO UPDATE SET \
             action = excluded.action, desired_hash = excluded.desired_hash, \
             payload = excluded.payload",
        )
        .bind(run_id)
        .bind(&item.anchor)
        .bind(&item.action)
        .bind(&item.desired_hash)
        .bind(&item.payload)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query(
        "UPDATE run SET held_status = 'waiting', held_actions = \
         (SELECT COUNT(*) FROM held_action WHERE run_id = ?1) WHERE id = ?1",
    )
    .bind(run_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn approve(
    pool: &SqlitePool,
    run_id: RunId,
    now: DateTime<Utc>,
) -> StoreResult<RecordSummary> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    require_waiting(&mut tx, run_id, false).await?;
    let rows = sqlx::query(
        "SELECT anchor, action, desired_hash, payload FROM held_action WHERE run_id = ?1 \
         ORDER BY anchor",
    )
    .bind(run_id)
    .fetch_all(&mut *tx)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(Encoded {
                anchor: r.try_get("anchor")?,
                action: r.try_get("action")?,
                desired_hash: r.try_get("desired_hash")?,
                payload: r.try_get("payload")?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    let summary = upsert(&mut tx, run_id, now, &items).await?;
    decide(&mut tx, run_id, now, "approved").await?;
    tx.commit().await?;
    Ok(summary)
}

pub(super) async fn reject(
    pool: &SqlitePool,
    run_id: RunId,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    require_waiting(&mut tx, run_id, false).await?;
    decide(&mut tx, run_id, now, "rejected").await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn supersede(
    pool: &SqlitePool,
    newer: RunId,
    now: DateTime<Utc>,
) -> StoreResult<Vec<RunId>> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let ids: Vec<RunId> = sqlx::query_scalar(
        "SELECT id FROM run WHERE held_status = 'waiting' AND id < ?1 ORDER BY id",
    )
    .bind(newer)
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        decide(&mut tx, *id, now, "rejected").await?;
    }
    sqlx::query(
        "UPDATE run SET held_superseded_by = ?1 WHERE id IN (SELECT value FROM json_each(?2))",
    )
    .bind(newer)
    .bind(serde_json::to_string(&ids)?)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(ids)
}

/// Drops the held actions and records the operator's decision.
async fn decide(
    conn: &mut SqliteConnection,
    run_id: RunId,
    now: DateTime<Utc>,
    status: &'static str,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM held_action WHERE run_id = ?1")
        .bind(run_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE run SET held_status = ?2, held_decided_at = ?3 WHERE id = ?1")
        .bind(run_id)
        .bind(status)
        .bind(ts(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
