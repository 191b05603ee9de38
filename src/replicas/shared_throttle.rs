//! [`PgThrottleState`]: the Graph throttle's [`ThrottleState`] kept in PostgreSQL, one row per
//! tenant, so every replica paces against one budget and honours one `Retry-After` pause.
//!
//! The throttle works in monotonic [`Instant`]s; the database holds wall-clock times from the
//! [`Clock`]. Both are converted at the moment of the call (the offset between the two clocks
//! is read afresh each time). When the database cannot be reached the state falls back to an
//! in-memory one, so a replica keeps pacing itself to the whole budget rather than not at all;
//! every call is bounded by [`SHARED_TIMEOUT`].

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::graph::{LocalThrottleState, OpKind, ThrottleState};
use crate::store::{PgStore, SlotBudget, StoreError};

/// How long one call to the shared state may take before this replica paces alone. Far below
/// the pool's acquire timeout (30 s), so a store that is down slows no Graph request for long.
pub const SHARED_TIMEOUT: Duration = Duration::from_secs(2);

/// The throttle state of one tenant, shared through PostgreSQL.
#[derive(Debug)]
pub struct PgThrottleState {
    store: PgStore,
    tenant: String,
    clock: Arc<dyn Clock>,
    local: LocalThrottleState,
    degraded: AtomicBool,
}

impl PgThrottleState {
    /// The state of `tenant` in `store` (its row is created if missing).
    pub async fn new(
        store: PgStore,
        tenant: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        store.throttle_register(tenant).await?;
        Ok(Self {
            store,
            tenant: tenant.to_string(),
            clock,
            local: LocalThrottleState::default(),
            degraded: AtomicBool::new(false),
        })
    }

    /// The wall-clock time of the monotonic instant `at`.
    fn wall(&self, at: Instant) -> DateTime<Utc> {
        let (now, wall) = (Instant::now(), self.clock.now());
        let delta = |d: Duration| chrono::TimeDelta::from_std(d).unwrap_or_default();
        let moved = if at >= now {
            wall.checked_add_signed(delta(at - now))
        } else {
            wall.checked_sub_signed(delta(now - at))
        };
        moved.unwrap_or(wall)
    }

    /// The monotonic instant of the wall-clock time `at`.
    fn instant(&self, at: DateTime<Utc>) -> Instant {
        let (now, wall) = (Instant::now(), self.clock.now());
        match (at - wall).to_std() {
            Ok(ahead) => now + ahead,
            Err(_) => {
                let behind = (wall - at).to_std().unwrap_or_default();
                now.checked_sub(behind).unwrap_or(now)
            }
        }
    }

    /// Runs one read or write of the shared state, bounded by [`SHARED_TIMEOUT`], and notes
    /// whether the database answered, logging only the changes.
    async fn shared<T>(&self, call: impl Future<Output = Result<T, StoreError>>) -> Option<T> {
        let result = match tokio::time::timeout(SHARED_TIMEOUT, call).await {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "no answer within {} ms",
                SHARED_TIMEOUT.as_millis()
            )),
        };
        match result {
            Ok(value) => {
                if self.degraded.swap(false, Ordering::Relaxed) {
                    tracing::info!("the shared Graph throttle is reachable again");
                }
                Some(value)
            }
            Err(error) => {
                if !self.degraded.swap(true, Ordering::Relaxed) {
                    tracing::warn!(%error, "shared Graph throttle unreachable; pacing alone");
                }
                None
            }
        }
    }
}

#[async_trait]
impl ThrottleState for PgThrottleState {
    async fn paused_until(&self) -> Option<Instant> {
        let local = self.local.paused_until().await;
        let shared = self.shared(self.store.throttle_paused_until(&self.tenant));
        let shared = shared.await.flatten().map(|at| self.instant(at));
        local.max(shared)
    }

    async fn extend_pause(&self, until: Instant) {
        self.local.extend_pause(until).await;
        let wall = self.wall(until);
        self.shared(self.store.throttle_extend_pause(&self.tenant, wall))
            .await;
    }

    async fn reserve_slot(&self, kind: OpKind, now: Instant, interval: Duration) -> Instant {
        let budget = match kind {
            OpKind::Read => SlotBudget::Read,
            OpKind::Write => SlotBudget::Write,
        };
        let wall = self.wall(now);
        let reserved = self
            .store
            .throttle_reserve(&self.tenant, budget, wall, interval);
        match self.shared(reserved).await {
            Some(slot) => self.instant(slot),
            None => self.local.reserve_slot(kind, now, interval).await,
        }
    }
}
