//! The worker pool: claims queue items, executes them through the Graph client, settles them.
//!
//! - [`payload`]: the stored item payload (action + desired identity) and PATCH bodies.
//! - `execute`: one action against Graph → [`outcome::Outcome`].
//! - `groups`: the work of one managed group (additions by 20, removals by `$batch`).
//! - `housekeeping`: renew, expire, delete and e-mail change against Graph; `restore`:
//!   restore from deleted items.
//! - `settle`: the outcome into the store, fenced by the lease token.
//! - [`pool`]: N worker tasks, graceful shutdown, and draining for `sync --once`.
//!
//! No database lock is held during a Graph call: an item is claimed (a lease), executed, then
//! settled; a settle whose lease was lost changes nothing.

mod execute;
pub mod gate;
mod groups;
mod housekeeping;
pub mod outcome;
pub mod payload;
pub mod pool;
mod restore;
mod settle;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::Clock;
use crate::graph::GraphClient;
use crate::store::{ClaimedItem, Link, Store, StoreError};
use crate::writeback::WriteBack;

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
    /// Whether guestsync mails the redeem URL itself (`[notify.smtp]`): every invitation then
    /// queues its mail in the transaction that records it.
    pub own_mail: bool,
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
    writeback: Option<Arc<WriteBack>>,
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
            writeback: None,
        }
    }

    /// Writes each invitation's row (with its new redeem URL) to the write-back table.
    pub fn with_writeback(mut self, writeback: Arc<WriteBack>) -> Self {
        self.writeback = Some(writeback);
        self
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
        if item.action == crate::groups::work::ACTION {
            return self.process_group(owner, item).await;
        }
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
        let invitation = matches!(
            payload.action,
            crate::plan::Action::Invite { .. } | crate::plan::Action::Reinvite { .. }
        );
        let outcome = self.execute(&ctx, payload).await;
        let processed = self.settle(owner, &item, outcome).await?;
        if invitation && matches!(processed, Processed::Done | Processed::Again) {
            self.write_back(&item.anchor).await;
        }
        Ok(processed)
    }

    /// Writes the anchor's row to the write-back table, if one is configured; a failure is
    /// logged (the next cycle writes the row again).
    async fn write_back(&self, anchor: &str) {
        let Some(writeback) = &self.writeback else {
            return;
        };
        let row = match (
            self.store.link_get(anchor).await,
            self.store.item_get(anchor).await,
        ) {
            (Ok(Some(link)), Ok(item)) => {
                let user_type = Some(self.config.invite.invited_user_type.as_str());
                crate::writeback::row_for(&link, item.as_ref(), user_type)
            }
            _ => return,
        };
        if let Err(error) = writeback.write(vec![row]).await {
            tracing::warn!(%error, "write-back of the invitation failed; the next cycle writes it");
        }
    }
}
