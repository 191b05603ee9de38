//! Links on PostgreSQL: read, list, remove, and the change a settle makes.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool, Row};

use super::codec::col_u32;
use crate::store::rows::redemption_state;
use crate::store::{Link, LinkFields, LinkUpdate, RedeemUrl, StoreResult};

const LINK_COLUMNS: &str = "anchor, object_id, user_principal_name, email, invited_at, \
    redeem_url, disabled_by_us, last_applied, last_applied_at, deleted_at, redemption_state, \
    redemption_changed_at, redemption_seen_at, reinvites, reinvited_at, disabled_at, expired_at";

fn link_from_row(row: &PgRow) -> StoreResult<Link> {
    Ok(Link {
        anchor: row.try_get("anchor")?,
        object_id: row.try_get("object_id")?,
        user_principal_name: row.try_get("user_principal_name")?,
        email: row.try_get("email")?,
        invited_at: row.try_get("invited_at")?,
        redeem_url: row
            .try_get::<Option<String>, _>("redeem_url")?
            .map(RedeemUrl::new),
        disabled_by_us: row.try_get("disabled_by_us")?,
        last_applied: row.try_get("last_applied")?,
        last_applied_at: row.try_get("last_applied_at")?,
        deleted_at: row.try_get("deleted_at")?,
        redemption_state: redemption_state(row.try_get("redemption_state")?)?,
        redemption_changed_at: row.try_get("redemption_changed_at")?,
        redemption_seen_at: row.try_get("redemption_seen_at")?,
        reinvites: col_u32(row, "reinvites")?,
        reinvited_at: row.try_get("reinvited_at")?,
        disabled_at: row.try_get("disabled_at")?,
        expired_at: row.try_get("expired_at")?,
    })
}

pub(super) async fn get(pool: &PgPool, anchor: &str) -> StoreResult<Option<Link>> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM link WHERE anchor = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(anchor)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(link_from_row).transpose()
}

pub(super) async fn list(pool: &PgPool) -> StoreResult<Vec<Link>> {
    let mut links = Vec::new();
    for_each(pool, &mut |link| links.push(link)).await?;
    Ok(links)
}

/// Streamed and decoded row by row: the raw rows of a large table are never all held at once
/// next to the links made from them.
pub(super) async fn for_each(
    pool: &PgPool,
    each: &mut (dyn FnMut(Link) + Send),
) -> StoreResult<()> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM link ORDER BY anchor");
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        each(link_from_row(&row)?);
    }
    Ok(())
}

pub(super) async fn remove(pool: &PgPool, anchor: &str) -> StoreResult<bool> {
    let done = sqlx::query("DELETE FROM link WHERE anchor = $1")
        .bind(anchor)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Applies `update` inside the caller's (settling) transaction.
pub(super) async fn apply(
    conn: &mut PgConnection,
    anchor: &str,
    now: DateTime<Utc>,
    update: &LinkUpdate,
) -> StoreResult<()> {
    match update {
        LinkUpdate::Keep => {}
        LinkUpdate::Upsert(fields) => upsert(&mut *conn, anchor, now, fields).await?,
        LinkUpdate::UpsertAndMail(fields, mail) => {
            upsert(&mut *conn, anchor, now, fields).await?;
            super::mail::queue(conn, anchor, now, &fields.object_id, mail).await?;
        }
        LinkUpdate::MarkDeleted => mark_deleted(conn, anchor, now).await?,
        LinkUpdate::Renewed(fields, mail) => {
            upsert(&mut *conn, anchor, now, fields).await?;
            sqlx::query(
                "UPDATE link SET reinvites = reinvites + 1, reinvited_at = $2 WHERE anchor = $1",
            )
            .bind(anchor)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            if let Some(mail) = mail {
                super::mail::queue(conn, anchor, now, &fields.object_id, mail).await?;
            }
        }
        LinkUpdate::Expired(fields) => {
            match fields {
                Some(fields) => upsert(&mut *conn, anchor, now, fields).await?,
                None => mark_deleted(&mut *conn, anchor, now).await?,
            }
            sqlx::query("UPDATE link SET expired_at = $2 WHERE anchor = $1")
                .bind(anchor)
                .bind(now)
                .execute(conn)
                .await?;
        }
        LinkUpdate::Remove => {
            sqlx::query("DELETE FROM link WHERE anchor = $1")
                .bind(anchor)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

async fn mark_deleted(
    conn: &mut PgConnection,
    anchor: &str,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE link SET deleted_at = $2 WHERE anchor = $1")
        .bind(anchor)
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// Insert or update; `None` for UPN, invitation time or redeem URL keeps the stored value.
async fn upsert(
    conn: &mut PgConnection,
    anchor: &str,
    now: DateTime<Utc>,
    f: &LinkFields,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO link (anchor, object_id, user_principal_name, email, invited_at, \
         redeem_url, disabled_by_us, last_applied, last_applied_at, deleted_at, disabled_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, CASE WHEN $7 THEN $9 END) \
         ON CONFLICT (anchor) DO UPDATE SET object_id = excluded.object_id, \
           user_principal_name = COALESCE(excluded.user_principal_name, link.user_principal_name), \
           email = excluded.email, invited_at = COALESCE(excluded.invited_at, link.invited_at), \
           redeem_url = COALESCE(excluded.redeem_url, link.redeem_url), \
           disabled_by_us = excluded.disabled_by_us, last_applied = excluded.last_applied, \
           last_applied_at = excluded.last_applied_at, deleted_at = NULL, \
           reinvites = CASE WHEN link.object_id = excluded.object_id \
             AND link.email = excluded.email THEN link.reinvites ELSE 0 END, \
           reinvited_at = CASE WHEN link.object_id = excluded.object_id \
             AND link.email = excluded.email THEN link.reinvited_at END, \
           disabled_at = CASE WHEN excluded.disabled_by_us \
             THEN COALESCE(link.disabled_at, excluded.last_applied_at) END, \
           expired_at = CASE WHEN excluded.disabled_by_us THEN link.expired_at END",
    )
    .bind(anchor)
    .bind(&f.object_id)
    .bind(f.user_principal_name.as_deref())
    .bind(&f.email)
    .bind(f.invited_at)
    .bind(f.redeem_url.as_ref().map(RedeemUrl::expose))
    .bind(f.disabled_by_us)
    .bind(Json(&f.last_applied))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
