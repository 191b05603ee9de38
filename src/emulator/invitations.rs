//! `POST /invitations`: body validation as Graph does it, creation of the guest (or a new redeem
//! URL for an existing one), reset of redemption, and the e-mail counter.

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::exchange::{GraphRequest, GraphResponse, not_found};
use super::objects::invited_guest;
use super::state::{Shared, has_address, iso};

const KNOWN: &[&str] = &[
    "invitedUserEmailAddress",
    "inviteRedirectUrl",
    "invitedUserDisplayName",
    "sendInvitationMessage",
    "invitedUserMessageInfo",
    "invitedUserType",
    "invitedUser",
    "resetRedemption",
    "invitedUserSponsors",
];
const FORBIDDEN: &str = "~!#$%^&*()+=[]{}\\/|;:\"<>?,";
/// The longest `displayName` of a user (graph.md §2).
const MAX_DISPLAY_NAME: usize = 256;

// UNCONFIRMED: Graph's error codes for invalid invitation bodies; `BadRequest` as the OData layer
// answers malformed payloads.
fn bad(message: impl Into<String>) -> GraphResponse {
    GraphResponse::error(400, "BadRequest", message)
}

/// Whether Graph would accept `address` as `invitedUserEmailAddress`.
pub(crate) fn valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    let edge = |s: &str| s.starts_with(['.', '-']) || s.ends_with(['.', '-']);
    !local.is_empty()
        && domain.contains('.')
        && !edge(local)
        && !edge(domain)
        && !address
            .chars()
            .any(|c| c.is_whitespace() || FORBIDDEN.contains(c))
        && !domain.contains('@')
}

struct Invite<'a> {
    email: &'a str,
    redirect: &'a str,
    display_name: Option<&'a str>,
    user_type: &'a str,
    send: bool,
    reset: bool,
    invited_id: Option<&'a str>,
}

fn text<'a>(body: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, GraphResponse> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(bad(format!("Invalid value for property '{name}'."))),
    }
}

fn flag(body: &Map<String, Value>, name: &str) -> Result<bool, GraphResponse> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(bad(format!("Invalid value for property '{name}'."))),
    }
}

/// `invitedUserMessageInfo`: an object whose `ccRecipients` holds at most one recipient
/// (graph.md §1: "only one extra recipient supported").
fn check_message_info(info: Option<&Value>) -> Result<(), GraphResponse> {
    let invalid = || bad("Invalid value for property 'invitedUserMessageInfo'.");
    let info = match info {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(info)) => info,
        Some(_) => return Err(invalid()),
    };
    match info.get("ccRecipients") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(list)) if list.len() <= 1 => Ok(()),
        Some(Value::Array(_)) => Err(bad(
            "Only one recipient is supported in ccRecipients of invitedUserMessageInfo.",
        )),
        Some(_) => Err(invalid()),
    }
}

fn parse<'a>(
    body: &'a Map<String, Value>,
    tenant_domain: &str,
) -> Result<Invite<'a>, GraphResponse> {
    if let Some(unknown) = body.keys().find(|k| !KNOWN.contains(&k.as_str())) {
        return Err(bad(format!(
            "The property '{unknown}' does not exist on type 'microsoft.graph.invitation'. Make sure to only use property names that are defined by the type."
        )));
    }
    let email = text(body, "invitedUserEmailAddress")?
        .ok_or_else(|| bad("Required property 'invitedUserEmailAddress' is missing."))?;
    let redirect = text(body, "inviteRedirectUrl")?
        .ok_or_else(|| bad("Required property 'inviteRedirectUrl' is missing."))?;
    if !valid_email(email) {
        return Err(bad("The invited user email address is invalid."));
    }
    if email
        .rsplit_once('@')
        .is_some_and(|(_, d)| d.eq_ignore_ascii_case(tenant_domain))
    {
        return Err(bad(
            "The invited user is in the inviting organization's own domain.",
        ));
    }
    let display_name = text(body, "invitedUserDisplayName")?;
    // graph.md §2 (PATCH /users): a user's displayName is at most 256 characters; the
    // invitation creates that user with this name.
    if display_name.is_some_and(|name| name.chars().count() > MAX_DISPLAY_NAME) {
        return Err(bad("Invalid value for property 'invitedUserDisplayName'."));
    }
    check_message_info(body.get("invitedUserMessageInfo"))?;
    let user_type = text(body, "invitedUserType")?.unwrap_or("Guest");
    if user_type != "Guest" && user_type != "Member" {
        return Err(bad("Invalid value for property 'invitedUserType'."));
    }
    let invited_id = match body.get("invitedUser") {
        None | Some(Value::Null) => None,
        Some(Value::Object(u)) => u.get("id").and_then(Value::as_str),
        Some(_) => return Err(bad("Invalid value for property 'invitedUser'.")),
    };
    Ok(Invite {
        email,
        redirect,
        display_name,
        user_type,
        send: flag(body, "sendInvitationMessage")?,
        reset: flag(body, "resetRedemption")?,
        invited_id,
    })
}

