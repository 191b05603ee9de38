//! Routing of one Graph request (top-level or `$batch` item) to its handler, and the route
//! template used in the counters.

use tokio::time::Instant;

use super::exchange::{GraphRequest, GraphResponse, bad_request};
use super::state::Shared;
use super::{deleted, group_patch, groups, invitations, users};

/// The route template of a request, e.g. `GET /users/{id}`.
pub(crate) fn template(req: &GraphRequest) -> String {
    let s: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let path = match s.as_slice() {
        ["users", id] if *id != "$count" => "/users/{id}".to_owned(),
        ["directory", "deletedItems", _, "restore"] => {
            "/directory/deletedItems/{id}/restore".to_owned()
        }
        ["directory", "deletedItems", id] if *id != "microsoft.graph.user" => {
            "/directory/deletedItems/{id}".to_owned()
        }
        ["groups", _, "members", "$ref"] => "/groups/{id}/members/$ref".to_owned(),
        ["groups", _, "members", _, "$ref"] => "/groups/{id}/members/{id}/$ref".to_owned(),
        ["groups", _, "members"] => "/groups/{id}/members".to_owned(),
        ["groups", _] => "/groups/{id}".to_owned(),
        _ => format!("/{}", s.join("/")),
    };
    format!("{} {path}", req.method)
}

fn method_not_allowed() -> GraphResponse {
    GraphResponse::error(
        405,
        "Request_BadRequest",
        "Specified HTTP method is not allowed for the request target.",
    )
}

/// Answers one request (auth, throttle and faults already passed).
pub(crate) fn dispatch(shared: &Shared, req: &GraphRequest, now: Instant) -> GraphResponse {
    let s: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let m = req.method.as_str();
    match (s.as_slice(), m) {
        (["invitations"], "POST") => invitations::create(shared, req, now),
        (["invitations"], _) => method_not_allowed(),
        (["users", "$count"], _) => bad_request("$count is not currently supported."),
        (["users"], "GET") => users::list(shared, req, now),
        (["users"], _) => method_not_allowed(),
        (["users", key], "GET") => users::get(shared, req, key, now),
        (["users", key], "PATCH") => users::patch(shared, req, key, now),
        (["users", key], "DELETE") => users::delete(shared, key, now),
        (["users", _], _) => method_not_allowed(),
        (["directory", "deletedItems"], _) => GraphResponse::error(
            400,
            "Request_BadRequest",
            "Unsupported query: the type of deleted items must be given, e.g. /directory/deletedItems/microsoft.graph.user.",
        ),
        (["directory", "deletedItems", "microsoft.graph.user"], "GET") => {
            deleted::list(shared, req)
        }
        (["directory", "deletedItems", id, "restore"], "POST") => deleted::restore(shared, id, now),
        (["directory", "deletedItems", id], "DELETE") => deleted::purge(shared, id),
        (["directory", "deletedItems", id], "GET") => deleted::get(shared, id),
        (["groups", gid, "members", "$ref"], "POST") => groups::add_member(shared, req, gid, now),
        (["groups", gid, "members", uid, "$ref"], "DELETE") => {
            groups::remove_member(shared, gid, uid)
        }
        (["groups", gid, "members"], "GET") => groups::members(shared, req, gid, now),
        (["groups", gid], "PATCH") => group_patch::patch(shared, req, gid, now),
        _ => GraphResponse::error(
            400,
            "BadRequest",
            format!(
                "Resource not found for the segment '{}'.",
                s.first().copied().unwrap_or_default()
            ),
        ),
    }
}
