//! Redemption tracking on PostgreSQL: the observations of a cycle in one `UPDATE … FROM UNNEST`
//! statement (three array parameters, whatever the number of guests), and counts by state.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::store::rows::redemption_tally as tally;
use crate::store::{RedemptionObservation, RedemptionState, StoreResult};

pub(super) async fn record(
    pool: &PgPool,
    now: DateTime<Utc>,
    mut seen: Vec<RedemptionObservation>,
) -> StoreResult<u64> {
    if seen.is_empty() {
        return Ok(0);
    }
    seen.sort_by(|a, b| a.anchor.cmp(&b.anchor));
    let mut anchors = Vec::with_capacity(seen.len());
    let mut states = Vec::with_capacity(seen.len());
    let mut changed = Vec::with_capacity(seen.len());
    for o in seen {
        anchors.push(o.anchor);
        states.push(o.state.as_str().to_string());
        changed.push(o.changed_at);
    }
    let done = sqlx::query(
        "UPDATE link SET redemption_state = v.state, redemption_changed_at = v.changed_at, \
           redemption_seen_at = CASE WHEN link.redemption_state IS NOT DISTINCT FROM v.state \
             THEN COALESCE(link.redemption_seen_at, $4) ELSE $4 END \
         FROM UNNEST($1::text[], $2::text[], $3::timestamptz[]) AS v(anchor, state, changed_at) \
         WHERE link.anchor = v.anchor \
           AND (link.redemption_state IS DISTINCT FROM v.state \
                OR link.redemption_changed_at IS DISTINCT FROM v.changed_at)",
    )
    .bind(anchors)
    .bind(states)
    .bind(changed)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

pub(super) async fn counts(pool: &PgPool) -> StoreResult<BTreeMap<RedemptionState, u64>> {
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "SELECT redemption_state, COUNT(*) FROM link WHERE deleted_at IS NULL \
         GROUP BY redemption_state",
    )
    .fetch_all(pool)
    .await?;
    tally(rows)
}

pub(super) async fn invited(pool: &PgPool) -> StoreResult<u64> {
    let n: i64 = sqlx::query_scalar(crate::store::rows::INVITED_LINKS_SQL)
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}
