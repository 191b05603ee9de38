//! Executes the housekeeping actions (issue 4 item 4): renew an invitation still pending,
//! expire, delete (soft), and change the e-mail with a reset of redemption, continued as a
//! reset alone when the mail has not replicated yet (the restore from deleted items is in
//! `restore`).
//! Every new invitation goes through [`Worker::invite`], the one invitation path, so whatever
//! happens to an invitation there (its redeem URL stored, mailed) happens to these too.

use super::outcome::{Outcome, REPLICATION_PAUSE};
use super::payload::{ItemPayload, applied_json, attributes_from_json, patch_body};
use super::{Worker, WorkerContext};
use crate::graph::ErrorClass;
use crate::identity::{Attributes, Email, Identity};
use crate::plan::Action;
use crate::store::{InvitationMail, LinkFields, LinkUpdate};

/// What an [`Action::ChangeEmail`] asks for.
struct EmailChange<'a> {
    object_id: &'a str,
    email: &'a Email,
    changes: &'a Attributes,
    reset: bool,
    enable: bool,
}

impl Worker {
    /// Executes the housekeeping `action`; the other actions are executed by `execute`.
    pub(super) async fn housekeeping(
        &self,
        ctx: &WorkerContext,
        action: &Action,
        desired: Option<Identity>,
    ) -> Outcome {
        match action {
            Action::Renew {
                object_id, email, ..
            } => self.renew(ctx, object_id, email, desired).await,
            Action::Delete { object_id } => self.delete(ctx, object_id).await,
            Action::Expire { object_id, delete } => self.expire(ctx, object_id, *delete).await,
            Action::Restore {
                object_id,
                email,
                attributes,
            } => {
                self.restore(ctx, object_id, email, attributes, desired)
                    .await
            }
            Action::ChangeEmail {
                object_id,
                email,
                changes,
                reset_redemption,
                enable,
            } => {
                let change = EmailChange {
                    object_id,
                    email,
                    changes,
                    reset: *reset_redemption,
                    enable: *enable,
                };
                self.change_email(ctx, change, desired).await
            }
            Action::ResetRedemption { object_id, email } => {
                self.reset_redemption(ctx, object_id, email, desired).await
            }
            other => Outcome::Dead(super::outcome::internal_error(
                "not_housekeeping",
                format!("{} is not a housekeeping action", other.kind_name()),
            )),
        }
    }

    /// POST /invitations for the same address: Graph answers with the existing user and a new
    /// redeem URL (notes/graph.md §1 "Existing guest"). The first invitation time and the
    /// attributes last written stay on the link; the re-invitation is counted.
    async fn renew(
        &self,
        ctx: &WorkerContext,
        object_id: &str,
        email: &Email,
        desired: Option<Identity>,
    ) -> Outcome {
        let outcome = self
            .invite(ctx, email, &Attributes::new(), desired, None)
            .await;
        match split_invited(outcome) {
            Ok((mut fields, mail)) => {
                if fields.object_id != object_id {
                    tracing::warn!("re-invitation answered with another object id; relinked");
                }
                fields.invited_at = None;
                keep_link_state(ctx, &mut fields);
                Outcome::Done(LinkUpdate::Renewed(fields, mail))
            }
            Err(other) => *other,
        }
    }

    /// DELETE /users/{id} (a soft delete); the link keeps the object id and the time.
    async fn delete(&self, ctx: &WorkerContext, object_id: &str) -> Outcome {
        match self.graph.delete_user(object_id).await {
            Ok(()) => Outcome::Done(LinkUpdate::MarkDeleted),
            Err(error) if error.class == ErrorClass::NotFound && !self.recently_written(ctx) => {
                // Already gone; a restore later falls back to an invitation.
                Outcome::Done(LinkUpdate::MarkDeleted)
            }
            Err(error) => self.failed(ctx, &error, self.recently_written(ctx)),
        }
    }

    /// Disables (as [`Action::Disable`]) or deletes the guest, and records the expiry.
    async fn expire(&self, ctx: &WorkerContext, object_id: &str, delete: bool) -> Outcome {
        let outcome = if delete {
            self.delete(ctx, object_id).await
        } else {
            self.disable(ctx, object_id).await
        };
        match outcome {
            Outcome::Done(LinkUpdate::MarkDeleted) => Outcome::Done(LinkUpdate::Expired(None)),
            Outcome::Done(LinkUpdate::Upsert(fields)) => {
                Outcome::Done(LinkUpdate::Expired(Some(fields)))
            }
            other => other,
        }
    }

