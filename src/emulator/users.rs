//! `GET /users`, `GET/PATCH/DELETE /users/{id|upn}`: what a Graph caller sees, through
//! replication lag, with Graph's query and body validation.

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::exchange::{
    GraphRequest, GraphResponse, bad_request, not_found, option_not_allowed, unsupported,
};
use super::filter::{self, Filter};
use super::paging::{PageSpec, page, page_of, page_spec};
use super::schema::{apply_patch, parse_select, project, validate_patch};
use super::state::{Shared, iso};

/// Rejects query options the emulator (like Graph without advanced parameters) does not serve.
pub(crate) fn check_options(req: &GraphRequest) -> Result<(), GraphResponse> {
    let eventual = req
        .header("consistencylevel")
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    for (name, _) in &req.query {
        match name.as_str() {
            "$filter" | "$select" | "$top" | "$skiptoken" | "$count" => {}
            "$search" if !eventual => {
                return Err(unsupported(
                    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                ));
            }
            "$search" | "$orderby" | "$expand" | "$skip" => {
                return Err(unsupported(format!(
                    "The query option '{name}' is not supported by this emulator."
                )));
            }
            other if other.starts_with('$') => return Err(option_not_allowed(other)),
            _ => {}
        }
    }
    Ok(())
}

/// `GET /users`.
pub(crate) fn list(shared: &Shared, req: &GraphRequest, now: Instant) -> GraphResponse {
    match try_list(shared, req, now) {
        Ok(r) | Err(r) => r,
    }
}

fn try_list(
    shared: &Shared,
    req: &GraphRequest,
    now: Instant,
) -> Result<GraphResponse, GraphResponse> {
    check_options(req)?;
    let select = parse_select(req.param("$select"))?;
    let filter: Option<Filter> = req.param("$filter").map(filter::parse).transpose()?;
    let spec = page_spec(req, &shared.page_key)?;
    if let Some(filter) = filter.as_ref().filter(|_| shared.knobs().sparse_pages) {
        return Ok(sparse_list(
            shared,
            req,
            now,
            filter,
            select.as_deref(),
            &spec,
        ));
    }
    let inner = shared.lock();
    // Only this page and one look-ahead item are filtered and projected: a page costs
    // O(log n + page), not O(n), so paging through a large directory stays linear.
    let items: Vec<(String, Value)> = inner
        .users
        .range::<str, _>(spec.range())
        .filter_map(|(id, r)| r.view(now).map(|u| (id, u)))
        .filter(|(_, u)| filter.as_ref().is_none_or(|f| filter::matches(f, u)))
        .map(|(id, u)| (id.clone(), project(u, select.as_deref())))
        .take(spec.top.saturating_add(1))
        .collect();
    drop(inner);
    let context = format!("{}/$metadata#users", shared.base_url());
    let link_base = format!("{}/users", shared.base_url());
    Ok(page(
        req,
        &shared.page_key,
        &link_base,
        &context,
        &spec,
        items,
    ))
}

/// A filtered page as Graph may serve it (the `sparse_pages` knob): the next `$top` visible
/// users are looked at and those matching `filter` answered, possibly none; a nextLink follows
/// when users remain after them.
fn sparse_list(
    shared: &Shared,
    req: &GraphRequest,
    now: Instant,
    filter: &Filter,
    select: Option<&[String]>,
    spec: &PageSpec,
) -> GraphResponse {
    let inner = shared.lock();
    let window: Vec<(&String, &Map<String, Value>)> = inner
        .users
        .range::<str, _>(spec.range())
        .filter_map(|(id, r)| r.view(now).map(|u| (id, u)))
        .take(spec.top.saturating_add(1))
        .collect();
    let looked_at = window.get(..spec.top).unwrap_or(&window);
    let value = looked_at
        .iter()
        .filter(|(_, u)| filter::matches(filter, u))
        .map(|(_, u)| project(u, select))
        .collect();
    let after = (window.len() > spec.top)
        .then(|| looked_at.last().map(|(id, _)| id.as_str()))
        .flatten();
    let base = shared.base_url();
    let link_base = format!("{base}/users");
    let context = format!("{base}/$metadata#users");
    page_of(req, &shared.page_key, (&link_base, &context), value, after)
}

/// `GET /users/{id|upn}`.
pub(crate) fn get(shared: &Shared, req: &GraphRequest, key: &str, now: Instant) -> GraphResponse {
    let select = match parse_select(req.param("$select")) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let inner = shared.lock();
    let user = inner
        .resolve_visible(key, now)
        .and_then(|id| inner.users.get(&id))
        .and_then(|r| r.view(now));
    let Some(user) = user else {
        return not_found(key);
    };
    let mut body = project(user, select.as_deref());
    if let Some(obj) = body.as_object_mut() {
        obj.insert(
            "@odata.context".into(),
            json!(format!("{}/$metadata#users/$entity", shared.base_url())),
        );
    }
    GraphResponse::json(200, body)
}

/// `PATCH /users/{id|upn}`.
pub(crate) fn patch(shared: &Shared, req: &GraphRequest, key: &str, now: Instant) -> GraphResponse {
    let body = match req.object_body() {
        Ok(b) => b,
        Err(e) => return e,
    };
    if let Err(e) = validate_patch(body) {
        return e;
    }
    let mut inner = shared.lock();
    let Some(id) = inner.resolve_visible(key, now) else {
        return not_found(key);
    };
    let Some(record) = inner.users.get(&id) else {
        return not_found(key);
    };
    let mut user = record.current.clone();
    if let Some(conflict) = mail_conflict(&inner.users, &id, body) {
        return bad_request(format!(
            "Another object with the same value for property proxyAddresses already exists: {conflict}"
        ));
    }
    apply_patch(&mut user, body);
    inner.update_user(&id, user, now);
    GraphResponse::no_content()
}

fn mail_conflict(
    users: &std::collections::BTreeMap<String, super::state::UserRecord>,
    id: &str,
    body: &Map<String, Value>,
) -> Option<String> {
    let mail = body.get("mail")?.as_str()?;
    users
        .iter()
        .any(|(other, r)| {
            other != id
                && r.current
                    .get("mail")
                    .and_then(Value::as_str)
                    .is_some_and(|m| m.eq_ignore_ascii_case(mail))
        })
        .then(|| mail.to_owned())
}

/// `DELETE /users/{id|upn}`: soft delete into deleted items.
pub(crate) fn delete(shared: &Shared, key: &str, now: Instant) -> GraphResponse {
    let deleted_at = iso(shared.now());
    let mut inner = shared.lock();
    let Some(id) = inner.resolve_visible(key, now) else {
        return not_found(key);
    };
    let Some(record) = inner.users.remove(&id) else {
        return not_found(key);
    };
    let mut user = record.current;
    user.insert("deletedDateTime".into(), Value::from(deleted_at));
    inner.deleted.insert(id, user);
    GraphResponse::no_content()
}
