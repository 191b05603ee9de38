//! Gathers what the status page shows from the app state: readiness, the last runs with their
//! dead items, the queue by state, the throttle samples, the redemption funnel and the recent
//! dead items. Only anchors, codes, counts and request-ids are kept: never an address, a
//! redeem URL, a token or a payload. A store failure becomes a note on the page, not a 500.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::history::Sample;
use crate::http::ready::Readiness;
use crate::http::routes::AppState;
use crate::store::{
    HeldStatus, ItemFilter, ItemState, RedemptionState, RunId, RunOutcome, RunRecord, Store,
};
use crate::sync::Redemption;

/// How many runs the page shows.
const RUNS_SHOWN: u32 = 20;
/// How many dead items the page lists.
const DEAD_SHOWN: usize = 20;
/// How many dead items are read to count errors per run.
const DEAD_READ: u32 = 5000;

/// Everything the page renders.
#[derive(Debug)]
pub struct PageData {
    /// When the page was made.
    pub now: DateTime<Utc>,
    /// The readiness checks.
    pub readiness: Readiness,
    /// The last runs, oldest first; or why they could not be read.
    pub runs: Result<Vec<RunRow>, String>,
    /// Items by state; or why they could not be read.
    pub queue: Result<BTreeMap<ItemState, u64>, String>,
    /// The most recently settled dead items, newest first; or why they could not be read.
    pub dead: Result<Vec<DeadRow>, String>,
    /// The throttle samples, oldest first.
    pub throttle: Vec<Sample>,
    /// The owned guests by redemption, as the state store holds them (each cycle records what
    /// the tenant read showed); or why they could not be read.
    pub funnel: Result<Redemption, String>,
}

/// One run as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    /// The run id.
    pub id: RunId,
    /// What started it.
    pub kind: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// `running`, `succeeded`, `held`, `failed`.
    pub outcome: &'static str,
    /// Why it failed (a failed run only).
    pub failure: Option<String>,
    /// Source rows read and rejected.
    pub read: u64,
    /// Source rows rejected.
    pub rejected: u64,
    /// Invites and re-invites planned.
    pub invites: u64,
    /// Updates, adoptions and enables planned.
    pub updates: u64,
    /// Disables and deletes planned.
    pub disables: u64,
    /// Items of this run that are dead.
    pub errors: u64,
    /// Whether it waits for an operator.
    pub waiting: bool,
}

/// One dead item as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadRow {
    /// The anchor (never the address).
    pub anchor: String,
    /// The planned action.
    pub action: String,
    /// Graph's `error.code` (or an internal code).
    pub code: String,
    /// The HTTP status, when there was one.
    pub status: Option<u16>,
    /// Graph's request-id, when there was one.
    pub request_id: Option<String>,
    /// When it went dead.
    pub at: DateTime<Utc>,
}

/// Reads everything the page shows.
pub async fn gather(state: &AppState) -> PageData {
    let probes = &state.probes;
    let (readiness, runs, queue, dead, funnel) = tokio::join!(
        probes.readiness(),
        probes.store.run_list(RUNS_SHOWN),
        probes.store.item_counts(),
        probes.store.item_list(ItemFilter {
            state: Some(ItemState::Dead),
            limit: DEAD_READ,
            ..ItemFilter::default()
        }),
        funnel(&*probes.store),
    );
    let dead = dead.map_err(|e| e.to_string());
    let runs = runs.map_err(|e| e.to_string()).map(|runs| {
        let errors = dead.as_ref().map(|d| errors_by_run(d)).unwrap_or_default();
        runs.iter().rev().map(|r| run_row(r, &errors)).collect()
    });
    PageData {
        now: probes.clock.now(),
        readiness,
        runs,
        queue: queue.map_err(|e| e.to_string()),
        dead: dead.map(|items| recent_dead(&items)),
        throttle: state.page.samples(),
        funnel,
    }
}

/// The redemption funnel (invited → pending → accepted) from the state store: the same on
/// every replica, and there from the start (not only after this process's first cycle).
pub async fn funnel(store: &dyn Store) -> Result<Redemption, String> {
    let (counts, invited) =
        tokio::join!(store.link_redemption_counts(), store.link_invited_count());
    let (counts, invited) = (
        counts.map_err(|e| e.to_string())?,
        invited.map_err(|e| e.to_string())?,
    );
    let count = |state| counts.get(&state).copied().unwrap_or(0);
    Ok(Redemption {
        owned: counts.values().sum(),
        invited,
        pending: count(RedemptionState::Pending),
        accepted: count(RedemptionState::Accepted),
    })
}

fn errors_by_run(dead: &[crate::store::ItemRecord]) -> BTreeMap<RunId, u64> {
    let mut errors = BTreeMap::new();
    for run in dead.iter().filter_map(|item| item.run_id) {
        *errors.entry(run).or_default() += 1;
    }
    errors
}

fn run_row(run: &RunRecord, errors: &BTreeMap<RunId, u64>) -> RunRow {
    let (outcome, failure) = match &run.outcome {
        None => ("running", None),
        Some(RunOutcome::Succeeded) => ("succeeded", None),
        Some(RunOutcome::Held) => ("held", None),
        Some(RunOutcome::Failed(reason)) => ("failed", Some(reason.clone())),
    };
    let c = &run.counts;
    RunRow {
        id: run.id,
        kind: run.kind.clone(),
        started_at: run.started_at,
        outcome,
        failure,
        read: c.read,
        rejected: c.rejected,
        invites: c.invites + c.reinvites,
        updates: c.updates + c.adopts + c.enables,
        disables: c.disables + c.deletes,
        errors: errors.get(&run.id).copied().unwrap_or(0),
        waiting: run.held == Some(HeldStatus::Waiting),
    }
}

fn recent_dead(items: &[crate::store::ItemRecord]) -> Vec<DeadRow> {
    let mut rows: Vec<DeadRow> = items
        .iter()
        .map(|item| {
            let error = item.last_error.as_ref();
            DeadRow {
                anchor: item.anchor.clone(),
                action: item.action.clone(),
                code: error.map(|e| e.code.clone()).unwrap_or_default(),
                status: error.and_then(|e| e.status),
                request_id: error.and_then(|e| e.request_id.clone()),
                at: item.updated_at,
            }
        })
        .collect();
    rows.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.anchor.cmp(&b.anchor)));
    rows.truncate(DEAD_SHOWN);
    rows
}