    /// PATCH `mail` (and the changed properties); then, for an invited guest, reset the
    /// redemption: POST /invitations with `invitedUser.id` and `resetRedemption: true` for the
    /// new address, which Graph requires to be in `mail` already (notes/graph.md §1). A reset
    /// that does not succeed at once (the mail may not have replicated, §7) continues as an
    /// [`Action::ResetRedemption`]: the PATCH is recorded and not sent again, since each new
    /// write of `mail` would start its replication over.
    async fn change_email(
        &self,
        ctx: &WorkerContext,
        change: EmailChange<'_>,
        desired: Option<Identity>,
    ) -> Outcome {
        let EmailChange {
            object_id, email, ..
        } = change;
        let mut body = patch_body(change.changes, change.enable.then_some(true));
        body.insert("mail".into(), email.to_string().into());
        if let Err(error) = self.graph.update_user(object_id, &body).await {
            return self.failed(ctx, &error, self.recently_written(ctx));
        }
        let applied = match &desired {
            Some(identity) => identity.attributes.clone(),
            None => self.applied_after_change(ctx, change.changes),
        };
        let disabled_by_us = !change.enable && ctx.link.as_ref().is_some_and(|l| l.disabled_by_us);
        if !change.reset {
            let fields =
                self.kept_fields(ctx.link.as_ref(), object_id, &applied, Some(disabled_by_us));
            let fields = LinkFields {
                email: email.to_string(),
                ..fields
            };
            return Outcome::Done(LinkUpdate::Upsert(fields));
        }
        let outcome = self
            .invite(
                ctx,
                email,
                &Attributes::new(),
                desired.clone(),
                Some(object_id),
            )
            .await;
        match split_invited(outcome) {
            Ok((mut fields, mail)) => {
                fields.last_applied = applied_json(&applied);
                fields.disabled_by_us = disabled_by_us;
                Outcome::Done(reset_done(fields, mail))
            }
            Err(failed) => {
                // The mail is set: the link keeps the old address until the reset succeeds.
                let patched =
                    self.kept_fields(ctx.link.as_ref(), object_id, &applied, Some(disabled_by_us));
                continue_with_reset(*failed, patched, object_id, email, desired)
            }
        }
    }

    /// The reset of redemption that follows an e-mail change whose PATCH is done: on success
    /// the link takes the new address and keeps what the PATCH recorded.
    async fn reset_redemption(
        &self,
        ctx: &WorkerContext,
        object_id: &str,
        email: &Email,
        desired: Option<Identity>,
    ) -> Outcome {
        let outcome = self
            .invite(ctx, email, &Attributes::new(), desired, Some(object_id))
            .await;
        match split_invited(outcome) {
            Ok((mut fields, mail)) => {
                keep_link_state(ctx, &mut fields);
                Outcome::Done(reset_done(fields, mail))
            }
            Err(other) => *other,
        }
    }

    /// The attributes guestsync will have written: the link's, with `changes` on top.
    fn applied_after_change(&self, ctx: &WorkerContext, changes: &Attributes) -> Attributes {
        let mut applied = ctx
            .link
            .as_ref()
            .map(|l| attributes_from_json(&l.last_applied))
            .unwrap_or_default();
        for (property, value) in changes.iter() {
            applied.set(property, value);
        }
        applied
    }
}

/// An invitation of an existing guest (renewal, reset) changes its redeem URL, not what
/// guestsync last wrote or whether it disabled the guest: those stay as the link has them.
fn keep_link_state(ctx: &WorkerContext, fields: &mut LinkFields) {
    if let Some(link) = &ctx.link {
        fields.last_applied = link.last_applied.clone();
        fields.disabled_by_us = link.disabled_by_us;
    }
}

/// The link change of a successful reset of redemption (with guestsync's own mail, the new
/// redeem URL is queued with it).
fn reset_done(fields: LinkFields, mail: Option<InvitationMail>) -> LinkUpdate {
    match mail {
        Some(mail) => LinkUpdate::UpsertAndMail(fields, mail),
        None => LinkUpdate::Upsert(fields),
    }
}

/// After the PATCH of an e-mail change, the reset `failed` with a retry or a snooze: record
/// the PATCH (`patched`, the old address) and continue with the reset alone, no sooner than
/// [`REPLICATION_PAUSE`]. Any other outcome (a permanent refusal) stands as it came.
fn continue_with_reset(
    failed: Outcome,
    patched: LinkFields,
    object_id: &str,
    email: &Email,
    desired: Option<Identity>,
) -> Outcome {
    let (after, why) = match &failed {
        Outcome::Retry { after, error } => (*after, error.code.clone()),
        Outcome::Snooze { after, reason } => (*after, reason.clone()),
        _ => return failed,
    };
    Outcome::Progress {
        link: LinkUpdate::Upsert(patched),
        next: ItemPayload {
            action: Action::ResetRedemption {
                object_id: object_id.to_string(),
                email: email.clone(),
            },
            desired,
        },
        after: after.max(REPLICATION_PAUSE),
        reason: format!("mail set; redemption reset deferred ({why})"),
    }
}

/// The link fields and the queued mail (with guestsync's own mail) of a successful invitation,
/// or the outcome as it came when the invitation did not succeed.
fn split_invited(outcome: Outcome) -> Result<(LinkFields, Option<InvitationMail>), Box<Outcome>> {
    match outcome {
        Outcome::Done(LinkUpdate::Upsert(fields)) => Ok((fields, None)),
        Outcome::Done(LinkUpdate::UpsertAndMail(fields, mail)) => Ok((fields, Some(mail))),
        other => Err(Box::new(other)),
    }
}
