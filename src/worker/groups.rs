//! Executes the work of one managed group ([`GroupWork`]): re-reads the group's members (so
//! work that was partly applied, or raced by another write, never writes twice), adds the
//! missing ones up to 20 per `PATCH /groups/{id}` (`members@odata.bind`, one write each) and
//! removes the unwanted ones through `$batch`.
//!
//! Failures: throttling snoozes; a 400 or 404 on an addition (Graph adds all or none, e.g. when
//! a member was added meanwhile, or a new guest has not replicated) is retried with backoff
//! until attempts run out, and the retry re-reads the members first; everything else follows the item rules
//! ([`super::outcome::from_graph_error`]). A removal answered 404 is already done.

use std::collections::BTreeSet;

use super::outcome::{self, Outcome};
use super::{Processed, Worker};
use crate::graph::groups::MAX_MEMBERS_PER_PATCH;
use crate::graph::{ErrorClass, GraphError};
use crate::groups::GroupWork;
use crate::store::{ClaimedItem, LinkUpdate, StoreError};

impl Worker {
    /// Executes and settles a claimed group-work item.
    pub(super) async fn process_group(
        &self,
        owner: &str,
        item: ClaimedItem,
    ) -> Result<Processed, StoreError> {
        let outcome = match serde_json::from_value::<GroupWork>(item.payload.clone()) {
            Ok(work) => self.apply_group(&work, item.attempts).await,
            Err(e) => Outcome::Dead(outcome::internal_error("unreadable_payload", e.to_string())),
        };
        self.settle(owner, &item, outcome).await
    }

    async fn apply_group(&self, work: &GroupWork, attempts: u32) -> Outcome {
        let gid = work.group_id.as_str();
        let current: BTreeSet<String> = match self.graph.list_group_member_ids(gid).await {
            Ok(ids) => ids.into_iter().collect(),
            Err(error) => return self.group_failed(&error, attempts),
        };
        let add: Vec<String> = work
            .add
            .iter()
            .filter(|id| !current.contains(*id))
            .cloned()
            .collect();
        for chunk in add.chunks(MAX_MEMBERS_PER_PATCH) {
            if let Err(mut error) = self.graph.add_group_members(gid, chunk).await {
                if matches!(error.status, Some(400 | 404)) {
                    error.class = ErrorClass::Transient;
                }
                return self.group_failed(&error, attempts);
            }
        }
        let remove: Vec<String> = work
            .remove
            .iter()
            .filter(|id| current.contains(*id))
            .cloned()
            .collect();
        if remove.is_empty() {
            return Outcome::Done(LinkUpdate::Keep);
        }
        let results = match self.graph.remove_group_members(gid, &remove).await {
            Ok(results) => results,
            Err(error) => return self.group_failed(&error, attempts),
        };
        let failed = results
            .into_iter()
            .filter_map(|r| r.result.err())
            .find(|e| e.class != ErrorClass::NotFound);
        match failed {
            Some(error) => self.group_failed(&error, attempts),
            None => Outcome::Done(LinkUpdate::Keep),
        }
    }

    fn group_failed(&self, error: &GraphError, attempts: u32) -> Outcome {
        let policy = self.graph.retry_policy();
        let backoff = crate::graph::backoff::retry_delay(&policy, attempts, error, rand::random());
        outcome::from_graph_error(
            error,
            false,
            attempts,
            self.config.max_attempts,
            backoff,
            self.config.throttle_fallback,
        )
    }
}
