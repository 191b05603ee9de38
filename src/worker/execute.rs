//! Executes one item's action against Graph and says what came of it ([`Outcome`]). No store
//! writes happen here; [`super::settle`] records the outcome.

use chrono::{DateTime, Utc};

use super::outcome::{
    Outcome, REPLICATION_PAUSE, from_graph_error, internal_error, reset_after_mail_write,
};
use super::payload::{ItemPayload, applied_json, patch_body};
use super::{Worker, WorkerContext};
use crate::graph::model::{InvitedUser, InvitedUserRef};
use crate::graph::{GraphError, InvitationRequest};
use crate::identity::{Attributes, Email, Identity};
use crate::plan::Action;
use crate::store::{InvitationMail, Link, LinkFields, LinkUpdate, RedeemUrl};

impl Worker {
    /// Executes `payload` for an item whose stored link is `link`.
    pub(super) async fn execute(&self, ctx: &WorkerContext, payload: ItemPayload) -> Outcome {
        let desired = payload.desired_attributes();
        let link = ctx.link.as_ref();
        match &payload.action {
            Action::Invite { email, attributes }
            | Action::Reinvite {
                email, attributes, ..
            } => {
                self.invite(ctx, email, attributes, payload.desired.clone(), None)
                    .await
            }
            Action::Adopt { object_id, changes } => {
                let email = payload.desired.as_ref().map(|d| d.email.to_string());
                let fields = |link: Option<&Link>| LinkFields {
                    object_id: object_id.clone(),
                    user_principal_name: None,
                    email: email
                        .clone()
                        .or(link.map(|l| l.email.clone()))
                        .unwrap_or_default(),
                    invited_at: None,
                    redeem_url: None,
                    disabled_by_us: false,
                    last_applied: applied_json(&desired),
                };
                self.patch(ctx, object_id, patch_body(changes, None), fields(link))
                    .await
            }
            Action::Update { object_id, changes } => {
                let fields = self.kept_fields(link, object_id, &desired, None);
                self.patch(ctx, object_id, patch_body(changes, None), fields)
                    .await
            }
            Action::Enable { object_id, changes } => {
                let fields = self.kept_fields(link, object_id, &desired, Some(false));
                self.patch(ctx, object_id, patch_body(changes, Some(true)), fields)
                    .await
            }
            Action::Disable { object_id } => self.disable(ctx, object_id).await,
            other => self.housekeeping(ctx, other, payload.desired.clone()).await,
        }
    }

    /// The invitation body: the row's own `user_type` and `redirect_url` when it has them,
    /// else `[invite]`'s.
    fn invitation(
        &self,
        email: &Email,
        attributes: &Attributes,
        desired: Option<&Identity>,
    ) -> InvitationRequest {
        let extras = desired.map(|d| &d.extras);
        let invite = &self.config.invite;
        InvitationRequest {
            invited_user_email_address: email.to_string(),
            invite_redirect_url: extras
                .and_then(|e| e.redirect_url())
                .unwrap_or(&invite.redirect_url)
                .to_string(),
            invited_user_display_name: attributes
                .get(crate::identity::Property::DisplayName)
                .map(str::to_string),
            invited_user_type: Some(
                extras
                    .and_then(|e| e.user_type())
                    .map_or(invite.invited_user_type.as_str(), |t| t.as_str())
                    .to_string(),
            ),
            send_invitation_message: invite.send_invitation_message,
            ..InvitationRequest::default()
        }
    }

