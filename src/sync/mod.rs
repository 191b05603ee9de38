//! The cycle: read the source, read the tenant, plan (pure), record the plan — or only preview
//! it (`guestsync plan`). A failed source or tenant read aborts the cycle before anything is
//! planned: **a read error is never an empty source**, so it never disables anyone.

mod convert;
pub mod groups;
pub mod metrics;
mod one;
mod owned;
pub mod phases;
pub mod redemption;
mod report;
mod writeback;

use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::graph::{GraphClient, GraphError};
use crate::groups::{GroupConfig, GroupWork};
use crate::plan::{
    BrakeDecision, ObservedGuest, Plan, PlanInput, PlanPolicy, plan_with_link_guests,
};
use crate::source::{SourceError, SourceReader, SourceSnapshot};
use crate::store::{ItemState, RunId, RunOutcome, Store, StoreError};
use crate::writeback::WriteBack;
use phases::{Phase, PhaseTimings};
use redemption::RedemptionSummary;
use tokio::time::Instant;

pub use convert::{TENANT_SELECT, link_state, observed, queue_item, queue_items, tenant_select};
pub use one::OnePlan;
pub use phases::{Phase as CyclePhase, PhaseTimings as CyclePhaseTimings};
pub use report::{CycleReport, Preview, Redemption, run_counts};

