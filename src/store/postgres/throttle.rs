//! The Graph throttle's shared bookkeeping on PostgreSQL: one `graph_throttle` row per tenant
//! holding the next free pacing slot of each budget and the end of the pause in force. Every
//! replica reserves its slots here, so N replicas together stay within one tenant's budget.
//! Wall-clock times throughout; the caller converts to and from its monotonic clock.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::PgStore;
use crate::store::{StoreError, StoreResult};

/// Which budget a slot is reserved from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotBudget {
    /// GET requests.
    Read,
    /// POST, PATCH, DELETE.
    Write,
}

impl PgStore {
    /// Creates `tenant`'s throttle row if there is none (idempotent).
    pub async fn throttle_register(&self, tenant: &str) -> StoreResult<()> {
        sqlx::query("INSERT INTO graph_throttle (tenant) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(tenant)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Reserves the next slot of `budget` by the rule of [`crate::graph::Pacing`] (GCRA with
    /// a tolerance of half an interval) against every replica's reservations, in one atomic
    /// `UPDATE … RETURNING`; returns the time the caller may send at. The row keeps the due
    /// time: it moves to `max(due, now) + interval`, and the slot is
    /// `max(due − tolerance, now)`, which is `max(new due − interval − tolerance, now)`.
    pub async fn throttle_reserve(
        &self,
        tenant: &str,
        budget: SlotBudget,
        now: DateTime<Utc>,
        interval: Duration,
    ) -> StoreResult<DateTime<Utc>> {
        let step = chrono::TimeDelta::from_std(interval)
            .map_err(|_| StoreError::InvalidArgument("pacing interval too long"))?;
        let tolerance =
            chrono::TimeDelta::from_std(crate::graph::Pacing::new(interval).tolerance())
                .map_err(|_| StoreError::InvalidArgument("pacing interval too long"))?;
        let sql = match budget {
            SlotBudget::Read => {
                "UPDATE graph_throttle SET next_read = GREATEST(next_read, $2) + $3 \
                 WHERE tenant = $1 RETURNING GREATEST(next_read - $3 - $4, $2)"
            }
            SlotBudget::Write => {
                "UPDATE graph_throttle SET next_write = GREATEST(next_write, $2) + $3 \
                 WHERE tenant = $1 RETURNING GREATEST(next_write - $3 - $4, $2)"
            }
        };
        let slot: Option<DateTime<Utc>> = sqlx::query_scalar(sql)
            .bind(tenant)
            .bind(now)
            .bind(step)
            .bind(tolerance)
            .fetch_optional(&self.pool)
            .await?;
        slot.ok_or(StoreError::InvalidArgument("tenant not registered"))
    }

    /// Moves the pause end to `until` unless it is already later (never shortens it).
    pub async fn throttle_extend_pause(
        &self,
        tenant: &str,
        until: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE graph_throttle SET paused_until = GREATEST(paused_until, $2) WHERE tenant = $1",
        )
        .bind(tenant)
        .bind(until)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The end of the pause in force (may lie in the past), if any.
    pub async fn throttle_paused_until(&self, tenant: &str) -> StoreResult<Option<DateTime<Utc>>> {
        let until: Option<Option<DateTime<Utc>>> =
            sqlx::query_scalar("SELECT paused_until FROM graph_throttle WHERE tenant = $1")
                .bind(tenant)
                .fetch_optional(&self.pool)
                .await?;
        Ok(until.flatten())
    }
}
