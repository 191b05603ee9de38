//! Settling claimed items on PostgreSQL. Every settle locks and fences its row (anchor, lease
//! token, `running`) inside one transaction, and appends to the attempt history.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use super::claim::settled;
use super::links;
use crate::store::{
    AttemptOutcome, ItemError, ItemProgress, LinkUpdate, SettleResult, StoreResult,
};

/// The lease holder's view of the item, read inside the settling transaction.
#[derive(sqlx::FromRow)]
struct Fenced {
    #[sqlx(rename = "lease_owner")]
    owner: Option<String>,
    action: String,
    desired_gen: i64,
    claimed_at: Option<DateTime<Utc>>,
}

async fn fenced(conn: &mut PgConnection, anchor: &str, token: i64) -> StoreResult<Option<Fenced>> {
    let row: Option<Fenced> = sqlx::query_as(
        "SELECT lease_owner, action, desired_gen, claimed_at FROM item \
         WHERE anchor = $1 AND lease_token = $2 AND state = 'running' FOR UPDATE",
    )
    .bind(anchor)
    .bind(token)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

/// What one settle appends to the history.
struct Attempt<'a> {
    outcome: AttemptOutcome,
    run_after: Option<DateTime<Utc>>,
    reason: Option<&'a str>,
    error: Option<&'a ItemError>,
}

