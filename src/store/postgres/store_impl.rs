//! `impl Store for PgStore`: routes every method to its module; everything shares one pool.
use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::settle::Failure;
use super::{
    PgStore, claim, control, items, leader, links, mail, migrator, plan, redemption, runs, settle,
};
use crate::store::{
    AttemptRecord, ClaimedItem, ControlState, HeldConflict, ItemError, ItemFilter, ItemProgress,
    ItemRecord, ItemState, LeaderLease, Link, LinkUpdate, MailRecord, MailState, PendingMail,
    PlannedItem, QuarantineRecord, RecordSummary, RedemptionObservation, RedemptionState,
    RejectedRow, RunCounts, RunId, RunOutcome, RunRecord, SettleResult, Store, StoreResult,
};

#[async_trait]
impl Store for PgStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn migrate(&self) -> StoreResult<()> {
        migrator().run(&self.pool).await?;
        Ok(())
    }

    async fn run_start(&self, now: DateTime<Utc>, kind: &str) -> StoreResult<RunId> {
        runs::start(&self.pool, now, kind).await
    }

    async fn run_finish(
        &self,
        id: RunId,
        now: DateTime<Utc>,
        outcome: RunOutcome,
        counts: RunCounts,
    ) -> StoreResult<()> {
        runs::finish(&self.pool, id, now, outcome, counts).await
    }

    async fn run_list(&self, limit: u32) -> StoreResult<Vec<RunRecord>> {
        runs::list(&self.pool, limit).await
    }

    async fn run_get(&self, id: RunId) -> StoreResult<RunRecord> {
        runs::get(&self.pool, id).await
    }

    async fn run_record_rejections(&self, id: RunId, rows: Vec<RejectedRow>) -> StoreResult<()> {
        runs::record_rejections(&self.pool, id, rows).await
    }

    async fn run_record_conflicts(&self, id: RunId, rows: Vec<HeldConflict>) -> StoreResult<()> {
        runs::record_conflicts(&self.pool, id, rows).await
    }

    async fn run_rejections(&self, id: RunId) -> StoreResult<Vec<RejectedRow>> {
        runs::rejections(&self.pool, id).await
    }

    async fn run_conflicts(&self, id: RunId) -> StoreResult<Vec<HeldConflict>> {
        runs::conflicts(&self.pool, id).await
    }

    async fn plan_record(
        &self,
        run_id: RunId,
        now: DateTime<Utc>,
        items: Vec<PlannedItem>,
    ) -> StoreResult<RecordSummary> {
        plan::record(&self.pool, run_id, now, items).await
    }

    async fn held_record(
        &self,
        run_id: RunId,
        _now: DateTime<Utc>,
        items: Vec<PlannedItem>,
    ) -> StoreResult<()> {
        plan::held_record(&self.pool, run_id, items).await
    }

    async fn run_approve(&self, run_id: RunId, now: DateTime<Utc>) -> StoreResult<RecordSummary> {
        plan::approve(&self.pool, run_id, now).await
    }

    async fn run_reject(&self, run_id: RunId, now: DateTime<Utc>) -> StoreResult<()> {
        plan::reject(&self.pool, run_id, now).await
    }

    async fn held_runs(&self) -> StoreResult<Vec<RunRecord>> {
        runs::held(&self.pool).await
    }

    async fn held_supersede(&self, newer: RunId, now: DateTime<Utc>) -> StoreResult<Vec<RunId>> {
        plan::supersede(&self.pool, newer, now).await
    }

    async fn item_claim(
        &self,
        owner: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedItem>> {
        claim::claim(&self.pool, owner, limit, lease, now).await
    }

    async fn item_heartbeat(
        &self,
        anchor: &str,
        token: i64,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<SettleResult> {
        claim::heartbeat(&self.pool, anchor, token, lease, now).await
    }

    async fn item_complete(
        &self,
        anchor: &str,
        token: i64,
        applied_gen: i64,
        now: DateTime<Utc>,
        link: LinkUpdate,
    ) -> StoreResult<SettleResult> {
        settle::complete(&self.pool, anchor, token, applied_gen, now, link).await
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
        settle::fail(&self.pool, anchor, token, now, failure).await
    }

    async fn item_progress(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        progress: ItemProgress,
    ) -> StoreResult<SettleResult> {
        settle::progress(&self.pool, anchor, token, now, progress).await
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
        settle::fail(&self.pool, anchor, token, now, failure).await
    }

    async fn item_dead(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        error: ItemError,
    ) -> StoreResult<SettleResult> {
        settle::fail(&self.pool, anchor, token, now, Failure::Dead(&error)).await
    }

    async fn item_rescue_expired(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        claim::rescue_expired(&self.pool, now).await
    }

    async fn item_release_owner(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64> {
        claim::release_owner(&self.pool, owner, now).await
    }

    async fn item_get(&self, anchor: &str) -> StoreResult<Option<ItemRecord>> {
        items::get(&self.pool, anchor).await
    }

    async fn item_list(&self, filter: ItemFilter) -> StoreResult<Vec<ItemRecord>> {
        items::list(&self.pool, filter).await
    }

    async fn item_retry_dead(&self, anchor: &str, now: DateTime<Utc>) -> StoreResult<()> {
        items::retry_dead(&self.pool, anchor, now).await
    }

    async fn item_counts(&self) -> StoreResult<BTreeMap<ItemState, u64>> {
        items::counts(&self.pool).await
    }

    async fn attempt_list(&self, anchor: &str) -> StoreResult<Vec<AttemptRecord>> {
        items::attempts(&self.pool, anchor).await
    }

    async fn next_run_after(&self) -> StoreResult<Option<DateTime<Utc>>> {
        items::next_run_after(&self.pool).await
    }

    async fn pending_runnable(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        items::pending_runnable(&self.pool, now).await
    }

    async fn link_get(&self, anchor: &str) -> StoreResult<Option<Link>> {
        links::get(&self.pool, anchor).await
    }

    async fn link_list(&self) -> StoreResult<Vec<Link>> {
        links::list(&self.pool).await
    }

    async fn link_for_each(&self, each: &mut (dyn FnMut(Link) + Send)) -> StoreResult<()> {
        links::for_each(&self.pool, each).await
    }

    async fn link_remove(&self, anchor: &str) -> StoreResult<bool> {
        links::remove(&self.pool, anchor).await
    }

    async fn leader_acquire(
        &self,
        replica: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<LeaderLease>> {
        leader::acquire(&self.pool, replica, lease, now).await
    }

    async fn leader_release(&self, replica: &str, now: DateTime<Utc>) -> StoreResult<bool> {
        leader::release(&self.pool, replica, now).await
    }

    async fn leader_get(&self) -> StoreResult<Option<LeaderLease>> {
        leader::get(&self.pool).await
    }

    async fn link_record_redemption(
        &self,
        now: DateTime<Utc>,
        seen: Vec<RedemptionObservation>,
    ) -> StoreResult<u64> {
        redemption::record(&self.pool, now, seen).await
    }

    async fn link_redemption_counts(&self) -> StoreResult<BTreeMap<RedemptionState, u64>> {
        redemption::counts(&self.pool).await
    }

    async fn link_invited_count(&self) -> StoreResult<u64> {
        redemption::invited(&self.pool).await
    }

    async fn mail_claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<PendingMail>> {
        mail::claim(&self.pool, now, lease, limit).await
    }

    async fn mail_sent(
        &self,
        anchor: &str,
        generation: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        mail::sent(&self.pool, anchor, generation, now).await
    }

    async fn mail_failed(
        &self,
        anchor: &str,
        generation: i64,
        error: &ItemError,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool> {
        mail::failed(&self.pool, anchor, generation, error, retry_at).await
    }

    async fn mail_get(&self, anchor: &str) -> StoreResult<Option<MailRecord>> {
        mail::get(&self.pool, anchor).await
    }

    async fn mail_counts(&self) -> StoreResult<BTreeMap<MailState, u64>> {
        mail::counts(&self.pool).await
    }

    async fn control_get(&self) -> StoreResult<ControlState> {
        control::get(&self.pool).await
    }

    async fn control_pause(&self, now: DateTime<Utc>, reason: &str) -> StoreResult<()> {
        control::pause(&self.pool, now, reason).await
    }

    async fn control_resume(&self) -> StoreResult<bool> {
        control::resume(&self.pool).await
    }

    async fn quarantine_set(&self, record: &QuarantineRecord) -> StoreResult<()> {
        control::quarantine_set(&self.pool, record).await
    }

    async fn quarantine_clear(&self) -> StoreResult<bool> {
        control::quarantine_clear(&self.pool).await
    }

    async fn item_claim_anchor(
        &self,
        anchor: &str,
        owner: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ClaimedItem>> {
        control::claim_anchor(&self.pool, anchor, owner, lease, now).await
    }
}
