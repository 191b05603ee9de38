//! Redemption tracking on SQLite: the observations of a cycle in one `UPDATE … FROM json_each`
//! statement (one bound parameter, whatever the number of guests), and counts by state.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::codec::ts;
use crate::store::rows::redemption_tally as tally;
use crate::store::{RedemptionObservation, RedemptionState, StoreResult};

pub(super) async fn record(
    pool: &SqlitePool,
    now: DateTime<Utc>,
    seen: Vec<RedemptionObservation>,
) -> StoreResult<u64> {
    if seen.is_empty() {
        return Ok(0);
    }
    let rows: Vec<(String, &str, Option<String>)> = seen
        .into_iter()
        .map(|o| (o.anchor, o.state.as_str(), o.changed_at.map(ts)))
        .collect();
    let done = sqlx::query(
        "UPDATE link SET redemption_state = v.state, redemption_changed_at = v.changed_at, \
           redemption_seen_at = CASE WHEN link.redemption_state IS v.state \
             THEN COALESCE(link.redemption_seen_at, ?2) ELSE ?2 END \
         FROM (SELECT json_extract(value, '$[0]') AS anchor, \
                      json_extract(value, '$[1]') AS state, \
                      json_extract(value, '$[2]') AS changed_at FROM json_each(?1)) AS v \
         WHERE link.anchor = v.anchor \
           AND (link.redemption_state IS NOT v.state \
                OR link.redemption_changed_at IS NOT v.changed_at)",
    )
    .bind(serde_json::to_string(&rows)?)
    .bind(ts(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

pub(super) async fn counts(pool: &SqlitePool) -> StoreResult<BTreeMap<RedemptionState, u64>> {
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT redemption_state, COUNT(*) FROM link WHERE deleted_at IS NULL \
         GROUP BY redemption_state",
    )
    .fetch_all(pool)
    .await?;
    tally(rows)
}

pub(super) async fn invited(pool: &SqlitePool) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar(crate::store::rows::INVITED_LINKS_SQL)
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}
