//! `impl Store for SqliteStore`: routes every method to its module, writes to the writer pool
//! and reads to the reader pool.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::settle::Failure;
use super::{
    SqliteStore, claim, control, items, leader, links, mail, migrator, plan, redemption, runs,
    settle,
};
use crate::store::{
    AttemptRecord, ClaimedItem, ControlState, HeldConflict, ItemError, ItemFilter, ItemProgress,
    ItemRecord, ItemState, LeaderLease, Link, LinkUpdate, MailRecord, MailState, PendingMail,
    PlannedItem, QuarantineRecord, RecordSummary, RedemptionObservation, RedemptionState,
    RejectedRow, RunCounts, RunId, RunOutcome, RunRecord, SettleResult, Store, StoreResult,
};

/// How often a failed migration is tried in all, and the wait between two tries.
const MIGRATE_ATTEMPTS: u32 = 10;
const MIGRATE_RETRY: Duration = Duration::from_millis(100);

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// SQLite has no migration lock: two processes starting on one fresh file both migrate,
    /// and the slower one's statement fails (the table or column exists) and rolls back. A
    /// look again finds that migration applied by the other, so a failure is retried a few
    /// times before it is returned.
    async fn migrate(&self) -> StoreResult<()> {
        let mut attempt = 1;
        loop {
            match migrator().run(&self.writer).await {
                Ok(()) => return Ok(()),
                Err(error) if attempt >= MIGRATE_ATTEMPTS => return Err(error.into()),
                Err(error) => {
                    tracing::debug!(%error, attempt, "migration failed; looking again");
                    attempt += 1;
                    tokio::time::sleep(MIGRATE_RETRY).await;
                }
            }
        }
    }

    async fn run_start(&self, now: DateTime<Utc>, kind: &str) -> StoreResult<RunId> {
        runs::start(&self.writer, now, kind).await
    }

    async fn run_finish(
        &self,
        id: RunId,
        now: DateTime<Utc>,
        outcome: RunOutcome,
        counts: RunCounts,
    ) -> StoreResult<()> {
        runs::finish(&self.writer, id, now, outcome, counts).await
    }

    async fn run_list(&self, limit: u32) -> StoreResult<Vec<RunRecord>> {
        runs::list(&self.reader, limit).await
    }

    async fn run_get(&self, id: RunId) -> StoreResult<RunRecord> {
        runs::get(&self.reader, id).await
    }

    async fn run_record_rejections(&self, id: RunId, rows: Vec<RejectedRow>) -> StoreResult<()> {
        runs::record_rejections(&self.writer, id, rows).await
    }

    async fn run_record_conflicts(&self, id: RunId, rows: Vec<HeldConflict>) -> StoreResult<()> {
        runs::record_conflicts(&self.writer, id, rows).await
    }

    async fn run_rejections(&self, id: RunId) -> StoreResult<Vec<RejectedRow>> {
        runs::rejections(&self.reader, id).await
    }

    async fn run_conflicts(&self, id: RunId) -> StoreResult<Vec<HeldConflict>> {
        runs::conflicts(&self.reader, id).await
    }

    async fn plan_record(
        &self,
        run_id: RunId,
        now: DateTime<Utc>,
        items: Vec<PlannedItem>,
    ) -> StoreResult<RecordSummary> {
        plan::record(&self.writer, run_id, now, items).await
    }

    async fn held_record(
        &self,
        run_id: RunId,
        _now: DateTime<Utc>,
        items: Vec<PlannedItem>,
    ) -> StoreResult<()> {
        plan::held_record(&self.writer, run_id, items).await
    }

    async fn run_approve(&self, run_id: RunId, now: DateTime<Utc>) -> StoreResult<RecordSummary> {
        plan::approve(&self.writer, run_id, now).await
    }

    async fn run_reject(&self, run_id: RunId, now: DateTime<Utc>) -> StoreResult<()> {
        plan::reject(&self.writer, run_id, now).await
    }

    async fn held_runs(&self) -> StoreResult<Vec<RunRecord>> {
        runs::held(&self.reader).await
    }

    async fn held_supersede(&self, newer: RunId, now: DateTime<Utc>) -> StoreResult<Vec<RunId>> {
        plan::supersede(&self.writer, newer, now).await
    }

    async fn item_claim(
        &self,
        owner: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedItem>> {
        claim::claim(&self.writer, owner, limit, lease, now).await
    }

    async fn item_heartbeat(
        &self,
        anchor: &str,
        token: i64,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<SettleResult> {
        claim::heartbeat(&self.writer, anchor, token, lease, now).await
    }

    async fn item_complete(
        &self,
        anchor: &str,
        token: i64,
        applied_gen: i64,
        now: DateTime<Utc>,
        link: LinkUpdate,
    ) -> StoreResult<SettleResult> {
        settle::complete(&self.writer, anchor, token, applied_gen, now, link).await
    }

    async fn item_retry(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        run_after: DateTime<Utc>,
        error: ItemError,
    ) -> StoreResult<SettleResult> {
        let failure = Failure::Retry(run_after, &error);
        settle::fail(&self.writer, anchor, token, now, failure).await
    }

    async fn item_progress(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        progress: ItemProgress,
    ) -> StoreResult<SettleResult> {
        settle::progress(&self.writer, anchor, token, now, progress).await
    }

    async fn item_snooze(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        run_after: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<SettleResult> {
        let failure = Failure::Snooze(run_after, reason);
        settle::fail(&self.writer, anchor, token, now, failure).await
    }

    async fn item_dead(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        error: ItemError,
    ) -> StoreResult<SettleResult> {
        settle::fail(&self.writer, anchor, token, now, Failure::Dead(&error)).await
    }

    async fn item_rescue_expired(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        claim::rescue_expired(&self.writer, now).await
    }

    async fn item_release_owner(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64> {
        claim::release_owner(&self.writer, owner, now).await
    }

    async fn item_get(&self, anchor: &str) -> StoreResult<Option<ItemRecord>> {
        items::get(&self.reader, anchor).await
    }

    async fn item_list(&self, filter: ItemFilter) -> StoreResult<Vec<ItemRecord>> {
        items::list(&self.reader, filter).await
    }

    async fn item_retry_dead(&self, anchor: &str, now: DateTime<Utc>) -> StoreResult<()> {
        items::retry_dead(&self.writer, anchor, now).await
    }

    async fn item_counts(&self) -> StoreResult<BTreeMap<ItemState, u64>> {
        items::counts(&self.reader).await
    }

    async fn attempt_list(&self, anchor: &str) -> StoreResult<Vec<AttemptRecord>> {
        items::attempts(&self.reader, anchor).await
    }

    async fn next_run_after(&self) -> StoreResult<Option<DateTime<Utc>>> {
        items::next_run_after(&self.reader).await
    }

    async fn pending_runnable(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        items::pending_runnable(&self.reader, now).await
    }

    async fn link_get(&self, anchor: &str) -> StoreResult<Option<Link>> {
        links::get(&self.reader, anchor).await
    }

    async fn link_list(&self) -> StoreResult<Vec<Link>> {
        links::list(&self.reader).await
    }

    async fn link_for_each(&self, each: &mut (dyn FnMut(Link) + Send)) -> StoreResult<()> {
        links::list(&self.reader).await?.into_iter().for_each(each);
        Ok(())
    }

    async fn link_remove(&self, anchor: &str) -> StoreResult<bool> {
        links::remove(&self.writer, anchor).await
    }

    async fn leader_acquire(
        &self,
        replica: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<LeaderLease>> {
        leader::acquire(&self.writer, replica, lease, now).await
    }

    async fn leader_release(&self, replica: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        leader::release(&self.writer, replica, now).await
    }

    async fn leader_get(&self) -> StoreResult<Option<LeaderLease>> {
        leader::get(&self.reader).await
    }

    async fn link_record_redemption(
        &self,
        now: DateTime<Utc>,
        seen: Vec<RedemptionObservation>,
    ) -> StoreResult<u64> {
        redemption::record(&self.writer, now, seen).await
    }

    async fn link_redemption_counts(&self) -> StoreResult<BTreeMap<RedemptionState, u64>> {
        redemption::counts(&self.reader).await
    }

    async fn link_invited_count(&self) -> StoreResult<u64> {
        redemption::invited(&self.reader).await
    }

    async fn mail_claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<PendingMail>> {
        mail::claim(&self.writer, now, lease, limit).await
    }

    async fn mail_sent(
        &self,
        anchor: &str,
        generation: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        mail::sent(&self.writer, anchor, generation, now).await
    }

    async fn mail_failed(
        &self,
        anchor: &str,
        generation: i64,
        error: &ItemError,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        mail::failed(&self.writer, anchor, generation, error, retry_at).await
    }

    async fn mail_get(&self, anchor: &str) -> StoreResult<Option<MailRecord>> {
        mail::get(&self.reader, anchor).await
    }

    async fn mail_counts(&self) -> StoreResult<BTreeMap<MailState, u64>> {
        mail::counts(&self.reader).await
    }

    async fn control_get(&self) -> StoreResult<ControlState> {
        control::get(&self.reader).await
    }

    async fn control_pause(&self, now: DateTime<Utc>, reason: &str) -> StoreResult<()> {
        control::pause(&self.writer, now, reason).await
    }

    async fn control_resume(&self) -> StoreResult<bool> {
        control::resume(&self.writer).await
    }

    async fn quarantine_set(&self, record: &QuarantineRecord) -> StoreResult<()> {
        control::quarantine_set(&self.writer, record).await
    }

    async fn quarantine_clear(&self) -> StoreResult<bool> {
        control::quarantine_clear(&self.writer).await
    }

    async fn item_claim_anchor(
        &self,
        anchor: &str,
        owner: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ClaimedItem>> {
        control::claim_anchor(&self.writer, anchor, owner, lease, now).await
    }
}
