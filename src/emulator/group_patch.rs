//! `PATCH /groups/{id}` with `members@odata.bind`: several members added in one write.
//!
//! As Microsoft documents it (group-post-members, "Add multiple members to a group in a single
//! request"; api-reference/v1.0/api/group-post-members.md in microsoft-graph-docs-contrib): up to
//! 20 members per request; "if an error condition exists in the request body, no members are
//! added"; an object that is already a member is a 400 Bad Request, an object that does not exist
//! a 404 Not Found. The request is one write, whatever the number of members.
//!
//! UNCONFIRMED (picked, never more lenient than Graph): the code for more than 20 references
//! (400 `Request_BadRequest`); a reference named twice in one request is treated as already
//! present (400); group properties other than `members@odata.bind` are refused, because the
//! emulator models only membership.

use std::collections::BTreeSet;

use serde_json::Value;
use tokio::time::Instant;

use super::exchange::{GraphRequest, GraphResponse, bad_request, not_found};
use super::state::Shared;

/// The most members one `members@odata.bind` request may add.
pub(crate) const MAX_BIND: usize = 20;

/// The message Graph gives for a reference that already exists (also on `POST .../$ref`).
pub(crate) const ALREADY_MEMBER: &str = "One or more added object references already exist for the following modified properties: 'members'.";

/// `PATCH /groups/{id}`.
pub(crate) fn patch(shared: &Shared, req: &GraphRequest, gid: &str, now: Instant) -> GraphResponse {
    match try_patch(shared, req, gid, now) {
        Ok(answer) | Err(answer) => answer,
    }
}

fn try_patch(
    shared: &Shared,
    req: &GraphRequest,
    gid: &str,
    now: Instant,
) -> Result<GraphResponse, GraphResponse> {
    let ids = bound_ids(req)?;
    let mut inner = shared.lock();
    if let Some(missing) = ids
        .iter()
        .find(|id| inner.users.get(*id).and_then(|r| r.view(now)).is_none())
    {
        return Err(not_found(missing));
    }
    let group = inner.groups.get_mut(gid).ok_or_else(|| not_found(gid))?;
    let unique: BTreeSet<&String> = ids.iter().collect();
    if unique.len() != ids.len() || ids.iter().any(|id| group.members.contains(id)) {
        return Err(bad_request(ALREADY_MEMBER));
    }
    group.members.extend(ids);
    Ok(GraphResponse::no_content())
}

/// The user ids of `members@odata.bind`, checked for shape and count.
fn bound_ids(req: &GraphRequest) -> Result<Vec<String>, GraphResponse> {
    let body = req.object_body()?;
    if let Some(other) = body.keys().find(|k| *k != "members@odata.bind") {
        return Err(bad_request(format!(
            "Property '{other}' is not supported by the emulator on a group (only members@odata.bind)."
        )));
    }
    let Some(list) = body.get("members@odata.bind").and_then(Value::as_array) else {
        return Err(bad_request(
            "members@odata.bind must be an array of directoryObject references.",
        ));
    };
    if list.len() > MAX_BIND {
        return Err(bad_request(format!(
            "Too many references: {} in one request; at most {MAX_BIND} members can be added at once.",
            list.len()
        )));
    }
    list.iter()
        .map(|v| {
            v.as_str()
                .and_then(|r| r.rsplit_once("/directoryObjects/"))
                .map(|(_, id)| id.to_owned())
                .filter(|id| !id.is_empty() && !id.contains('/'))
                .ok_or_else(|| bad_request("Invalid object identifier in members@odata.bind."))
        })
        .collect()
}
