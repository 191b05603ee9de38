//! Executes [`Action::Restore`]: restore a guest guestsync deleted from deleted items (same
//! object id), then enable it and set its attributes; invite instead when Graph no longer
//! holds it.

use super::outcome::{Outcome, REPLICATION_PAUSE};
use super::payload::{ItemPayload, applied_json, patch_body};
use super::{Worker, WorkerContext};
use crate::graph::{ErrorClass, GraphError};
use crate::identity::{Attributes, Email, Identity};
use crate::plan::Action;
use crate::store::{LinkFields, LinkUpdate};

impl Worker {
    /// POST /directory/deletedItems/{id}/restore (same object id), then enable and set every
    /// desired attribute. A guest no longer in deleted items (purged after 30 days, or restored
    /// by someone else) is invited instead.
    pub(super) async fn restore(
        &self,
        ctx: &WorkerContext,
        object_id: &str,
        email: &Email,
        attributes: &Attributes,
        desired: Option<Identity>,
    ) -> Outcome {
        match self.graph.restore_deleted_user(object_id).await {
            Ok(_) => {}
            Err(error) if error.class == ErrorClass::NotFound => {
                return self
                    .invite_instead(ctx, object_id, email, attributes, desired)
                    .await;
            }
            Err(error) => return self.failed(ctx, &error, false),
        }
        let mut fields = LinkFields {
            object_id: object_id.to_string(),
            user_principal_name: None,
            email: email.to_string(),
            invited_at: None,
            redeem_url: None,
            disabled_by_us: false,
            last_applied: applied_json(attributes),
        };
        let body = patch_body(attributes, Some(true));
        match self.graph.update_user(object_id, &body).await {
            Ok(()) => Outcome::Done(LinkUpdate::Upsert(fields)),
            Err(error) => {
                // Restored but not yet enabled: record the restore, enable next.
                fields.disabled_by_us = true;
                fields.last_applied = applied_json(&Attributes::new());
                self.continue_as_enable(fields, attributes, desired, &error)
            }
        }
    }

    /// The restore found nothing to restore: invite. When Graph answers with the same user (it
    /// was restored already), the link says disabled so the next cycle enables it.
    async fn invite_instead(
        &self,
        ctx: &WorkerContext,
        object_id: &str,
        email: &Email,
        attributes: &Attributes,
        desired: Option<Identity>,
    ) -> Outcome {
        match self.invite(ctx, email, attributes, desired, None).await {
            Outcome::Done(LinkUpdate::Upsert(mut fields)) if fields.object_id == object_id => {
                fields.disabled_by_us = true;
                Outcome::Done(LinkUpdate::Upsert(fields))
            }
            other => other,
        }
    }

    fn continue_as_enable(
        &self,
        fields: LinkFields,
        attributes: &Attributes,
        desired: Option<Identity>,
        error: &GraphError,
    ) -> Outcome {
        let after = match error.class {
            ErrorClass::Throttled => error
                .retry_after
                .filter(|d| !d.is_zero())
                .unwrap_or(self.config.throttle_fallback),
            _ => REPLICATION_PAUSE,
        };
        let next = ItemPayload {
            action: Action::Enable {
                object_id: fields.object_id.clone(),
                changes: attributes.clone(),
            },
            desired,
        };
        Outcome::Progress {
            link: LinkUpdate::Upsert(fields),
            next,
            after,
            reason: format!("restored; enable deferred ({})", error.class.as_str()),
        }
    }
}
