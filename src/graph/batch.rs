//! `POST /$batch`: at most 20 requests per batch (larger input is split), every item settled
//! on its own status; a 429 item carries its own `Retry-After` and pauses the throttle.

use std::collections::BTreeMap;

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::backoff::throttle_pause;
use super::client::GraphClient;
use super::error::{ErrorClass, GraphError, classify};
use super::odata::path_segment;
use super::paging::decode;
use super::throttle::OpKind;

/// Graph's limit of requests per batch.
pub const MAX_BATCH: usize = 20;

/// One request inside a batch; `url` is relative to the Graph root (e.g. `/users/{id}`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchRequest {
    /// Unique (case-insensitive) within the batch.
    pub id: String,
    /// HTTP method.
    pub method: String,
    /// Relative URL.
    pub url: String,
    /// Headers (required with a body: `Content-Type`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Ids this request waits for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
}

impl BatchRequest {
    fn new(id: impl Into<String>, method: &str, url: String, body: Option<Value>) -> Self {
        let mut headers = BTreeMap::new();
        if body.is_some() {
            headers.insert("Content-Type".to_owned(), "application/json".to_owned());
        }
        Self {
            id: id.into(),
            method: method.to_owned(),
            url,
            headers,
            body,
            depends_on: Vec::new(),
        }
    }

    /// PATCH of a user's properties.
    pub fn update_user(id: impl Into<String>, user_id: &str, patch: Map<String, Value>) -> Self {
        Self::new(
            id,
            "PATCH",
            format!("/users/{}", path_segment(user_id)),
            Some(Value::Object(patch)),
        )
    }

    /// DELETE of a user.
    pub fn delete_user(id: impl Into<String>, user_id: &str) -> Self {
        Self::new(
            id,
            "DELETE",
            format!("/users/{}", path_segment(user_id)),
            None,
        )
    }

    /// Adds a user to a group; `directory_object_ref` is `{graph root}/directoryObjects/{user id}`.
    pub fn add_group_member(
        id: impl Into<String>,
        group_id: &str,
        directory_object_ref: String,
    ) -> Self {
        let body = json!({ "@odata.id": directory_object_ref });
        Self::new(
            id,
            "POST",
            format!("/groups/{}/members/$ref", path_segment(group_id)),
            Some(body),
        )
    }

    /// Removes a user from a group.
    pub fn remove_group_member(id: impl Into<String>, group_id: &str, user_id: &str) -> Self {
        let url = format!(
            "/groups/{}/members/{}/$ref",
            path_segment(group_id),
            path_segment(user_id)
        );
        Self::new(id, "DELETE", url, None)
    }

    fn is_write(&self) -> bool {
        !self.method.eq_ignore_ascii_case("GET")
    }
}

/// The outcome of one batch item, classified on its own status.
#[derive(Clone, Debug)]
pub struct BatchItemResult {
    /// The request's id.
    pub id: String,
    /// The item's HTTP status (`None` when Graph returned no response for it).
    pub status: Option<u16>,
    /// The item's body on success (`None` for 204), or the classified error.
    pub result: Result<Option<Value>, GraphError>,
}

#[derive(Deserialize)]
struct BatchResponse {
    #[serde(default)]
    responses: Vec<ItemResponse>,
}

#[derive(Deserialize)]
struct ItemResponse {
    id: String,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    body: Option<Value>,
}

impl GraphClient {
    /// Sends `requests` in batches of at most 20 and returns one result per request, in input
    /// order. An error of the batch itself fails the whole call.
    pub async fn batch(
        &self,
        requests: Vec<BatchRequest>,
    ) -> Result<Vec<BatchItemResult>, GraphError> {
        let mut results = Vec::with_capacity(requests.len());
        for chunk in requests.chunks(MAX_BATCH) {
            results.extend(self.batch_chunk(chunk).await?);
        }
        Ok(results)
    }

    async fn batch_chunk(
        &self,
        chunk: &[BatchRequest],
    ) -> Result<Vec<BatchItemResult>, GraphError> {
        // Each item counts against Graph's budgets: take one slot per extra write item.
        let extra_writes = chunk
            .iter()
            .filter(|r| r.is_write())
            .count()
            .saturating_sub(1);
        for _ in 0..extra_writes {
            self.throttle().acquire(OpKind::Write).await;
        }
        let body = json!({ "requests": chunk });
        let raw = self
            .write("POST /$batch", Method::POST, "/$batch", Some(&body))
            .await?;
        let response: BatchResponse = decode(&raw)?;
        let mut by_id: BTreeMap<String, ItemResponse> = response
            .responses
            .into_iter()
            .map(|item| (item.id.to_ascii_lowercase(), item))
            .collect();
        let mut results = Vec::with_capacity(chunk.len());
        for request in chunk {
            let result = match by_id.remove(&request.id.to_ascii_lowercase()) {
                Some(item) => self.settle_item(request, item).await,
                None => missing(request),
            };
            results.push(result);
        }
        Ok(results)
    }

    async fn settle_item(&self, request: &BatchRequest, item: ItemResponse) -> BatchItemResult {
        let status = item.status;
        let result = if (200..300).contains(&status) {
            Ok(item.body)
        } else {
            let body = item.body.map(|b| b.to_string()).unwrap_or_default();
            let error = classify(status, &header_map(&item.headers), body.as_bytes());
            if error.class == ErrorClass::Throttled {
                let pause = throttle_pause(&self.retry_policy(), &error);
                super::metrics::throttled(pause);
                self.throttle().throttled(OpKind::Write, pause).await;
            }
            Err(error)
        };
        BatchItemResult {
            id: request.id.clone(),
            status: Some(status),
            result,
        }
    }
}

fn missing(request: &BatchRequest) -> BatchItemResult {
    BatchItemResult {
        id: request.id.clone(),
        status: None,
        result: Err(GraphError::new(
            ErrorClass::Transient,
            "no response for this batch item",
        )),
    }
}

fn header_map(headers: &BTreeMap<String, String>) -> HeaderMap {
    headers
        .iter()
        .filter_map(|(k, v)| {
            let name = HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()).ok()?;
            Some((name, HeaderValue::from_str(v).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_like_graph_expects() {
        let mut patch = Map::new();
        patch.insert("jobTitle".into(), json!("x"));
        let r = BatchRequest::update_user("1", "a#EXT#@t", patch);
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["url"], "/users/a%23EXT%23@t");
        assert_eq!(v["headers"]["Content-Type"], "application/json");
        assert!(v.get("dependsOn").is_none());
        let d = serde_json::to_value(BatchRequest::delete_user("2", "u")).unwrap();
        assert!(d.get("headers").is_none() && d.get("body").is_none());
    }

    #[test]
    fn item_headers_feed_classification() {
        let mut h = BTreeMap::new();
        h.insert("Retry-After".to_owned(), "9".to_owned());
        let e = classify(429, &header_map(&h), b"");
        assert_eq!(e.retry_after, Some(std::time::Duration::from_secs(9)));
    }
}
