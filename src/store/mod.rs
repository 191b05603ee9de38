//! The state store: the [`Store`] trait (links, the one-row-per-anchor queue, runs, attempt
//! history) and its adapters ([`sqlite`], the embedded default, and [`postgres`]).
//!
//! Every method is one unit of work (one transaction at most); no transaction crosses the trait,
//! and no adapter type appears in it, so every adapter passes the same conformance suite
//! (`tests/it/store_conformance.rs`). Time is always a parameter (`now`). The store knows
//! nothing of Graph or the planner: payloads are JSON values and actions are plain strings.
//!
//! Decisions:
//! - Conflicts held by the planner are recorded per run (`run_record_conflicts`), not as queue
//!   items; [`ItemState::Held`] exists in the schema but the store never sets it.
//! - The disables/deletes of a held run live in a separate table until an operator approves
//!   (they are queued by the coalescing upsert) or rejects (they are discarded).
//! - `attempts` counts failures, not claims: a snooze (throttling) never burns an attempt.
//! - Rescue and release bump the fencing token, so a late settle by the old owner is refused.
//! - Each attempt keeps the time its lease began (`claimed_at`), so the history shows who worked
//!   on an anchor when.
//! - The leader lease (`leader_*`, [`LeaderLease`]) is a row with an epoch, granted by one
//!   upsert and timed by the caller's clock, so both adapters share its semantics.

mod control;
mod error;
mod leader;
mod link;
mod mail;
mod model;
pub mod postgres;
mod redemption;
mod rows;
mod run;
pub mod sqlite;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub use control::{ControlState, Paused, QuarantineRecord};
pub use error::StoreError;
pub use leader::{CYCLE_ROLE, LeaderLease};
pub use link::{Link, LinkFields, LinkUpdate, RedeemUrl};
pub use mail::{InvitationMail, MailRecord, MailState, PendingMail};
pub use model::{
    AttemptOutcome, AttemptRecord, ClaimedItem, ItemError, ItemFilter, ItemProgress, ItemRecord,
    ItemState, PlannedItem, RecordSummary, SettleResult,
};
pub use postgres::{PgStore, SlotBudget};
pub use redemption::{RedemptionObservation, RedemptionState};
pub use run::{
    ABANDONED_RUN, HeldConflict, HeldStatus, ON_DEMAND_RUN, RejectedRow, RunCounts, RunId,
    RunOutcome, RunRecord,
};
pub use sqlite::SqliteStore;

/// Shorthand for store results.
pub type StoreResult<T> = Result<T, StoreError>;

