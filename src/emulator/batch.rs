//! `POST /$batch`: up to 20 requests with unique (case-insensitive) ids, each served through the
//! same pipeline as a top-level request; a failed dependency answers 424; the responses come
//! in reverse order (Graph promises no order).

use serde_json::{Map, Value, json};

use super::exchange::{GraphRequest, GraphResponse};
use super::pipeline::{Arrival, serve_item};
use super::server::split_target;
use super::state::Shared;

fn invalid(message: &str) -> GraphResponse {
    GraphResponse::error(400, "BadRequest", message)
}

/// Serves a batch; the outer answer is 200 unless the batch itself is malformed.
pub(crate) fn run(shared: &Shared, outer: &GraphRequest) -> GraphResponse {
    let items = match parse(outer) {
        Ok(items) => items,
        Err(e) => return e,
    };
    let arrival = Arrival::now(shared);
    let mut statuses: Vec<(String, u16)> = Vec::new();
    let mut responses = Vec::new();
    for item in items {
        let failed_dep = item.depends_on.iter().any(|d| {
            statuses
                .iter()
                .any(|(id, status)| id.eq_ignore_ascii_case(d) && *status >= 400)
        });
        let answer = if failed_dep {
            GraphResponse::error(
                424,
                "FailedDependency",
                "The request depends on a request that failed.",
            )
        } else {
            serve_item(shared, &item.request, Some(arrival))
        };
        statuses.push((item.id.clone(), answer.status));
        responses.push(render(&item.id, answer));
    }
    // graph.md §4: the order of the responses may differ from the requests'; answering in
    // reverse keeps a client that pairs them by position from passing here.
    responses.reverse();
    GraphResponse::json(200, json!({ "responses": responses }))
}

fn render(id: &str, answer: GraphResponse) -> Value {
    let mut headers = Map::new();
    for (k, v) in answer.headers {
        headers.insert(k, Value::from(v));
    }
    let mut out = json!({"id": id, "status": answer.status, "headers": headers});
    if let Some(body) = answer.body {
        out["headers"]["Content-Type"] =
            json!("application/json; odata.metadata=minimal; charset=utf-8");
        out["body"] = body;
    }
    out
}

struct Item {
    id: String,
    depends_on: Vec<String>,
    request: GraphRequest,
}

fn parse(outer: &GraphRequest) -> Result<Vec<Item>, GraphResponse> {
    let body = outer.object_body()?;
    let list = body
        .get("requests")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("Invalid batch payload: 'requests' is missing."))?;
    if list.is_empty() {
        return Err(invalid(
            "Invalid batch payload: the batch holds no request.",
        ));
    }
    if list.len() > 20 {
        return Err(invalid(
            "The number of batch requests exceeds the limit of 20.",
        ));
    }
    let mut items: Vec<Item> = Vec::new();
    for raw in list {
        let item = parse_item(raw, outer)?;
        if items.iter().any(|i| i.id.eq_ignore_ascii_case(&item.id)) {
            return Err(invalid(
                "Batch request ids must be unique (case-insensitive).",
            ));
        }
        if item
            .depends_on
            .iter()
            .any(|d| !items.iter().any(|i| i.id.eq_ignore_ascii_case(d)))
        {
            return Err(invalid(
                "dependsOn must name a request earlier in the batch.",
            ));
        }
        items.push(item);
    }
    Ok(items)
}

fn parse_item(raw: &Value, outer: &GraphRequest) -> Result<Item, GraphResponse> {
    let text = |k: &str| raw.get(k).and_then(Value::as_str);
    let id = text("id")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| invalid("Each batch request needs an 'id'."))?;
    let method = text("method")
        .ok_or_else(|| invalid("Each batch request needs a 'method'."))?
        .to_ascii_uppercase();
    let url = text("url").ok_or_else(|| invalid("Each batch request needs a 'url'."))?;
    if url.contains("://") {
        return Err(invalid("Batch request urls must be relative."));
    }
    let headers: Vec<(String, String)> = match raw.get("headers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Object(h)) => h
            .iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    v.as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        Some(_) => return Err(invalid("Batch request headers must be an object.")),
    };
    let body = raw.get("body").filter(|b| !b.is_null()).cloned();
    if body.is_some() && !headers.iter().any(|(k, _)| k == "content-type") {
        return Err(invalid(&format!(
            "Write request id : {id} does not contain Content-Type header or body."
        )));
    }
    let depends_on = match raw.get("dependsOn") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        Some(_) => return Err(invalid("dependsOn must be an array of ids.")),
    };
    let target = url.strip_prefix("/v1.0").unwrap_or(url);
    let (segments, query) = split_target(target);
    let mut all_headers = headers;
    if let Some(auth) = outer.header("authorization") {
        all_headers.push(("authorization".into(), auth.to_owned()));
    }
    let request = GraphRequest {
        method,
        segments,
        query,
        headers: all_headers,
        body,
    };
    Ok(Item {
        id: id.to_owned(),
        depends_on,
        request,
    })
}