/// Why a cycle stopped before recording a plan.
#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    /// The source could not be read completely.
    #[error("source read failed: {0}")]
    Source(#[from] SourceError),
    /// The tenant could not be read.
    #[error("tenant read failed: {0}")]
    Tenant(#[from] GraphError),
    /// The state store failed.
    #[error("state store failed: {0}")]
    Store(#[from] StoreError),
    /// A queue item could not be encoded.
    #[error("cannot encode a queue item: {0}")]
    Encode(#[from] serde_json::Error),
    /// The cycle was cancelled (shutdown) while reading; nothing was planned.
    #[error("cancelled: guestsync is stopping")]
    Cancelled,
}

/// Whether a row asks to be invited as Member (`user_type` column): the guest read alone
/// would then miss its account.
fn any_member_row(snapshot: &SourceSnapshot) -> bool {
    snapshot
        .identities
        .iter()
        .any(|i| i.extras.user_type() == Some(crate::identity::UserType::Member))
}

/// Puts the identities in anchor order, the order the store lists links in, so that the
/// planner joins them to the links by merging rather than through two hash tables of every
/// anchor (a source is rarely ordered by anchor as text). The plan does not depend on the
/// order of the identities: its items and conflicts are sorted by anchor.
fn order_by_anchor(identities: &mut [crate::identity::Identity]) {
    if !identities.is_sorted_by(|a, b| a.anchor <= b.anchor) {
        identities.sort_unstable_by(|a, b| a.anchor.cmp(&b.anchor));
    }
}

/// What planning a snapshot produced.
struct Planned {
    plan: Plan,
    groups: Vec<GroupWork>,
    funnel: Redemption,
    redemption: RedemptionSummary,
}

/// Runs cycles. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Engine {
    source: SourceReader,
    graph: GraphClient,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    policy: PlanPolicy,
    wake: Arc<Notify>,
    invited_members: bool,
    groups: GroupConfig,
    select: Vec<&'static str>,
    writeback: Option<Arc<WriteBack>>,
}

impl Engine {
    /// An engine over its parts; `wake` is notified when a cycle queued work.
    pub fn new(
        source: SourceReader,
        graph: GraphClient,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        policy: PlanPolicy,
        wake: Arc<Notify>,
    ) -> Self {
        Self {
            source,
            graph,
            store,
            clock,
            policy,
            wake,
            invited_members: false,
            groups: GroupConfig::default(),
            select: TENANT_SELECT.to_vec(),
            writeback: None,
        }
    }

    /// Writes the results of each cycle to the write-back table (`[writeback]`).
    pub fn with_writeback(mut self, writeback: Arc<WriteBack>) -> Self {
        self.writeback = Some(writeback);
        self
    }

    /// Manages the memberships of `groups.managed` (off when none is managed).
    pub fn with_groups(mut self, groups: GroupConfig) -> Self {
        self.groups = groups;
        self
    }

    /// Reads exactly the properties of `mapped` from the tenant (default: [`TENANT_SELECT`]).
    pub fn with_mapped(mut self, mapped: crate::identity::PropertySet) -> Self {
        self.select = tenant_select(mapped);
        self
    }

    /// Also reads invited accounts of `userType` Member, for tenants where guestsync invites
    /// as Member (`invite.invited_user_type`); the guest read alone would miss them.
    pub fn with_invited_members(mut self, invited_members: bool) -> Self {
        self.invited_members = invited_members;
        self
    }

    /// Reads source, tenant and links and plans, writing nothing anywhere.
    #[tracing::instrument(skip_all, name = "sync.preview")]
    pub async fn preview(&self) -> Result<Preview, CycleError> {
        let mut phases = PhaseTimings::default();
        let started = Instant::now();
        let mut snapshot = self.source.read().await?;
        let desired_groups = if self.groups.is_enabled() {
            Some(groups::resolve(&mut snapshot, &self.groups)?)
        } else {
            None
        };
        phases.lap(Phase::SourceRead, started);
        let planned = self
            .plan_snapshot(&mut snapshot, desired_groups.as_ref(), &mut phases)
            .await?;
        Ok(Preview {
            snapshot,
            plan: planned.plan,
            groups: planned.groups,
            funnel: planned.funnel,
            redemption: planned.redemption,
            phases,
        })
    }

    async fn plan_snapshot(
        &self,
        snapshot: &mut SourceSnapshot,
        desired_groups: Option<&groups::DesiredGroups>,
        phases: &mut PhaseTimings,
    ) -> Result<Planned, CycleError> {
        let started = Instant::now();
        let guests = self.read_tenant(snapshot).await?;
        let started = phases.lap(Phase::TenantRead, started);
        let mut owned = owned::OwnedLinks::new(&guests, self.writeback.is_some());
        self.store
            .link_for_each(&mut |link| owned.add(link))
            .await?;
        let owned = owned.finish();
        let started = phases.lap(Phase::LinksRead, started);
        let group_work = match desired_groups {
            Some(desired) => {
                groups::plan(&self.graph, &self.groups, desired, &guests, &owned.links).await?
            }
            None => Vec::new(),
        };
        let started = phases.lap(Phase::TenantRead, started);
        order_by_anchor(&mut snapshot.identities);
        // The identities move into the planner's input and back: no copy of a large source.
        let input = PlanInput {
            desired: std::mem::take(&mut snapshot.identities),
            present_anchors: std::mem::take(&mut snapshot.present_anchors),
            observed: guests,
            links: owned.links,
        };
        let now = self.clock.now();
        let plan = plan_with_link_guests(&input, owned.link_guests, &self.policy, now);
        snapshot.identities = input.desired;
        snapshot.present_anchors = input.present_anchors;
        phases.lap(Phase::Plan, started);
        Ok(Planned {
            plan,
            groups: group_work,
            funnel: owned.funnel,
            redemption: owned.redemption,
        })
    }

    /// The guests (and, where rows ask for Members, the invited members) of the tenant, each
    /// page converted as it arrives: the Graph form of a large tenant is never all held.
    async fn read_tenant(
        &self,
        snapshot: &SourceSnapshot,
    ) -> Result<Vec<ObservedGuest>, GraphError> {
        let mut guests = Vec::new();
        self.graph
            .for_each_guest_page(&self.select, |page| {
                guests.extend(page.into_iter().map(observed));
                Ok(())
            })
            .await?;
        if self.invited_members || any_member_row(snapshot) {
            let filter = "creationType eq 'Invitation' and userType eq 'Member'";
            let members = self.graph.list_users(Some(filter), &self.select).await?;
            guests.extend(members.into_iter().map(observed));
        }
        Ok(guests)
    }

    /// One cycle: plan and record it as a run. A failed read is recorded as a failed run.
    /// Emits the cycle metrics ([`metrics`]).
    pub async fn run_cycle(&self, kind: &str) -> Result<CycleReport, CycleError> {
        self.run_cycle_until(kind, &CancellationToken::new()).await
    }

    /// [`Engine::run_cycle`], abandoned when `cancel` fires while the source or tenant is
    /// being read: the run is then finished as failed ([`CycleError::Cancelled`]) and nothing
    /// is planned. Once reading is done the short recording runs to its end, so a run is never
    /// half recorded.
    #[tracing::instrument(skip_all, name = "sync.cycle", fields(run.id = tracing::field::Empty))]
    pub async fn run_cycle_until(
        &self,
        kind: &str,
        cancel: &CancellationToken,
    ) -> Result<CycleReport, CycleError> {
        let started = tokio::time::Instant::now();
        let result = self.cycle(kind, cancel).await;
        metrics::cycle_finished(&result, started.elapsed(), self.clock.now());
        result
    }

    async fn cycle(
        &self,
        kind: &str,
        cancel: &CancellationToken,
    ) -> Result<CycleReport, CycleError> {
        let run_id = self.store.run_start(self.clock.now(), kind).await?;
        tracing::Span::current().record("run.id", run_id);
        let read = tokio::select! {
            read = self.preview() => read,
            _ = cancel.cancelled() => Err(CycleError::Cancelled),
        };
        match read {
            Ok(preview) => self.record(run_id, preview).await,
            Err(error) => {
                if matches!(error, CycleError::Cancelled) {
                    tracing::warn!("cycle cancelled by shutdown; nothing was planned");
                } else {
                    tracing::error!(%error, "cycle aborted; nothing was planned");
                }
                let outcome = RunOutcome::Failed(error.to_string());
                self.store
                    .run_finish(run_id, self.clock.now(), outcome, Default::default())
                    .await?;
                ::metrics::counter!("guestsync_cycles_total", "outcome" => "failed").increment(1);
                Err(error)
            }
        }
    }

    /// Disables an operator already approved sit in the queue with the same desired state; a
    /// cycle that plans them again before they are applied must not hold them a second time.
    /// The brake is decided again on the disables that are left.
    async fn without_approved_disables(&self, mut preview: Preview) -> Result<Preview, CycleError> {
        let BrakeDecision::Held { owned, .. } = preview.plan.brake else {
            return Ok(preview);
        };
        let mut left = Vec::new();
        for planned in std::mem::take(&mut preview.plan.held_disables) {
            let queued = self.store.item_get(planned.anchor.as_str()).await?;
            let approved = queued.is_some_and(|item| {
                item.desired_hash == planned.desired_hash && item.state != ItemState::Dead
            });
            if !approved {
                left.push(planned);
            }
        }
        preview.plan.brake = crate::plan::brake::decide(left.len() as u64, owned, &self.policy);
        if preview.plan.brake.is_held() {
            preview.plan.held_disables = left;
        } else {
            preview.plan.items.extend(left);
            preview.plan.items.sort_by(|a, b| a.anchor.cmp(&b.anchor));
        }
        Ok(preview)
    }

    async fn record(&self, run_id: RunId, preview: Preview) -> Result<CycleReport, CycleError> {
        let started = Instant::now();
        let preview = self.without_approved_disables(preview).await?;
        let now = self.clock.now();
        let mut report = CycleReport::new(run_id, &preview);
        self.store
            .run_record_rejections(run_id, report::rejections(&preview))
            .await?;
        self.store
            .run_record_conflicts(run_id, report::conflicts(&preview))
            .await?;
        let mut items = queue_items(&preview.plan.items)?;
        if !preview.groups.is_empty() {
            let (add, remove) = preview
                .groups
                .iter()
                .fold((0, 0), |(a, r), w| (a + w.add.len(), r + w.remove.len()));
            tracing::info!(
                groups = preview.groups.len(),
                add,
                remove,
                "group work planned"
            );
        }
        items.extend(groups::queue_items(&preview.groups)?);
        self.store.plan_record(run_id, now, items).await?;
        let superseded = self.store.held_supersede(run_id, now).await?;
        if !superseded.is_empty() {
            tracing::warn!(
                runs = ?superseded,
                by = run_id,
                "held runs superseded by this cycle's plan: their disables are dropped"
            );
        }
        let changes = preview.redemption.changes.clone();
        let redeemed = self.store.link_record_redemption(now, changes).await?;
        tracing::debug!(changed = redeemed, "redemption states recorded");
        if let Some(writeback) = &self.writeback {
            writeback::after_cycle(&*self.store, writeback, &preview.redemption).await;
        }
        if preview.plan.brake.is_held() {
            let held = queue_items(&preview.plan.held_disables)?;
            self.store.held_record(run_id, now, held).await?;
            tracing::warn!(
                disables = report.held_disables,
                "brake: disables held for an operator"
            );
        }
        self.store
            .run_finish(
                run_id,
                self.clock.now(),
                report.outcome.clone(),
                report.counts.clone(),
            )
            .await?;
        report.phases.lap(Phase::Record, started);
        let label = if report.is_held() {
            "held"
        } else {
            "succeeded"
        };
        ::metrics::counter!("guestsync_cycles_total", "outcome" => label).increment(1);
        tracing::info!(
            outcome = label,
            read = report.counts.read,
            rejected = report.counts.rejected,
            invites = report.counts.invites,
            updates = report.counts.updates,
            disables = report.counts.disables,
            phases = %report.phases.summary(),
            "cycle recorded"
        );
        self.wake.notify_waiters();
        Ok(report)
    }
}
