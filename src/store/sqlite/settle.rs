//! Settling claimed items on SQLite. Every settle is fenced by (anchor, lease token,
//! `running`), runs under `BEGIN IMMEDIATE`, and appends to the attempt history.

use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqlitePool};

use super::claim::settled;
use super::codec::ts;
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
    claimed_at: Option<String>,
}

async fn fenced(
    conn: &mut SqliteConnection,
    anchor: &str,
    token: i64,
) -> StoreResult<Option<Fenced>> {
    let row: Option<Fenced> = sqlx::query_as(
        "SELECT lease_owner, action, desired_gen, claimed_at FROM item \
         WHERE anchor = ?1 AND lease_token = ?2 AND state = 'running'",
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
    conn: &mut SqliteConnection,
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
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )
    .bind(anchor)
    .bind(ts(now))
    .bind(item.owner.as_deref())
    .bind(token)
    .bind(&item.action)
    .bind(item.desired_gen)
    .bind(attempt.outcome.as_str())
    .bind(attempt.run_after.map(ts))
    .bind(attempt.reason)
    .bind(error.map(|e| e.class.as_str()))
    .bind(error.map(|e| e.code.as_str()))
    .bind(error.map(|e| e.message.as_str()))
    .bind(error.and_then(|e| e.request_id.as_deref()))
    .bind(error.and_then(|e| e.status).map(i64::from))
    .bind(item.claimed_at.as_ref())
    .execute(conn)
    .await?;
    Ok(())
}

/// Appends the success to the history straight from the row, if the lease is still held
/// (anchor, token, `running`): the fence check and the append are one statement. Must run
/// before the settling update, which clears the lease owner.
const APPEND_SUCCESS: &str = "INSERT INTO attempt (anchor, at, owner, lease_token, action, \
     desired_gen, outcome, claimed_at) \
     SELECT anchor, ?3, lease_owner, lease_token, action, desired_gen, 'succeeded', claimed_at \
     FROM item WHERE anchor = ?1 AND lease_token = ?2 AND state = 'running'";

/// A success: two statements under `BEGIN IMMEDIATE` (the fenced append, then the settle),
/// plus the link change if there is one.
pub(super) async fn complete(
    pool: &SqlitePool,
    anchor: &str,
    token: i64,
    applied_gen: i64,
    now: DateTime<Utc>,
    link: LinkUpdate,
) -> StoreResult<SettleResult> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let appended = sqlx::query(APPEND_SUCCESS)
        .bind(anchor)
        .bind(token)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    if appended.rows_affected() == 0 {
        return Ok(SettleResult::LeaseLost);
    }
    sqlx::query(
        "UPDATE item SET applied_gen = MAX(applied_gen, ?3), \
         state = CASE WHEN desired_gen > ?3 THEN 'pending' ELSE 'done' END, \
         run_after = ?4, attempts = 0, lease_owner = NULL, lease_until = NULL, \
         last_error = NULL, updated_at = ?4 WHERE anchor = ?1 AND lease_token = ?2",
    )
    .bind(anchor)
    .bind(token)
    .bind(applied_gen)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
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
                "UPDATE item SET state = 'pending', run_after = ?3, attempts = attempts + 1, \
                 last_error = ?4, lease_owner = NULL, lease_until = NULL, updated_at = ?5 \
                 WHERE anchor = ?1 AND lease_token = ?2"
            }
            Failure::Snooze(..) => {
                "UPDATE item SET state = 'pending', run_after = ?3, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ?5, last_error = COALESCE(?4, last_error) \
                 WHERE anchor = ?1 AND lease_token = ?2"
            }
            Failure::Dead(..) => {
                "UPDATE item SET state = 'dead', run_after = COALESCE(?3, run_after), \
                 attempts = attempts + 1, last_error = ?4, lease_owner = NULL, \
                 lease_until = NULL, updated_at = ?5 WHERE anchor = ?1 AND lease_token = ?2"
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
    pool: &SqlitePool,
    anchor: &str,
    token: i64,
    now: DateTime<Utc>,
    failure: Failure<'_>,
) -> StoreResult<SettleResult> {
    let attempt = failure.attempt();
    let last_error = attempt.error.map(serde_json::to_string).transpose()?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let Some(item) = fenced(&mut tx, anchor, token).await? else {
        return Ok(SettleResult::LeaseLost);
    };
    let done = sqlx::query(failure.sql())
        .bind(anchor)
        .bind(token)
        .bind(attempt.run_after.map(ts))
        .bind(last_error)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
    append(&mut tx, anchor, token, now, &item, attempt).await?;
    tx.commit().await?;
    Ok(settled(done.rows_affected()))
}

pub(super) async fn progress(
    pool: &SqlitePool,
    anchor: &str,
    token: i64,
    now: DateTime<Utc>,
    progress: ItemProgress,
) -> StoreResult<SettleResult> {
    let payload = serde_json::to_string(&progress.payload)?;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let Some(item) = fenced(&mut tx, anchor, token).await? else {
        return Ok(SettleResult::LeaseLost);
    };
    sqlx::query(
        "UPDATE item SET state = 'pending', run_after = ?3, action = ?4, payload = ?5, \
         lease_owner = NULL, lease_until = NULL, updated_at = ?6 \
         WHERE anchor = ?1 AND lease_token = ?2",
    )
    .bind(anchor)
    .bind(token)
    .bind(ts(progress.run_after))
    .bind(&progress.action)
    .bind(payload)
    .bind(ts(now))
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
