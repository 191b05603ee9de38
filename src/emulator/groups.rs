//! Group membership: `POST /groups/{id}/members/$ref`, `DELETE /groups/{gid}/members/{uid}/$ref`
//! and `GET /groups/{id}/members` (`$top`, `$select`, paged). Groups themselves come from the
//! control API; `PATCH /groups/{id}` with `members@odata.bind` is in `group_patch`.

use serde_json::{Value, json};
use tokio::time::Instant;

use super::exchange::{
    GraphRequest, GraphResponse, bad_request, not_found, option_not_allowed, unsupported,
};
use super::group_patch::ALREADY_MEMBER;
use super::paging::{page, page_spec};
use super::schema::{parse_select, project};
use super::state::{Group, Shared};

/// Creates an empty group (control API); returns its id. Only membership is modelled.
pub(crate) fn create(shared: &Shared) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    shared.lock().groups.insert(id.clone(), Group::default());
    id
}

/// Adds a member as an admin would (control API: no budget, no checks); false if the group
/// is unknown.
pub(crate) fn admin_add_member(shared: &Shared, gid: &str, uid: &str) -> bool {
    let mut inner = shared.lock();
    inner
        .groups
        .get_mut(gid)
        .map(|g| g.members.insert(uid.to_owned()))
        .is_some()
}

/// The member ids of a group (admin view), or `None` if the group is unknown.
pub(crate) fn admin_members(shared: &Shared, gid: &str) -> Option<Vec<String>> {
    let inner = shared.lock();
    inner
        .groups
        .get(gid)
        .map(|g| g.members.iter().cloned().collect())
}

/// `POST /groups/{id}/members/$ref`.
pub(crate) fn add_member(
    shared: &Shared,
    req: &GraphRequest,
    gid: &str,
    now: Instant,
) -> GraphResponse {
    let body = match req.object_body() {
        Ok(b) => b,
        Err(e) => return e,
    };
    if let Some(unknown) = body.keys().find(|k| *k != "@odata.id") {
        return bad_request(format!(
            "Property '{unknown}' does not exist as a declared property or extension property."
        ));
    }
    let reference = body
        .get("@odata.id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(uid) = reference
        .rsplit_once("/directoryObjects/")
        .map(|(_, id)| id.to_owned())
    else {
        return bad_request("Invalid object identifier '@odata.id'.");
    };
    let mut inner = shared.lock();
    if inner.users.get(&uid).and_then(|r| r.view(now)).is_none() {
        return not_found(&uid);
    }
    let Some(group) = inner.groups.get_mut(gid) else {
        return not_found(gid);
    };
    if !group.members.insert(uid) {
        return bad_request(ALREADY_MEMBER);
    }
    GraphResponse::no_content()
}

/// `DELETE /groups/{gid}/members/{uid}/$ref`.
pub(crate) fn remove_member(shared: &Shared, gid: &str, uid: &str) -> GraphResponse {
    let mut inner = shared.lock();
    let Some(group) = inner.groups.get_mut(gid) else {
        return not_found(gid);
    };
    if group.members.remove(uid) {
        GraphResponse::no_content()
    } else {
        not_found(uid)
    }
}

/// The query options of a member list: `$select`, `$top` and `$skiptoken`. `$filter`,
/// `$count`, `$search` and `$orderby` need advanced query parameters there (graph.md §2),
/// which the emulator does not serve; another `$` option is a 400 as well.
fn check_member_options(req: &GraphRequest) -> Result<(), GraphResponse> {
    for (name, _) in &req.query {
        match name.as_str() {
            "$select" | "$top" | "$skiptoken" => {}
            "$filter" | "$count" | "$search" | "$orderby" | "$expand" | "$skip" => {
                return Err(unsupported(format!(
                    "The query option '{name}' is not supported on members by this emulator."
                )));
            }
            other if other.starts_with('$') => return Err(option_not_allowed(other)),
            _ => {}
        }
    }
    Ok(())
}

/// `GET /groups/{id}/members`.
pub(crate) fn members(
    shared: &Shared,
    req: &GraphRequest,
    gid: &str,
    now: Instant,
) -> GraphResponse {
    if let Err(refused) = check_member_options(req) {
        return refused;
    }
    let spec = match page_spec(req, &shared.page_key) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let select = match parse_select(req.param("$select")) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let inner = shared.lock();
    let Some(group) = inner.groups.get(gid) else {
        return not_found(gid);
    };
    let items: Vec<(String, Value)> = group
        .members
        .iter()
        .filter_map(|id| {
            inner
                .users
                .get(id)
                .and_then(|r| r.view(now))
                .map(|u| (id.clone(), u))
        })
        .map(|(id, u)| {
            let mut v = project(u, select.as_deref());
            if let Some(o) = v.as_object_mut() {
                o.insert("@odata.type".into(), json!("#microsoft.graph.user"));
            }
            (id, v)
        })
        .collect();
    drop(inner);
    let base = shared.base_url();
    let context = format!("{base}/$metadata#directoryObjects");
    page(
        req,
        &shared.page_key,
        &format!("{base}/groups/{gid}/members"),
        &context,
        &spec,
        items,
    )
}
