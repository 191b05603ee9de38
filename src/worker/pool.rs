//! The pool: `count` tasks that claim, execute and settle items until cancelled, each holding
//! the leases of its items with a heartbeat. On shutdown the tasks stop at once and their leases
//! are released, so another process can pick the items up immediately. [`WorkerPool::drain`]
//! runs the pool until nothing is pending or running (`guestsync sync --once`). With own
//! invitation mail, the [`Mailer`] runs as one more task of the pool.
//!
//! A task claims one item at first and, while its claims come back full (a deep queue), twice
//! as many the next time, up to [`CLAIM_BATCH`]; a short claim starts again from one. A deep
//! queue thus costs one claim per batch instead of one per item (issue 7: claim overhead
//! dominated a fast executor), while a short queue is still spread over every task. The items
//! of a batch run one after another; the heartbeat extends the lease of every item the task
//! still holds, and an item whose lease was lost meanwhile is dropped unexecuted.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::Worker;
use crate::notify::Mailer;
use crate::store::{ClaimedItem, ItemState, SettleResult, StoreError};

/// The most items a task claims at once.
pub const CLAIM_BATCH: u32 = 16;

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
    let mut limit = 1;
    while !cancel.is_cancelled() {
        match worker.claim(owner, limit).await {
            Ok(items) if items.is_empty() => {
                limit = 1;
                idle(worker, wake, cancel).await;
            }
            Ok(items) => {
                limit = next_limit(limit, items.len());
                if !work_batch(worker, owner, items.into(), cancel).await {
                    return;
                }
            }
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

/// The next claim's size: twice `limit` (up to [`CLAIM_BATCH`]) after a full claim, else one.
fn next_limit(limit: u32, claimed: usize) -> u32 {
    if claimed >= limit as usize {
        (limit * 2).min(CLAIM_BATCH)
    } else {
        1
    }
}

/// Processes a batch of claimed items one after another while a heartbeat, polled beside the
/// work, extends the lease of every item the task still holds; returns false when cancelled
/// mid-way (the caller releases the leases). When work is held (pause, quarantine) mid-batch,
/// the items not started yet are released.
///
/// The heartbeat runs beside the work, never instead of it: a settle holds the item's row lock
/// (PostgreSQL) or the only writer connection (SQLite) in its transaction, so a heartbeat
/// awaited while the work is not polled would wait for that transaction forever (PostgreSQL)
/// or until the pool timed out (SQLite). Found by the crash tests (`tests/it/crash/`).
async fn work_batch(
    worker: &Worker,
    owner: &str,
    waiting: VecDeque<ClaimedItem>,
    cancel: &CancellationToken,
) -> bool {
    let leases = Leases::new(&waiting);
    let run = run_batch(worker, owner, waiting, &leases, cancel);
    let beat = heartbeat(worker, &leases);
    tokio::select! {
        finished = run => finished,
        never = beat => match never {},
    }
}

async fn run_batch(
    worker: &Worker,
    owner: &str,
    mut waiting: VecDeque<ClaimedItem>,
    leases: &Leases,
    cancel: &CancellationToken,
) -> bool {
    let mut first = true;
    while let Some(item) = waiting.pop_front() {
        if !first && worker.held().await {
            release(worker, owner).await;
            return true;
        }
        first = false;
        if leases.was_lost(&item.anchor) {
            tracing::warn!(item.anchor = %item.anchor, "lease lost before the item ran; skipped");
            continue;
        }
        let anchor = item.anchor.clone();
        tokio::select! {
            result = worker.process(owner, item) => {
                if let Err(error) = result {
                    tracing::error!(%error, "cannot settle an item; its lease will expire and it will be rescued");
                }
            }
            _ = cancel.cancelled() => return false,
        }
        leases.finished(&anchor);
    }
    true
}

/// Extends, every third of the lease, the lease of each item of the batch not finished yet;
/// an item whose lease was lost (rescued, released) is marked so that it is skipped.
async fn heartbeat(worker: &Worker, leases: &Leases) -> Infallible {
    let lease = worker.config().lease;
    let mut ticks = tokio::time::interval(lease / 3);
    ticks.tick().await;
    loop {
        ticks.tick().await;
        let now = worker.clock.now();
        for (anchor, token) in leases.held() {
            match worker
                .store()
                .item_heartbeat(&anchor, token, lease, now)
                .await
            {
                Ok(SettleResult::LeaseLost) => leases.lost(&anchor),
                Ok(SettleResult::Settled) => {}
                Err(error) => tracing::warn!(%error, "lease heartbeat failed"),
            }
        }
    }
}

/// The leases a task holds for the items of its batch (anchor and fencing token), shared by
/// the work and the heartbeat of one task; the lock is never held across an await.
struct Leases {
    held: Mutex<Vec<(String, i64)>>,
    lost: Mutex<HashSet<String>>,
}

impl Leases {
    fn new(items: &VecDeque<ClaimedItem>) -> Self {
        let held = items
            .iter()
            .map(|item| (item.anchor.clone(), item.lease_token))
            .collect();
        Self {
            held: Mutex::new(held),
            lost: Mutex::new(HashSet::new()),
        }
    }

    fn held(&self) -> Vec<(String, i64)> {
        self.held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn finished(&self, anchor: &str) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        held.retain(|(a, _)| a != anchor);
    }

    fn lost(&self, anchor: &str) {
        self.finished(anchor);
        let mut lost = self.lost.lock().unwrap_or_else(PoisonError::into_inner);
        lost.insert(anchor.to_owned());
    }

    fn was_lost(&self, anchor: &str) -> bool {
        let lost = self.lost.lock().unwrap_or_else(PoisonError::into_inner);
        lost.contains(anchor)
    }
}

/// Returns `owner`'s leases to the queue (the items it claimed but has not started).
async fn release(worker: &Worker, owner: &str) {
    let now = worker.clock.now();
    if let Err(error) = worker.store().item_release_owner(owner, now).await {
        tracing::error!(%error, owner, "could not release leases while work is held");
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

#[cfg(test)]
mod tests {
    use super::{CLAIM_BATCH, next_limit};

    #[test]
    fn claims_grow_while_full_and_start_over_when_short() {
        let mut limit = 1;
        let mut seen = vec![limit];
        while limit < CLAIM_BATCH {
            limit = next_limit(limit, limit as usize);
            seen.push(limit);
        }
        assert_eq!(seen, [1, 2, 4, 8, 16]);
        assert_eq!(next_limit(CLAIM_BATCH, CLAIM_BATCH as usize), CLAIM_BATCH);
        assert_eq!(next_limit(CLAIM_BATCH, 3), 1);
        assert_eq!(next_limit(4, 0), 1);
    }
}