async fn append(
    conn: &mut PgConnection,
    anchor: &str,
    token: i64,
    now: DateTime<Utc>,
    item: &Fenced,
    attempt: Attempt<'_>,
) -> StoreResult<()> {
    let error = attempt.error;
    sqlx::query(
        "INSERT INTO attempt (anchor, at, owner, lease_token, action, desired_gen, outcome, \
         run_after, reason, error_class, error_code, error_message, request_id, status, \
         claimed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(anchor)
    .bind(now)
    .bind(item.owner.as_deref())
    .bind(token)
    .bind(&item.action)
    .bind(item.desired_gen)
    .bind(attempt.outcome.as_str())
    .bind(attempt.run_after)
    .bind(attempt.reason)
    .bind(error.map(|e| e.class.as_str()))
    .bind(error.map(|e| e.code.as_str()))
    .bind(error.map(|e| e.message.as_str()))
    .bind(error.and_then(|e| e.request_id.as_deref()))
    .bind(error.and_then(|e| e.status).map(i64::from))
    .bind(item.claimed_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The fenced part of a success in one statement: lock the row if the lease is still held
/// (anchor, token, `running`), settle it (done, or pending again if the desired state moved
/// on) and append the attempt from the locked row. Returns how many rows it settled (0 or 1).
///
/// When it settles a row it also turns `synchronous_commit` off for its transaction only (the
/// statement's own, or the one that also writes the link): the commit does not wait for the
/// WAL flush. Visibility is immediate; only durability against a crash of the PostgreSQL
/// server itself is relaxed, for at most 3 × `wal_writer_delay` (600 ms by default). A success
/// lost that way leaves the item running under its lease; the rescuer hands it back when the
/// lease expires and the action runs again, which is safe because every action is idempotent
/// at Graph (an invitation of an existing guest returns that guest: the lost-response row of
/// the fault matrix). Claims and failure settles stay durable: a lost claim could hand out one
/// fencing token twice. One durable commit per item instead of two is what bounds the
/// PostgreSQL queue (BENCHMARKS.md §3).
const COMPLETE: &str = "WITH f AS (SELECT anchor, lease_owner, action, desired_gen, claimed_at \
       FROM item WHERE anchor = $1 AND lease_token = $2 AND state = 'running' FOR UPDATE), \
     u AS (UPDATE item SET applied_gen = GREATEST(item.applied_gen, $3), \
         state = CASE WHEN item.desired_gen > $3 THEN 'pending' ELSE 'done' END, \
         run_after = $4, attempts = 0, lease_owner = NULL, lease_until = NULL, \
         last_error = NULL, updated_at = $4 \
       FROM f WHERE item.anchor = f.anchor RETURNING item.anchor), \
     a AS (INSERT INTO attempt (anchor, at, owner, lease_token, action, desired_gen, outcome, \
         claimed_at) \
       SELECT f.anchor, $4, f.lease_owner, $2, f.action, f.desired_gen, 'succeeded', \
         f.claimed_at FROM f) \
     SELECT COUNT(*) FROM u, (SELECT set_config('synchronous_commit', 'off', true)) AS c";

async fn complete_item(
    conn: &mut PgConnection,
    anchor: &str,
    token: i64,
    applied_gen: i64,
    now: DateTime<Utc>,
) -> StoreResult<SettleResult> {
    let settled_rows: i64 = sqlx::query_scalar(COMPLETE)
        .bind(anchor)
        .bind(token)
        .bind(applied_gen)
        .bind(now)
        .fetch_one(conn)
        .await?;
    Ok(settled(settled_rows.unsigned_abs()))
}

/// A success. Without a link change it is one statement (its own transaction: one round trip
/// and one asynchronous commit, the hot path of a fast queue); with one, the link is written
/// in the same transaction after the fenced settle. See [`COMPLETE`] for the commit.
pub(super) async fn complete(
    pool: &PgPool,
    anchor: &str,
    token: i64,
    applied_gen: i64,
    now: DateTime<Utc>,
    link: LinkUpdate,
) -> StoreResult<SettleResult> {
    if matches!(link, LinkUpdate::Keep) {
        let mut conn = pool.acquire().await?;
        return complete_item(&mut conn, anchor, token, applied_gen, now).await;
    }
    let mut tx = pool.begin().await?;
    if complete_item(&mut tx, anchor, token, applied_gen, now).await? == SettleResult::LeaseLost {
        return Ok(SettleResult::LeaseLost);
    }
    links::apply(&mut tx, anchor, now, &link).await?;
    tx.commit().await?;
    Ok(SettleResult::Settled)
}

/// The failure settles: retry (pending later, attempts + 1), snooze (pending later, attempts
/// unchanged) and dead (attempts + 1).
pub(super) enum Failure<'a> {
    /// A transient failure.
    Retry(DateTime<Utc>, &'a ItemError),
    /// Throttled.
    Snooze(DateTime<Utc>, &'a str),
    /// A permanent failure.
    Dead(&'a ItemError),
}

impl Failure<'_> {
    fn sql(&self) -> &'static str {
        match self {
            Failure::Retry(..) => {
                "UPDATE item SET state = 'pending', run_after = $3, attempts = attempts + 1, \
                 last_error = $4, lease_owner = NULL, lease_until = NULL, updated_at = $5 \
                 WHERE anchor = $1 AND lease_token = $2 AND state = 'running'"
            }
            Failure::Snooze(..) => {
                "UPDATE item SET state = 'pending', run_after = $3, lease_owner = NULL, \
                 lease_until = NULL, updated_at = $5, last_error = COALESCE($4, last_error) \
                 WHERE anchor = $1 AND lease_token = $2 AND state = 'running'"
            }
            Failure::Dead(..) => {
                "UPDATE item SET state = 'dead', run_after = COALESCE($3, run_after), \
                 attempts = attempts + 1, last_error = $4, lease_owner = NULL, \
                 lease_until = NULL, updated_at = $5 \
                 WHERE anchor = $1 AND lease_token = $2 AND state = 'running'"
            }
        }
    }

    fn attempt(&self) -> Attempt<'_> {
        let (outcome, run_after, reason, error) = match *self {
            Failure::Retry(at, e) => (AttemptOutcome::Retry, Some(at), None, Some(e)),
            Failure::Snooze(at, why) => (AttemptOutcome::Snoozed, Some(at), Some(why), None),
            Failure::Dead(e) => (AttemptOutcome::Dead, None, None, Some(e)),
        };
        Attempt {
            outcome,
            run_after,
            reason,
            error,
        }
    }
}

pub(super) async fn fail(
    pool: &PgPool,
    anchor: &str,
    token: i64,
    now: DateTime<Utc>,
    failure: Failure<'_>,
) -> StoreResult<SettleResult> {
    let attempt = failure.attempt();
    let last_error = attempt.error.map(Json);
    let mut tx = pool.begin().await?;
    let Some(item) = fenced(&mut tx, anchor, token).await? else {
        return Ok(SettleResult::LeaseLost);
    };
    let done = sqlx::query(failure.sql())
        .bind(anchor)
        .bind(token)
        .bind(attempt.run_after)
        .bind(last_error)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    append(&mut tx, anchor, token, now, &item, attempt).await?;
    tx.commit().await?;
    Ok(settled(done.rows_affected()))
}

pub(super) async fn progress(
    pool: &PgPool,
    anchor: &str,
    token: i64,
    now: DateTime<Utc>,
    progress: ItemProgress,
) -> StoreResult<SettleResult> {
    let mut tx = pool.begin().await?;
    let Some(item) = fenced(&mut tx, anchor, token).await? else {
        return Ok(SettleResult::LeaseLost);
    };
    sqlx::query(
        "UPDATE item SET state = 'pending', run_after = $3, action = $4, payload = $5, \
         lease_owner = NULL, lease_until = NULL, updated_at = $6 \
         WHERE anchor = $1 AND lease_token = $2 AND state = 'running'",
    )
    .bind(anchor)
    .bind(token)
    .bind(progress.run_after)
    .bind(&progress.action)
    .bind(Json(&progress.payload))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    links::apply(&mut tx, anchor, now, &progress.link).await?;
    let attempt = Attempt {
        outcome: AttemptOutcome::Snoozed,
        run_after: Some(progress.run_after),
        reason: Some(&progress.reason),
        error: None,
    };
    append(&mut tx, anchor, token, now, &item, attempt).await?;
    tx.commit().await?;
    Ok(SettleResult::Settled)
}
