//! Deleted items: `GET /directory/deletedItems/microsoft.graph.user` (paged like users),
//! `GET`/`DELETE /directory/deletedItems/{id}` and `POST …/{id}/restore`. A deleted user is
//! restorable for 30 days, then gone for good (notes/graph.md §2 "DELETE /users"), measured on
//! the emulator's clock.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::time::Instant;

use super::exchange::{GraphRequest, GraphResponse, bad_request, not_found};
use super::paging::{page, page_spec};
use super::schema::{parse_select, project};
use super::state::Shared;
use super::users::check_options;

/// How long Graph keeps a deleted user restorable.
const RETENTION: chrono::Duration = chrono::Duration::days(30);

/// Permanently deletes the users deleted more than [`RETENTION`] ago.
fn drop_expired(shared: &Shared) {
    let now = shared.now();
    let kept = |user: &serde_json::Map<String, Value>| {
        user.get("deletedDateTime")
            .and_then(Value::as_str)
            .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
            .is_none_or(|at| now - at.with_timezone(&Utc) < RETENTION)
    };
    shared.lock().deleted.retain(|_, user| kept(user));
}

/// `GET /directory/deletedItems/microsoft.graph.user`.
pub(crate) fn list(shared: &Shared, req: &GraphRequest) -> GraphResponse {
    drop_expired(shared);
    match try_list(shared, req) {
        Ok(r) | Err(r) => r,
    }
}

fn try_list(shared: &Shared, req: &GraphRequest) -> Result<GraphResponse, GraphResponse> {
    check_options(req)?;
    if req.param("$filter").is_some() {
        // UNCONFIRMED: deleted items support few filters; the emulator serves none.
        return Err(super::exchange::unsupported(
            "Filter is not supported on deleted items by this emulator.",
        ));
    }
    let select = parse_select(req.param("$select"))?;
    let spec = page_spec(req, &shared.page_key)?;
    let items: Vec<(String, Value)> = shared
        .lock()
        .deleted
        .range::<str, _>(spec.range())
        .map(|(id, u)| (id.clone(), with_type(project(u, select.as_deref()))))
        .take(spec.top.saturating_add(1))
        .collect();
    let base = shared.base_url();
    let context = format!("{base}/$metadata#directoryObjects/microsoft.graph.user");
    let link_base = format!("{base}/directory/deletedItems/microsoft.graph.user");
    Ok(page(
        req,
        &shared.page_key,
        &link_base,
        &context,
        &spec,
        items,
    ))
}

fn with_type(mut user: Value) -> Value {
    if let Some(obj) = user.as_object_mut() {
        obj.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    }
    user
}

/// `GET /directory/deletedItems/{id}`.
pub(crate) fn get(shared: &Shared, id: &str) -> GraphResponse {
    drop_expired(shared);
    match shared.lock().deleted.get(id) {
        Some(u) => GraphResponse::json(200, with_type(project(u, None))),
        None => not_found(id),
    }
}

/// `POST /directory/deletedItems/{id}/restore`: back among the live users, 200 with the user.
pub(crate) fn restore(shared: &Shared, id: &str, now: Instant) -> GraphResponse {
    drop_expired(shared);
    let mut inner = shared.lock();
    let Some(mut user) = inner.deleted.remove(id) else {
        return not_found(id);
    };
    let mail = user
        .get("mail")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if !mail.is_empty() && inner.find_by_address(&mail).is_some() {
        inner.deleted.insert(id.to_owned(), user);
        // UNCONFIRMED: Graph's exact code when a live object holds the same proxy address.
        return bad_request(
            "Another object with the same value for property proxyAddresses already exists.",
        );
    }
    user.insert("deletedDateTime".into(), Value::Null);
    let body = with_type(project(&user, None));
    inner.insert_user(user, now);
    GraphResponse::json(200, body)
}

/// `DELETE /directory/deletedItems/{id}`: gone for good.
pub(crate) fn purge(shared: &Shared, id: &str) -> GraphResponse {
    match shared.lock().deleted.remove(id) {
        Some(_) => GraphResponse::no_content(),
        None => not_found(id),
    }
}
