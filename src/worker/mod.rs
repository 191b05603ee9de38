//! The worker pool: claims queue items, executes them through the Graph client, settles them.
//!
//! - [`payload`]: the stored item payload (action + desired identity) and PATCH bodies.
//! - `execute`: one action against Graph → [`outcome::Outcome`].
//! - `settle`: the outcome into the store, fenced by the lease token.
//! - [`pool`]: N worker tasks, graceful shutdown, and draining for `sync --once`.
//!
//! No database lock is held during a Graph call: an item is claimed (a lease), executed, then
//! settled; a settle whose lease was lost changes nothing.

mod execute;
pub mod gate;
pub mod outcome;
pub mod payload;
pub mod pool;
mod settle;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::graph::GraphClient;
use crate::store::{ClaimedItem, Link, Store, StoreError};

pub use payload::ItemPayload;
pub use pool::{DrainReport, WorkerPool};

/// How invitations are sent.
#[derive(Debug, Clone)]
pub struct InviteOptions {
    /// Where invitees land after redeeming.
    pub redirect_url: String,
    /// Whether Graph sends its own invitation e-mail.
    pub send_invitation_message: bool,
    /// `Guest` or `Member`.
    pub invited_user_type: String,
}

/// The worker pool's settings.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Number of worker tasks.
    pub count: u32,
    /// Lease of a claimed item.
    pub lease: Duration,
    /// Failures before an item is dead.
    pub max_attempts: u32,
    /// How long a 404 after our own write counts as replication lag.
    pub replication_window: Duration,
    /// Wait after a 429 without a usable Retry-After.
    pub throttle_fallback: Duration,
    /// Longest idle wait between two looks at the queue.
    pub idle_poll: Duration,
    /// The lease owner name prefix (host and process), unique per process.
    pub owner: String,
    /// Invitation options.
    pub invite: InviteOptions,
}

/// Executes and settles single items; shared by the pool's tasks.
#[derive(Debug)]
pub struct Worker {
    store: Arc<dyn Store>,
    graph: GraphClient,
    clock: Arc<dyn Clock>,
    config: WorkerConfig,
    gate: gate::Gate,
}

/// What the executor knows about the item it works on.
#[derive(Debug)]
struct WorkerContext {
    now: DateTime<Utc>,
    attempts: u32,
    link: Option<Link>,
}

/// How processing one item ended, for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processed {
    /// Applied.
    Done,
    /// Will run again (progress, snooze or retry).
    Again,
    /// Dead.
    Dead,
    /// The lease was lost; someone else owns the item now.
    LeaseLost,
}

impl Worker {
    /// A worker over the given store and Graph client.
    pub fn new(
        store: Arc<dyn Store>,
        graph: GraphClient,
        clock: Arc<dyn Clock>,
        config: WorkerConfig,
    ) -> Self {
        Self {
            gate: gate::Gate::new(store.clone()),
            store,
            graph,
            clock,
            config,
        }
    }

    /// The settings.
    pub fn config(&self) -> &WorkerConfig {
        &self.config
    }

    /// The state store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Whether work is held (paused or quarantined); cached for a second.
    pub async fn held(&self) -> bool {
        self.gate.holds().await
    }

    /// Claims up to `limit` runnable items for `owner`; nothing while work is held.
    pub async fn claim(&self, owner: &str, limit: u32) -> Result<Vec<ClaimedItem>, StoreError> {
        if self.held().await {
            return Ok(Vec::new());
        }
        self.store
            .item_claim(owner, limit, self.config.lease, self.clock.now())
            .await
    }

    /// Executes one claimed item and settles it.
    #[tracing::instrument(skip_all, fields(item.anchor = %item.anchor, item.action = %item.action, item.attempts = item.attempts))]
    pub async fn process(&self, owner: &str, item: ClaimedItem) -> Result<Processed, StoreError> {
        let payload: ItemPayload = match serde_json::from_value(item.payload.clone()) {
            Ok(payload) => payload,
            Err(e) => {
                let error = outcome::internal_error("unreadable_payload", e.to_string());
                return self
                    .settle(owner, &item, outcome::Outcome::Dead(error))
                    .await;
            }
        };
        let ctx = WorkerContext {
            now: self.clock.now(),
            attempts: item.attempts,
            link: self.store.link_get(&item.anchor).await?,
        };
        let outcome = self.execute(&ctx, payload).await;
        self.settle(owner, &item, outcome).await
    }
}