    /// Invites `email` (POST /invitations), then PATCHes `attributes`: the one path every
    /// invitation takes (new guests, renewals, resets). `reset_user` resets the redemption of
    /// that existing user (`resetRedemption` with `invitedUser.id`, notes/graph.md §1), whose
    /// `mail` guestsync has just set to `email` (a 400 is then retried:
    /// [`reset_after_mail_write`]).
    pub(super) async fn invite(
        &self,
        ctx: &WorkerContext,
        email: &Email,
        attributes: &Attributes,
        desired: Option<Identity>,
        reset_user: Option<&str>,
    ) -> Outcome {
        let request = InvitationRequest {
            reset_redemption: reset_user.is_some(),
            invited_user: reset_user.map(|id| InvitedUserRef { id: id.to_string() }),
            ..self.invitation(email, attributes, desired.as_ref())
        };
        let attributes = &attributes.without_nulls();
        let invitation = match self.graph.invite(&request).await {
            Ok(invitation) => invitation,
            Err(error) if reset_user.is_some() => {
                return self.failed(ctx, &reset_after_mail_write(&error), false);
            }
            Err(error) => return self.failed(ctx, &error, false),
        };
        if let Some(refused) = not_external(&invitation.invited_user) {
            return refused;
        }
        let object_id = invitation.invited_user.id.clone();
        let mail = self.config.invite.own_mail.then(|| InvitationMail {
            email: email.to_string(),
            display_name: request.invited_user_display_name.clone(),
            redeem_url: RedeemUrl::new(invitation.invite_redeem_url.expose()),
        });
        let mut fields = LinkFields {
            object_id: object_id.clone(),
            user_principal_name: invitation.invited_user.user_principal_name.clone(),
            email: email.to_string(),
            invited_at: Some(ctx.now),
            redeem_url: Some(RedeemUrl::new(invitation.invite_redeem_url.expose())),
            disabled_by_us: false,
            last_applied: applied_json(&Attributes::new()),
        };
        if attributes.is_empty() {
            return Outcome::Done(invited(fields, mail));
        }
        match self
            .graph
            .update_user(&object_id, &patch_body(attributes, None))
            .await
        {
            Ok(()) => {
                fields.last_applied = applied_json(attributes);
                Outcome::Done(invited(fields, mail))
            }
            Err(error) => {
                let link = invited(fields, mail);
                self.continue_after_invite(link, &object_id, attributes, desired, &error)
            }
        }
    }

    /// The invitation succeeded but the PATCH did not (replication lag, throttling, …): record
    /// the invitation now and continue as an update, so no worker sleeps through the lag.
    fn continue_after_invite(
        &self,
        link: LinkUpdate,
        object_id: &str,
        attributes: &Attributes,
        desired: Option<Identity>,
        error: &GraphError,
    ) -> Outcome {
        let after = match error.class {
            crate::graph::ErrorClass::Throttled => error
                .retry_after
                .filter(|d| !d.is_zero())
                .unwrap_or(self.config.throttle_fallback),
            _ => REPLICATION_PAUSE,
        };
        let next = ItemPayload {
            action: Action::Update {
                object_id: object_id.to_string(),
                changes: attributes.clone(),
            },
            desired,
        };
        Outcome::Progress {
            link,
            next,
            after,
            reason: format!(
                "invited; attribute update deferred ({})",
                error.class.as_str()
            ),
        }
    }

    async fn patch(
        &self,
        ctx: &WorkerContext,
        object_id: &str,
        body: serde_json::Map<String, serde_json::Value>,
        fields: LinkFields,
    ) -> Outcome {
        if !body.is_empty()
            && let Err(error) = self.graph.update_user(object_id, &body).await
        {
            return self.failed(ctx, &error, self.recently_written(ctx));
        }
        Outcome::Done(LinkUpdate::Upsert(fields))
    }

    pub(super) async fn disable(&self, ctx: &WorkerContext, object_id: &str) -> Outcome {
        let body = patch_body(&Attributes::new(), Some(false));
        match self.graph.update_user(object_id, &body).await {
            Ok(()) => {
                let desired = ctx
                    .link
                    .as_ref()
                    .map(|l| super::payload::attributes_from_json(&l.last_applied))
                    .unwrap_or_default();
                Outcome::Done(LinkUpdate::Upsert(self.kept_fields(
                    ctx.link.as_ref(),
                    object_id,
                    &desired,
                    Some(true),
                )))
            }
            Err(error)
                if error.class == crate::graph::ErrorClass::NotFound
                    && !self.recently_written(ctx) =>
            {
                // Nothing left to disable: the guest is gone.
                Outcome::Done(LinkUpdate::Keep)
            }
            Err(error) => self.failed(ctx, &error, self.recently_written(ctx)),
        }
    }

