//! On-demand planning of one anchor (like Entra's provision on demand): read the source, find
//! the anchor, read only the guests that matter for it (its linked guest and the guests holding
//! its address) and plan it with every link known, so a guest owned by another anchor is
//! never adopted. Writes nothing; the caller records and executes the result.

use std::collections::BTreeSet;

use super::{CycleError, Engine, link_state, observed};
use crate::graph::ErrorClass;
use crate::graph::odata::email_filter;
use crate::identity::Anchor;
use crate::plan::{PlanInput, PlannedAction, plan};

/// What planning one anchor found.
#[derive(Debug, Clone)]
pub enum OnePlan {
    /// The source holds no valid row with this anchor (absent or rejected): nothing to do.
    /// On demand never disables: leaving the scope is for a full cycle and its brake.
    NotInSource,
    /// The anchor is held as a conflict; the reason is for people.
    Conflict(String),
    /// The tenant already matches the source.
    Unchanged,
    /// The action to apply.
    Act(Box<PlannedAction>),
}

impl Engine {
    /// Wakes the worker pool (an operator queued work: approve, retry).
    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Plans `anchor` alone against the tenant; writes nothing.
    #[tracing::instrument(skip_all, name = "sync.plan_one")]
    pub async fn plan_one(&self, anchor: &str) -> Result<OnePlan, CycleError> {
        let snapshot = self.source.read().await?;
        if let Some(conflict) = snapshot
            .conflicts
            .iter()
            .find(|c| c.anchor.as_str() == anchor)
        {
            return Ok(OnePlan::Conflict(conflict.reason.clone()));
        }
        let Some(identity) = snapshot
            .identities
            .iter()
            .find(|i| i.anchor.as_str() == anchor)
        else {
            return Ok(OnePlan::NotInSource);
        };
        let links = self.store.link_list().await?;
        let filter = email_filter(identity.email.as_str());
        // The cycle's `$select`: a mapped property left out would read as unset (Gotcha 4).
        let mut users = self.graph.list_users(Some(&filter), &self.select).await?;
        let linked = links
            .iter()
            .find(|l| l.anchor == anchor && l.deleted_at.is_none());
        if let Some(link) = linked
            && !users.iter().any(|u| u.id == link.object_id)
        {
            match self.graph.get_user(&link.object_id, &self.select).await {
                Ok(user) => users.push(user),
                Err(error) if error.class == ErrorClass::NotFound => {}
                Err(error) => return Err(error.into()),
            }
        }
        // Every other link counts as present, so planning one anchor never disables another.
        let present: BTreeSet<Anchor> = links
            .iter()
            .filter_map(|l| Anchor::parse(&l.anchor).ok())
            .chain(std::iter::once(identity.anchor.clone()))
            .collect();
        let input = PlanInput {
            desired: vec![identity.clone()],
            present_anchors: present,
            observed: users.into_iter().map(observed).collect(),
            links: links.iter().filter_map(link_state).collect(),
        };
        let mut planned = plan(&input, &self.policy, self.clock.now());
        if let Some(conflict) = planned.conflicts.pop() {
            return Ok(OnePlan::Conflict(conflict.reason.to_string()));
        }
        Ok(
            match planned
                .items
                .into_iter()
                .find(|p| p.anchor.as_str() == anchor)
            {
                Some(action) => OnePlan::Act(Box::new(action)),
                None => OnePlan::Unchanged,
            },
        )
    }
}
