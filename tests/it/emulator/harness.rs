//! A started emulator, a token and small request helpers.

use guestsync::emulator::{EmulatorConfig, EmulatorHandle, Knobs, start};
use reqwest::StatusCode;
use serde_json::Value;

/// A running emulator with a valid token.
pub struct Emu {
    pub handle: EmulatorHandle,
    pub http: reqwest::Client,
    pub token: String,
}

pub fn token_url(handle: &EmulatorHandle) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        handle.authority_url(),
        handle.config().tenant_id
    )
}

pub fn scope(handle: &EmulatorHandle) -> String {
    format!("{}/.default", handle.authority_url())
}

/// Posts a client-credentials form; returns status and JSON.
pub async fn token_request(handle: &EmulatorHandle, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(token_url(handle))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

/// A token by client secret.
pub async fn secret_token(handle: &EmulatorHandle) -> String {
    let cfg = handle.config().clone();
    let scope = scope(handle);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", cfg.client_id.as_str()),
        ("client_secret", cfg.client_secret.as_str()),
        ("scope", scope.as_str()),
    ];
    let (status, body) = token_request(handle, &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

impl Emu {
    pub async fn start(config: EmulatorConfig) -> Self {
        let handle = start(config, "127.0.0.1:0".parse().unwrap()).await.unwrap();
        let token = secret_token(&handle).await;
        Self {
            handle,
            http: reqwest::Client::new(),
            token,
        }
    }

    pub async fn default() -> Self {
        Self::start(EmulatorConfig::default()).await
    }

    pub fn knobs(&self, knobs: Knobs) {
        self.handle.set_knobs(knobs);
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.handle.base_url())
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, headers, json)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.send(reqwest::Method::GET, path, None).await;
        (s, b)
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, b) = self.send(reqwest::Method::POST, path, Some(body)).await;
        (s, b)
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, b) = self.send(reqwest::Method::PATCH, path, Some(body)).await;
        (s, b)
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = self.send(reqwest::Method::DELETE, path, None).await;
        (s, b)
    }

    /// Invites `mail` without e-mail; returns the 201 body.
    pub async fn invite(&self, mail: &str) -> Value {
        let body = serde_json::json!({"invitedUserEmailAddress": mail, "inviteRedirectUrl": "https://myapps.microsoft.com"});
        let (status, body) = self.post("/invitations", body).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body
    }
}

/// The `error.code` of a Graph error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<none>")
}
