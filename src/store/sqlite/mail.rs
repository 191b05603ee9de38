//! The invitation-mail outbox on SQLite: queued inside the settling transaction, claimed with
//! one `UPDATE … RETURNING` under a lease, settled fenced by the invitation generation.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::codec::{col_opt_ts, col_ts, col_u32, count, ts};
use crate::store::rows::{MAIL_COLUMNS, MAIL_RECORD_COLUMNS, mail_state};
use crate::store::{
    InvitationMail, ItemError, MailRecord, MailState, PendingMail, RedeemUrl, StoreResult,
};

/// Queues the mail of a new invitation inside the caller's transaction; replaces the anchor's
/// older mail (sent or not) and bumps its generation.
pub(super) async fn queue(
    conn: &mut SqliteConnection,
    anchor: &str,
    now: DateTime<Utc>,
    object_id: &str,
    mail: &InvitationMail,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO invitation_mail (anchor, generation, object_id, email, display_name, redeem_url, \
           invited_at, state, attempts, run_after) \
         VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, 'pending', 0, ?6) \
         ON CONFLICT (anchor) DO UPDATE SET generation = invitation_mail.generation + 1, \
           object_id = excluded.object_id, email = excluded.email, \
           display_name = excluded.display_name, redeem_url = excluded.redeem_url, \
           invited_at = excluded.invited_at, state = 'pending', attempts = 0, \
           run_after = excluded.run_after, lease_until = NULL, last_error = NULL, sent_at = NULL",
    )
    .bind(anchor)
    .bind(object_id)
    .bind(&mail.email)
    .bind(mail.display_name.as_deref())
    .bind(mail.redeem_url.expose())
    .bind(ts(now))
    .execute(conn)
    .await?;
    Ok(())
}

fn pending_from_row(row: &SqliteRow) -> StoreResult<PendingMail> {
    Ok(PendingMail {
        anchor: row.try_get("anchor")?,
        generation: row.try_get("generation")?,
        object_id: row.try_get("object_id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        redeem_url: RedeemUrl::new(row.try_get::<String, _>("redeem_url")?),
        invited_at: col_ts(row, "invited_at")?,
        attempts: col_u32(row, "attempts")?,
    })
}

pub(super) async fn claim(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u32,
) -> StoreResult<Vec<PendingMail>> {
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let sql = format!(
        "UPDATE invitation_mail SET lease_until = ?2 WHERE anchor IN ( \
           SELECT anchor FROM invitation_mail WHERE state = 'pending' AND run_after <= ?1 \
             AND (lease_until IS NULL OR lease_until <= ?1) \
           ORDER BY run_after, anchor LIMIT ?3) \
         RETURNING {MAIL_COLUMNS}"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(ts(now))
        .bind(ts(until))
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await?;
    let mut mails = rows
        .iter()
        .map(pending_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    mails.sort_by(|a, b| a.anchor.cmp(&b.anchor));
    Ok(mails)
}

pub(super) async fn sent(
    pool: &SqlitePool,
    anchor: &str,
    generation: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let done = sqlx::query(
        "UPDATE invitation_mail SET state = 'sent', sent_at = ?3, lease_until = NULL, \
         last_error = NULL WHERE anchor = ?1 AND generation = ?2 AND state = 'pending'",
    )
    .bind(anchor)
    .bind(generation)
    .bind(ts(now))
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE item SET last_error = NULL \
         WHERE anchor = ?1 AND json_extract(last_error, '$.class') = 'mail'",
    )
    .bind(anchor)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn failed(
    pool: &SqlitePool,
    anchor: &str,
    generation: i64,
    error: &ItemError,
    retry_at: Option<DateTime<Utc>>,
) -> StoreResult<bool> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let done = sqlx::query(
        "UPDATE invitation_mail SET attempts = attempts + 1, lease_until = NULL, \
           state = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END, \
           run_after = COALESCE(?3, run_after), last_error = ?4 \
         WHERE anchor = ?1 AND generation = ?2 AND state = 'pending'",
    )
    .bind(anchor)
    .bind(generation)
    .bind(retry_at.map(ts))
    .bind(&error.message)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() > 0 {
        sqlx::query("UPDATE item SET last_error = ?2 WHERE anchor = ?1")
            .bind(anchor)
            .bind(serde_json::to_string(error)?)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(done.rows_affected() > 0)
}

pub(super) async fn get(pool: &SqlitePool, anchor: &str) -> StoreResult<Option<MailRecord>> {
    let sql = format!("SELECT {MAIL_RECORD_COLUMNS} FROM invitation_mail WHERE anchor = ?1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(anchor)
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(MailRecord {
        anchor: row.try_get("anchor")?,
        generation: row.try_get("generation")?,
        state: mail_state(&row.try_get::<String, _>("state")?)?,
        attempts: col_u32(&row, "attempts")?,
        run_after: col_ts(&row, "run_after")?,
        last_error: row.try_get("last_error")?,
        sent_at: col_opt_ts(&row, "sent_at")?,
    }))
}

pub(super) async fn counts(pool: &SqlitePool) -> StoreResult<BTreeMap<MailState, u64>> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM invitation_mail GROUP BY state")
            .fetch_all(pool)
            .await?;
    let mut counts: BTreeMap<MailState, u64> = MailState::ALL.into_iter().map(|s| (s, 0)).collect();
    for (state, n) in rows {
        counts.insert(mail_state(&state)?, count(n));
    }
    Ok(counts)
}