/// `POST /invitations`.
pub(crate) fn create(shared: &Shared, req: &GraphRequest, now: Instant) -> GraphResponse {
    if let Some(denial) = shared.knobs().invitations_denied {
        let (status, code, message) = denial.answer();
        return GraphResponse::error(status, code, message);
    }
    let body = match req.object_body() {
        Ok(b) => b,
        Err(e) => return e,
    };
    let invite = match parse(body, &shared.config.tenant_domain) {
        Ok(i) => i,
        Err(e) => return e,
    };
    let stamp = iso(shared.now());
    let mut inner = shared.lock();
    let id = if invite.reset {
        let Some(id) = invite.invited_id else {
            return bad("invitedUser.id is required when resetRedemption is true.");
        };
        let Some((record, visible)) = inner
            .users
            .get(id)
            .and_then(|r| r.view(now).map(|v| (r, v)))
        else {
            return not_found(id);
        };
        // Checked on the user as replicated (graph.md §7): a mail written a moment ago may
        // not be visible to this request yet.
        if !has_address(visible, invite.email) {
            return bad("The invited user email address must be in the user's mail or otherMails.");
        }
        let mut user = record.current.clone();
        user.insert("externalUserState".into(), json!("PendingAcceptance"));
        user.insert("externalUserStateChangeDateTime".into(), json!(stamp));
        let id = id.to_owned();
        inner.update_user(&id, user, now);
        id
    } else if let Some(existing) = inner.find_by_address(invite.email) {
        existing
    } else {
        let local = invite.email.split('@').next().unwrap_or(invite.email);
        let name = invite.display_name.unwrap_or(local);
        let user = invited_guest(
            invite.email,
            name,
            invite.user_type,
            &shared.config.tenant_domain,
            &stamp,
        );
        inner.insert_user(user, now)
    };
    if invite.send {
        inner.counters.invitation_emails_sent += 1;
    }
    inner.invitations.push(Value::Object(body.clone()));
    let rd = uuid::Uuid::new_v4().simple().to_string();
    inner.redeem_tickets.insert(rd.clone(), id.clone());
    let upn = inner
        .users
        .get(&id)
        .and_then(|r| r.current.get("userPrincipalName").cloned());
    drop(inner);
    GraphResponse::json(
        201,
        answer(
            &invite,
            body,
            (id.as_str(), rd.as_str()),
            upn.unwrap_or(Value::Null),
            shared,
        ),
    )
}

fn answer(
    invite: &Invite<'_>,
    body: &Map<String, Value>,
    (id, rd): (&str, &str),
    upn: Value,
    shared: &Shared,
) -> Value {
    json!({
        "@odata.context": format!("{}/$metadata#invitations/$entity", shared.base_url()),
        "id": uuid::Uuid::new_v4().to_string(),
        "inviteRedeemUrl": format!("https://login.microsoftonline.com/redeem?rd={rd}"),
        "invitedUserDisplayName": invite.display_name,
        "invitedUserType": invite.user_type,
        "invitedUserEmailAddress": invite.email,
        "sendInvitationMessage": invite.send,
        "resetRedemption": invite.reset,
        "inviteRedirectUrl": invite.redirect,
        "status": "PendingAcceptance",
        "invitedUserMessageInfo": body.get("invitedUserMessageInfo").cloned().unwrap_or(json!({
            "messageLanguage": null, "ccRecipients": [], "customizedMessageBody": null})),
        "invitedUser": {"id": id, "userPrincipalName": upn},
    })
}
