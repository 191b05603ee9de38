//! One Graph request and its answer, independent of axum, so that top-level requests and the
//! items of a `$batch` go through the same routing, validation, throttle and faults.

use serde_json::{Map, Value, json};

/// A Graph request after transport decoding.
#[derive(Clone, Debug, Default)]
pub(crate) struct GraphRequest {
    /// Upper-case HTTP method.
    pub method: String,
    /// Percent-decoded path segments after `/v1.0`.
    pub segments: Vec<String>,
    /// Decoded query parameters, in order.
    pub query: Vec<(String, String)>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

impl GraphRequest {
    /// A query parameter by exact name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as an object, or a 400 as Graph answers a payload it cannot read.
    pub fn object_body(&self) -> Result<&Map<String, Value>, GraphResponse> {
        match &self.body {
            Some(Value::Object(map)) => Ok(map),
            _ => Err(GraphResponse::error(
                400,
                "BadRequest",
                "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
            )),
        }
    }
}

/// The answer to one Graph request.
#[derive(Clone, Debug)]
pub(crate) struct GraphResponse {
    /// HTTP status.
    pub status: u16,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
    /// JSON body, if any.
    pub body: Option<Value>,
}

impl GraphResponse {
    /// A JSON answer.
    pub fn json(status: u16, body: Value) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    /// An empty answer (204).
    pub fn no_content() -> Self {
        Self {
            status: 204,
            headers: Vec::new(),
            body: None,
        }
    }

    /// Graph's error shape; `innerError` is completed by [`GraphResponse::stamp`].
    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        let message: String = message.into();
        Self::json(
            status,
            json!({"error": {"code": code, "message": message, "innerError": {}}}),
        )
    }

    /// The `error.code` of an error answer.
    #[cfg(test)]
    pub fn code(&self) -> Option<&str> {
        self.body.as_ref()?.get("error")?.get("code")?.as_str()
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: String) -> Self {
        self.headers.push((name.to_owned(), value));
        self
    }

    /// Fills `innerError` and adds the `request-id` / `client-request-id` headers.
    pub fn stamp(&mut self, date: &str, request_id: &str, client_request_id: &str) {
        if let Some(inner) = self
            .body
            .as_mut()
            .and_then(|b| b.get_mut("error"))
            .and_then(|e| e.get_mut("innerError"))
            .and_then(Value::as_object_mut)
        {
            inner.insert("date".into(), Value::from(date));
            inner.insert("request-id".into(), Value::from(request_id));
            inner.insert("client-request-id".into(), Value::from(client_request_id));
        }
        self.headers
            .push(("request-id".into(), request_id.to_owned()));
        self.headers
            .push(("client-request-id".into(), client_request_id.to_owned()));
    }
}

/// 404 as Graph answers an unknown directory object.
pub(crate) fn not_found(id: &str) -> GraphResponse {
    GraphResponse::error(
        404,
        "Request_ResourceNotFound",
        format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// 400 `Request_BadRequest` with a message.
pub(crate) fn bad_request(message: impl Into<String>) -> GraphResponse {
    GraphResponse::error(400, "Request_BadRequest", message)
}

/// 400 `Request_UnsupportedQuery` with a message.
pub(crate) fn unsupported(message: impl Into<String>) -> GraphResponse {
    GraphResponse::error(400, "Request_UnsupportedQuery", message)
}

/// 400 `BadRequest` for a `$` query option the route does not know.
pub(crate) fn option_not_allowed(name: &str) -> GraphResponse {
    GraphResponse::error(
        400,
        "BadRequest",
        format!("Query option '{name}' is not allowed."),
    )
}
