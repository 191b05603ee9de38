//! The pool: `count` tasks that claim, execute and settle items until cancelled, each holding
//! the lease of its item with a heartbeat. On shutdown the tasks stop at once and their leases
//! are released, so another process can pick the items up immediately. [`WorkerPool::drain`]
//! runs the pool until nothing is pending or running (`guestsync sync --once`). With own
//! invitation mail, the [`Mailer`] runs as one more task of the pool.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Processed, Worker};
use crate::notify::Mailer;
use crate::store::{ClaimedItem, ItemState, StoreError};

/// The worker tasks of one process.
#[derive(Debug, Clone)]
pub struct WorkerPool {
    worker: Arc<Worker>,
    wake: Arc<Notify>,
    mailer: Option<Arc<Mailer>>,
}

/// Queue counts when a drain ended.
#[derive(Debug, Clone, Default)]
pub struct DrainReport {
    /// Items by state.
    pub counts: BTreeMap<ItemState, u64>,
}

impl DrainReport {
    /// How many items are dead.
    pub fn dead(&self) -> u64 {
        self.counts.get(&ItemState::Dead).copied().unwrap_or(0)
    }
}

impl WorkerPool {
    /// A pool around `worker`; `wake` is notified when new work is recorded.
    pub fn new(worker: Arc<Worker>, wake: Arc<Notify>) -> Self {
        Self {
            worker,
            wake,
            mailer: None,
        }
    }

    /// Also runs `mailer` (guestsync's own invitation mail) beside the workers; a drain ends
    /// with one delivery pass.
    pub fn with_mailer(mut self, mailer: Arc<Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// The worker the tasks share (on-demand sync executes through it).
    pub fn worker(&self) -> &Arc<Worker> {
        &self.worker
    }

    /// Runs the tasks until `cancel` fires, then releases their leases.
    pub async fn run(&self, cancel: CancellationToken) {
        let config = self.worker.config();
        let mut tasks = JoinSet::new();
        let owners: Vec<String> = (0..config.count)
            .map(|i| format!("{}-w{i}", config.owner))
            .collect();
        for owner in owners.clone() {
            let (worker, wake, cancel) = (self.worker.clone(), self.wake.clone(), cancel.clone());
            tasks.spawn(async move { work_loop(&worker, &owner, &wake, &cancel).await });
        }
        if let Some(mailer) = self.mailer.clone() {
            let cancel = cancel.clone();
            tasks.spawn(async move { mailer.run(cancel).await });
        }
        while let Some(joined) = tasks.join_next().await {
            if let Err(error) = joined {
                tracing::error!(%error, "a worker task ended abnormally");
            }
        }
        let now = self.worker.clock.now();
        for owner in owners {
            if let Err(error) = self.worker.store().item_release_owner(&owner, now).await {
                tracing::error!(%error, owner, "could not release leases on shutdown");
            }
        }
    }

    /// Runs the pool until no item is pending or running (or `cancel` fires); `progress` sees
    /// the queue counts as they change.
    pub async fn drain(
        &self,
        cancel: CancellationToken,
        mut progress: impl FnMut(&BTreeMap<ItemState, u64>),
    ) -> Result<DrainReport, StoreError> {
        let pool_cancel = cancel.child_token();
        let pool = self.clone();
        let running = {
            let pool_cancel = pool_cancel.clone();
            tokio::spawn(async move { pool.run(pool_cancel).await })
        };
        let store = self.worker.store().clone();
        let counts = loop {
            store.item_rescue_expired(self.worker.clock.now()).await?;
            let counts = store.item_counts().await?;
            progress(&counts);
            let busy = [ItemState::Pending, ItemState::Running]
                .iter()
                .any(|s| counts.get(s).copied().unwrap_or(0) > 0);
            if !busy || cancel.is_cancelled() || self.worker.held().await {
                break counts;
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
                _ = cancel.cancelled() => {}
            }
        };
        pool_cancel.cancel();
        if let Err(error) = running.await {
            tracing::error!(%error, "the worker pool ended abnormally");
        }
        if let Some(mailer) = &self.mailer
            && !cancel.is_cancelled()
        {
            mailer.deliver_due().await?;
        }
        Ok(DrainReport { counts })
    }
}

async fn work_loop(worker: &Worker, owner: &str, wake: &Notify, cancel: &CancellationToken) {
    while !cancel.is_cancelled() {
        match worker.claim(owner, 1).await {
            Ok(mut items) => match items.pop() {
                Some(item) => {
                    if !work_one(worker, owner, item, cancel).await {
                        return;
                    }
                }
                None => idle(worker, wake, cancel).await,
            },
            Err(error) => {
                tracing::error!(%error, "cannot claim from the state store; backing off");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = cancel.cancelled() => return,
                }
            }
        }
    }
}

/// Processes one item with a lease heartbeat; returns false when cancelled mid-way.
async fn work_one(
    worker: &Worker,
    owner: &str,
    item: ClaimedItem,
    cancel: &CancellationToken,
) -> bool {
    let (anchor, token) = (item.anchor.clone(), item.lease_token);
    let lease = worker.config().lease;
    let work = worker.process(owner, item);
    tokio::pin!(work);
    let mut heartbeat = tokio::time::interval(lease / 3);
    heartbeat.tick().await;
    loop {
        tokio::select! {
            result = &mut work => {
                match result {
                    Ok(Processed::LeaseLost) | Ok(_) => {}
                    Err(error) => tracing::error!(%error, "cannot settle an item; its lease will expire and it will be rescued"),
                }
                return true;
            }
            _ = heartbeat.tick() => {
                let now = worker.clock.now();
                if let Err(error) = worker.store().item_heartbeat(&anchor, token, lease, now).await {
                    tracing::warn!(%error, "lease heartbeat failed");
                }
            }
            _ = cancel.cancelled() => return false,
        }
    }
}

async fn idle(worker: &Worker, wake: &Notify, cancel: &CancellationToken) {
    let idle_poll = worker.config().idle_poll;
    let wait = match worker.store().next_run_after().await {
        Ok(Some(at)) => (at - worker.clock.now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .clamp(Duration::from_millis(10), idle_poll),
        _ => idle_poll,
    };
    tokio::select! {
        _ = tokio::time::sleep(wait) => {}
        _ = wake.notified() => {}
        _ = cancel.cancelled() => {}
    }
}
