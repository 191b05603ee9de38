//! Listing and showing runs and items, retrying dead items, approving and rejecting held runs,
//! pausing and resuming: one implementation for the CLI and the admin API. Errors are the
//! store's own, typed, so each surface maps them (exit code, HTTP status) itself.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::views::{AttemptView, ItemDetail, ItemView, RunDetail, RunView};
use crate::store::{
    ControlState, ItemFilter, ItemState, RecordSummary, RunId, Store, StoreError, StoreResult,
};

/// The newest `limit` runs, newest first, each with the number of its items dead now.
pub async fn runs(store: &dyn Store, limit: u32) -> StoreResult<Vec<RunView>> {
    let dead = dead_by_run(store).await?;
    let runs = store.run_list(limit).await?;
    Ok(runs
        .iter()
        .map(|run| RunView::new(run, dead.get(&run.id).copied().unwrap_or(0)))
        .collect())
}

/// One run with its rejected rows, conflicts and dead items.
pub async fn run_detail(store: &dyn Store, id: RunId) -> StoreResult<RunDetail> {
    let run = store.run_get(id).await?;
    let errors: Vec<ItemView> = dead_items(store)
        .await?
        .iter()
        .filter(|item| item.run_id == Some(id))
        .map(ItemView::from)
        .collect();
    Ok(RunDetail::new(
        &run,
        store.run_rejections(id).await?,
        store.run_conflicts(id).await?,
        errors,
    ))
}

/// Items matching `filter`, ordered by anchor.
pub async fn items(store: &dyn Store, filter: ItemFilter) -> StoreResult<Vec<ItemView>> {
    Ok(store
        .item_list(filter)
        .await?
        .iter()
        .map(ItemView::from)
        .collect())
}

/// One item with its attempt history; `ItemNotFound` if the anchor has no item.
pub async fn item_detail(store: &dyn Store, anchor: &str) -> StoreResult<ItemDetail> {
    let item = store
        .item_get(anchor)
        .await?
        .ok_or_else(|| StoreError::ItemNotFound(anchor.to_string()))?;
    let history = store
        .attempt_list(anchor)
        .await?
        .iter()
        .map(AttemptView::from)
        .collect();
    Ok(ItemDetail {
        item: ItemView::from(&item),
        history,
    })
}

/// Revives a dead item; `WrongState` if it is not dead.
pub async fn retry_dead(store: &dyn Store, anchor: &str, now: DateTime<Utc>) -> StoreResult<()> {
    store.item_retry_dead(anchor, now).await
}

/// Queues a held run's actions.
pub async fn approve(
    store: &dyn Store,
    id: RunId,
    now: DateTime<Utc>,
) -> StoreResult<RecordSummary> {
    store.run_approve(id, now).await
}

/// Discards a held run's actions.
pub async fn reject(store: &dyn Store, id: RunId, now: DateTime<Utc>) -> StoreResult<()> {
    store.run_reject(id, now).await
}

/// Pauses: no cycles run and workers claim nothing until resumed (every replica).
pub async fn pause(
    store: &dyn Store,
    now: DateTime<Utc>,
    reason: &str,
) -> StoreResult<ControlState> {
    store.control_pause(now, reason).await?;
    store.control_get().await
}

/// Resumes after a pause.
pub async fn resume(store: &dyn Store) -> StoreResult<ControlState> {
    store.control_resume().await?;
    store.control_get().await
}

/// Every dead item.
async fn dead_items(store: &dyn Store) -> StoreResult<Vec<crate::store::ItemRecord>> {
    store
        .item_list(ItemFilter {
            state: Some(ItemState::Dead),
            action: None,
            after: None,
            limit: u32::MAX,
        })
        .await
}

/// How many dead items each run planned.
pub async fn dead_by_run(store: &dyn Store) -> StoreResult<BTreeMap<RunId, u64>> {
    let mut dead = BTreeMap::new();
    for item in dead_items(store).await? {
        if let Some(run) = item.run_id {
            *dead.entry(run).or_insert(0) += 1;
        }
    }
    Ok(dead)
}
