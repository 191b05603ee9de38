//! The cycle: read the source, read the tenant, plan (pure), record the plan — or only preview
//! it (`guestsync plan`). A failed source or tenant read aborts the cycle before anything is
//! planned: **a read error is never an empty source**, so it never disables anyone.

mod convert;
pub mod metrics;
mod one;
mod report;

use std::sync::Arc;

use tokio::sync::Notify;

use crate::clock::Clock;
use crate::graph::{GraphClient, GraphError};
use crate::plan::{BrakeDecision, Plan, PlanInput, PlanPolicy, plan};
use crate::source::{SourceError, SourceReader, SourceSnapshot};
use crate::store::{ItemState, RunId, RunOutcome, Store, StoreError};

pub use convert::{TENANT_SELECT, link_state, observed, queue_item, queue_items};
pub use one::OnePlan;
pub use report::{CycleReport, Preview, run_counts};

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
        }
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
        let snapshot = self.source.read().await?;
        let plan = self.plan_snapshot(&snapshot).await?;
        Ok(Preview { snapshot, plan })
    }

    async fn plan_snapshot(&self, snapshot: &SourceSnapshot) -> Result<Plan, CycleError> {
        let mut guests = self.graph.list_guests(&TENANT_SELECT).await?;
        if self.invited_members {
            let filter = "creationType eq 'Invitation' and userType eq 'Member'";
            let members = self.graph.list_users(Some(filter), &TENANT_SELECT).await?;
            guests.extend(members);
        }
        let links = self.store.link_list().await?;
        metrics::owned_guests(&guests, &links);
        let input = PlanInput {
            desired: snapshot.identities.clone(),
            present_anchors: snapshot.present_anchors.clone(),
            observed: guests.into_iter().map(observed).collect(),
            links: links.iter().filter_map(link_state).collect(),
        };
        Ok(plan(&input, &self.policy, self.clock.now()))
    }

    /// One cycle: plan and record it as a run. A failed read is recorded as a failed run.
    /// Emits the cycle metrics ([`metrics`]).
    #[tracing::instrument(skip_all, name = "sync.cycle", fields(run.id = tracing::field::Empty))]
    pub async fn run_cycle(&self, kind: &str) -> Result<CycleReport, CycleError> {
        let started = tokio::time::Instant::now();
        let result = self.cycle(kind).await;
        metrics::cycle_finished(&result, started.elapsed(), self.clock.now());
        result
    }

    async fn cycle(&self, kind: &str) -> Result<CycleReport, CycleError> {
        let run_id = self.store.run_start(self.clock.now(), kind).await?;
        tracing::Span::current().record("run.id", run_id);
        match self.preview().await {
            Ok(preview) => self.record(run_id, preview).await,
            Err(error) => {
                tracing::error!(%error, "cycle aborted; nothing was planned");
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
        let preview = self.without_approved_disables(preview).await?;
        let now = self.clock.now();
        let report = CycleReport::new(run_id, &preview);
        self.store
            .run_record_rejections(run_id, report::rejections(&preview))
            .await?;
        self.store
            .run_record_conflicts(run_id, report::conflicts(&preview))
            .await?;
        let items = queue_items(&preview.plan.items)?;
        self.store.plan_record(run_id, now, items).await?;
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
        let label = if report.is_held() {
            "held"
        } else {
            "succeeded"
        };
        ::metrics::counter!("guestsync_cycles_total", "outcome" => label).increment(1);
        self.wake.notify_waiters();
        Ok(report)
    }
}