/// The state store. Object-safe; hold it as `Arc<dyn Store>`.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Checks that the database answers (readiness).
    async fn ping(&self) -> StoreResult<()>;
    /// Applies the embedded migrations; re-running is a no-op.
    async fn migrate(&self) -> StoreResult<()>;

    /// Starts a run of `kind` (e.g. `scheduled`, `manual`, `once`).
    async fn run_start(&self, now: DateTime<Utc>, kind: &str) -> StoreResult<RunId>;
    /// Finishes a run with its outcome and counts. `Held` also marks it waiting for an operator.
    async fn run_finish(
        &self,
        id: RunId,
        now: DateTime<Utc>,
        outcome: RunOutcome,
        counts: RunCounts,
    ) -> StoreResult<()>;
    /// The newest `limit` runs, newest first.
    async fn run_list(&self, limit: u32) -> StoreResult<Vec<RunRecord>>;
    /// One run; `RunNotFound` if there is none.
    async fn run_get(&self, id: RunId) -> StoreResult<RunRecord>;
    /// Appends the source rows a run rejected.
    async fn run_record_rejections(&self, id: RunId, rows: Vec<RejectedRow>) -> StoreResult<()>;
    /// Appends the conflicts a run held.
    async fn run_record_conflicts(&self, id: RunId, rows: Vec<HeldConflict>) -> StoreResult<()>;
    /// The rejected rows of a run, in recording order.
    async fn run_rejections(&self, id: RunId) -> StoreResult<Vec<RejectedRow>>;
    /// The conflicts of a run, in recording order.
    async fn run_conflicts(&self, id: RunId) -> StoreResult<Vec<HeldConflict>>;

    /// Records a plan in one transaction: a coalescing upsert per item.
    async fn plan_record(
        &self,
        run_id: RunId,
        now: DateTime<Utc>,
        items: Vec<PlannedItem>,
    ) -> StoreResult<RecordSummary>;
    /// Stores the disables/deletes a held run would have queued (not in the queue) and marks
    /// the run waiting for an operator.
    async fn held_record(
        &self,
        run_id: RunId,
        now: DateTime<Utc>,
        items: Vec<PlannedItem>,
    ) -> StoreResult<()>;
    /// Queues a held run's actions (coalescing upsert) and marks it approved.
    async fn run_approve(&self, run_id: RunId, now: DateTime<Utc>) -> StoreResult<RecordSummary>;
    /// Discards a held run's actions and marks it rejected.
    async fn run_reject(&self, run_id: RunId, now: DateTime<Utc>) -> StoreResult<()>;
    /// Runs waiting for an operator, oldest first.
    async fn held_runs(&self) -> StoreResult<Vec<RunRecord>>;
    /// Closes every run older than `newer` still waiting for an operator: its held actions are
    /// dropped, it is marked rejected at `now` with `superseded_by = newer`. `newer` was planned
    /// from a fresher read, so approving an older one could queue disables that are no longer
    /// wanted. Returns the ids closed.
    async fn held_supersede(&self, newer: RunId, now: DateTime<Utc>) -> StoreResult<Vec<RunId>>;

    /// Claims up to `limit` runnable pending items for `owner` with a lease of `lease`.
    async fn item_claim(
        &self,
        owner: &str,
        limit: u32,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ClaimedItem>>;
    /// Extends a lease to `now + lease`.
    async fn item_heartbeat(
        &self,
        anchor: &str,
        token: i64,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<SettleResult>;
    /// Settles a success: done (or pending again if the desired state moved on), attempts
    /// reset, the link updated and an attempt appended, all in one transaction.
    async fn item_complete(
        &self,
        anchor: &str,
        token: i64,
        applied_gen: i64,
        now: DateTime<Utc>,
        link: LinkUpdate,
    ) -> StoreResult<SettleResult>;
    /// Settles a transient failure: pending from `run_after`, attempts + 1.
    async fn item_retry(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        run_after: DateTime<Utc>,
        error: ItemError,
    ) -> StoreResult<SettleResult>;
    /// Settles a partial success: the link is updated now, and the item goes back to pending
    /// from `progress.run_after` with the action that is left; attempts unchanged. One
    /// transaction, fenced like every settle.
    async fn item_progress(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        progress: ItemProgress,
    ) -> StoreResult<SettleResult>;
    /// Settles a throttled attempt: pending from `run_after`, attempts unchanged.
    async fn item_snooze(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        run_after: DateTime<Utc>,
        reason: &str,
    ) -> StoreResult<SettleResult>;
    /// Settles a permanent failure: dead, attempts + 1, the error kept.
    async fn item_dead(
        &self,
        anchor: &str,
        token: i64,
        now: DateTime<Utc>,
        error: ItemError,
    ) -> StoreResult<SettleResult>;
    /// Returns running items whose lease expired before `now` to pending (token bumped).
    async fn item_rescue_expired(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// Returns `owner`'s running items to pending, claimable at `now` (token bumped).
    async fn item_release_owner(&self, owner: &str, now: DateTime<Utc>) -> StoreResult<u64>;

    /// One item, if queued.
    async fn item_get(&self, anchor: &str) -> StoreResult<Option<ItemRecord>>;
    /// Items matching `filter`, ordered by anchor.
    async fn item_list(&self, filter: ItemFilter) -> StoreResult<Vec<ItemRecord>>;
    /// Revives a dead item: pending at `now`, attempts 0. `WrongState` if it is not dead.
    async fn item_retry_dead(&self, anchor: &str, now: DateTime<Utc>) -> StoreResult<()>;
    /// How many items are in each state (every state present, zeros included).
    async fn item_counts(&self) -> StoreResult<BTreeMap<ItemState, u64>>;
    /// The attempt history of an anchor, oldest first.
    async fn attempt_list(&self, anchor: &str) -> StoreResult<Vec<AttemptRecord>>;
    /// The earliest `run_after` of any pending item.
    async fn next_run_after(&self) -> StoreResult<Option<DateTime<Utc>>>;
    /// How many pending items are claimable at `now`.
    async fn pending_runnable(&self, now: DateTime<Utc>) -> StoreResult<u64>;

    /// The link of an anchor.
    async fn link_get(&self, anchor: &str) -> StoreResult<Option<Link>>;
    /// Every link, ordered by anchor (the planner's input).
    async fn link_list(&self) -> StoreResult<Vec<Link>>;
    /// Every link, ordered by anchor, handed to `each` one at a time: the cycle converts them
    /// as they come, so a large table is never held as [`Link`]s all at once.
    async fn link_for_each(&self, each: &mut (dyn FnMut(Link) + Send)) -> StoreResult<()>;
    /// Removes a link; returns whether there was one.
    async fn link_remove(&self, anchor: &str) -> StoreResult<bool>;

    /// Takes or renews the leader lease of [`CYCLE_ROLE`] for `replica` until `now + lease`:
    /// granted when nobody holds it, `replica` holds it, or it lapsed before `now`. Returns the
    /// lease when `replica` holds it after the call (the epoch grows on a takeover), `None`
    /// when another replica's lease is in force.
    async fn leader_acquire(
        &self,
        replica: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<LeaderLease>>;
    /// Ends `replica`'s leader lease at `now` (shutdown), so another replica takes over at its
    /// next try; returns whether `replica` held it.
    async fn leader_release(&self, replica: &str, now: DateTime<Utc>) -> StoreResult<bool>;
    /// The leader lease as stored (possibly lapsed), if any replica ever held it.
    async fn leader_get(&self) -> StoreResult<Option<LeaderLease>>;

    /// Records what a cycle saw of redemption, in one statement: for each observation whose
    /// state or change time differs from the link's, sets `redemption_state` and
    /// `redemption_changed_at`, and `redemption_seen_at = now` when the state itself changed.
    /// Unknown anchors are skipped. Returns how many links changed.
    async fn link_record_redemption(
        &self,
        now: DateTime<Utc>,
        seen: Vec<RedemptionObservation>,
    ) -> StoreResult<u64>;
    /// Live links (not deleted) by redemption state; every state present, zeros included; a
    /// link no cycle has observed yet counts as unknown.
    async fn link_redemption_counts(&self) -> StoreResult<BTreeMap<RedemptionState, u64>>;
    /// Live links guestsync made by inviting (adopted guests are not counted): the top of the
    /// status page's redemption funnel.
    async fn link_invited_count(&self) -> StoreResult<u64>;

    /// Claims up to `limit` pending invitation mails due at `now`, leased until `now + lease`.
    async fn mail_claim(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<PendingMail>>;
    /// Marks a claimed mail sent (fenced by `generation`: a newer invitation is not marked) and clears
    /// a mail error shown on the item. Returns whether the mail was marked.
    async fn mail_sent(
        &self,
        anchor: &str,
        generation: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;
    /// Records a failed send (attempts + 1): pending again from `retry_at`, or failed for good
    /// when `retry_at` is `None`. The error is also shown as the item's last error.
    async fn mail_failed(
        &self,
        anchor: &str,
        generation: i64,
        error: &ItemError,
        retry_at: Option<DateTime<Utc>>,
    ) -> StoreResult<bool>;
    /// The invitation mail of an anchor, if any.
    async fn mail_get(&self, anchor: &str) -> StoreResult<Option<MailRecord>>;
    /// Invitation mails by state (every state present, zeros included).
    async fn mail_counts(&self) -> StoreResult<BTreeMap<MailState, u64>>;

    /// The control row: pause and quarantine (shared by every process on this store).
    async fn control_get(&self) -> StoreResult<ControlState>;
    /// Pauses (no cycles, no claims); an existing pause keeps its `since` and reason.
    async fn control_pause(&self, now: DateTime<Utc>, reason: &str) -> StoreResult<()>;
    /// Lifts the pause; returns whether there was one.
    async fn control_resume(&self) -> StoreResult<bool>;
    /// Records the quarantine in force (replacing the stored one).
    async fn quarantine_set(&self, record: &QuarantineRecord) -> StoreResult<()>;
    /// Lifts the quarantine; returns whether there was one.
    async fn quarantine_clear(&self) -> StoreResult<bool>;
    /// Claims one item by anchor if it is pending (whatever its `run_after`), for on-demand
    /// sync; `None` when it is not pending (running elsewhere, done, dead or absent).
    async fn item_claim_anchor(
        &self,
        anchor: &str,
        owner: &str,
        lease: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ClaimedItem>>;
}
