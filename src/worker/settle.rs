//! Records an [`Outcome`] in the store, fenced by the item's lease token, and logs it once.

use chrono::{DateTime, Utc};

use super::outcome::Outcome;
use super::{Processed, Worker};
use crate::store::{ClaimedItem, ItemProgress, SettleResult, StoreError};

impl Worker {
    pub(super) async fn settle(
        &self,
        owner: &str,
        item: &ClaimedItem,
        outcome: Outcome,
    ) -> Result<Processed, StoreError> {
        let now = self.clock.now();
        let anchor = item.anchor.as_str();
        let token = item.lease_token;
        let (result, processed) = match outcome {
            Outcome::Done(link) => {
                let result = self
                    .store
                    .item_complete(anchor, token, item.desired_gen, now, link)
                    .await?;
                metrics::counter!("guestsync_actions_total", "action" => action_label(&item.action), "outcome" => "succeeded").increment(1);
                (result, Processed::Done)
            }
            Outcome::Progress {
                link,
                next,
                after,
                reason,
            } => {
                let payload =
                    serde_json::to_value(&next).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let progress = ItemProgress {
                    run_after: later(now, after),
                    link,
                    action: next.action.kind_name().to_string(),
                    payload,
                    reason,
                };
                let result = self
                    .store
                    .item_progress(anchor, token, now, progress)
                    .await?;
                (result, Processed::Again)
            }
            Outcome::Snooze { after, reason } => {
                tracing::debug!(%reason, after_ms = after.as_millis() as u64, "snoozed");
                let result = self
                    .store
                    .item_snooze(anchor, token, now, later(now, after), &reason)
                    .await?;
                (result, Processed::Again)
            }
            Outcome::Retry { after, error } => {
                tracing::info!(code = %error.code, class = %error.class, request_id = ?error.request_id, "attempt failed; will retry");
                let result = self
                    .store
                    .item_retry(anchor, token, now, later(now, after), error)
                    .await?;
                (result, Processed::Again)
            }
            Outcome::Dead(error) => {
                tracing::warn!(code = %error.code, class = %error.class, status = ?error.status, request_id = ?error.request_id, message = %error.message, "item is dead");
                let result = self.store.item_dead(anchor, token, now, error).await?;
                metrics::counter!("guestsync_actions_total", "action" => action_label(&item.action), "outcome" => "dead").increment(1);
                (result, Processed::Dead)
            }
        };
        if result == SettleResult::LeaseLost {
            tracing::warn!(
                owner,
                "lease lost before settling; the outcome was not recorded"
            );
            metrics::counter!("guestsync_lease_lost_total").increment(1);
            return Ok(Processed::LeaseLost);
        }
        Ok(processed)
    }
}

fn later(now: DateTime<Utc>, after: std::time::Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(after).unwrap_or_else(|_| chrono::Duration::hours(1))
}

/// A bounded metric label for an action name.
fn action_label(action: &str) -> &'static str {
    match action {
        "invite" => "invite",
        "adopt" => "adopt",
        "update" => "update",
        "enable" => "enable",
        "disable" => "disable",
        "reinvite" => "reinvite",
        "delete" => "delete",
        "group_members" => "group_members",
        _ => "other",
    }
}