    /// The link fields after a write to an existing guest: what we knew, plus what we wrote.
    pub(super) fn kept_fields(
        &self,
        link: Option<&Link>,
        object_id: &str,
        applied: &Attributes,
        disabled_by_us: Option<bool>,
    ) -> LinkFields {
        LinkFields {
            object_id: object_id.to_string(),
            user_principal_name: None,
            email: link.map(|l| l.email.clone()).unwrap_or_default(),
            invited_at: None,
            redeem_url: None,
            disabled_by_us: disabled_by_us
                .unwrap_or_else(|| link.is_some_and(|l| l.disabled_by_us)),
            last_applied: applied_json(applied),
        }
    }

    pub(super) fn recently_written(&self, ctx: &WorkerContext) -> bool {
        let Some(link) = &ctx.link else { return false };
        let window = chrono::Duration::from_std(self.config.replication_window)
            .unwrap_or_else(|_| chrono::Duration::minutes(2));
        let recent = |at: Option<DateTime<Utc>>| at.is_some_and(|at| ctx.now - at < window);
        recent(link.invited_at) || recent(Some(link.last_applied_at))
    }

    pub(super) fn failed(
        &self,
        ctx: &WorkerContext,
        error: &GraphError,
        recent_write: bool,
    ) -> Outcome {
        let policy = self.graph.retry_policy();
        let backoff =
            crate::graph::backoff::retry_delay(&policy, ctx.attempts, error, rand::random());
        from_graph_error(
            error,
            recent_write,
            ctx.attempts,
            self.config.max_attempts,
            backoff,
            self.config.throttle_fallback,
        )
    }
}

/// Refuses the user an invitation answered with when its UPN is not a guest's: an invited
/// user's UPN carries `#EXT#` (notes/graph.md §2), while what Graph answers for an address a
/// member of the tenant already holds is UNCONFIRMED (§1). A member is never guestsync's to
/// link or write: the item is dead instead (invariant 1). No UPN in the answer: accepted.
fn not_external(user: &InvitedUser) -> Option<Outcome> {
    let upn = user.user_principal_name.as_deref()?;
    if upn.to_ascii_uppercase().contains("#EXT#") {
        return None;
    }
    Some(Outcome::Dead(internal_error(
        "invited_user_not_external",
        format!(
            "the invitation answered with {}, whose UPN is not an external user's (no #EXT#): \
             the address belongs to an account of the tenant; left alone",
            user.id
        ),
    )))
}

/// The link change of an invitation: with own mail, the mail is queued in the same transaction.
fn invited(fields: LinkFields, mail: Option<InvitationMail>) -> LinkUpdate {
    match mail {
        Some(mail) => LinkUpdate::UpsertAndMail(fields, mail),
        None => LinkUpdate::Upsert(fields),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(upn: Option<&str>) -> InvitedUser {
        InvitedUser {
            id: "u".into(),
            user_principal_name: upn.map(str::to_string),
        }
    }

    #[test]
    fn only_an_external_users_upn_is_taken() {
        assert!(not_external(&user(Some("a_b.example#EXT#@t.onmicrosoft.com"))).is_none());
        assert!(not_external(&user(Some("a_b.example#ext#@t.onmicrosoft.com"))).is_none());
        assert!(not_external(&user(None)).is_none());
        let member = not_external(&user(Some("ada@t.onmicrosoft.com")));
        assert!(matches!(member, Some(Outcome::Dead(_))), "{member:?}");
    }
}
