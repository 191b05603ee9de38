//! The token endpoint and the bearer check.

use guestsync::emulator::{EmulatorConfig, Knobs};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::StatusCode;
use serde_json::json;

use super::harness::{Emu, code, scope, token_request, token_url};

#[tokio::test]
async fn wrong_secret_is_invalid_client_with_aadsts7000215() {
    let emu = Emu::default().await;
    let cfg = emu.handle.config().clone();
    let scope = scope(&emu.handle);
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", cfg.client_id.as_str()),
        ("client_secret", "wrong"),
        ("scope", scope.as_str()),
    ];
    let (status, body) = token_request(&emu.handle, &form).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS7000215")
    );
    assert_eq!(body["error_codes"][0], 7000215);
}

#[tokio::test]
async fn bad_scope_unknown_client_and_missing_credential_are_rejected() {
    let emu = Emu::default().await;
    let cfg = emu.handle.config().clone();
    let base = [
        ("grant_type", "client_credentials"),
        ("client_id", cfg.client_id.as_str()),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        base.iter().chain(extra).copied().collect::<Vec<_>>()
    };
    let (status, body) = token_request(
        &emu.handle,
        &with(&[
            ("client_secret", "emulator-secret"),
            ("scope", "https://graph.microsoft.com/.default"),
        ]),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_scope"))
    );
    let (status, body) = token_request(&emu.handle, &with(&[("scope", "x")])).await;
    assert_eq!(
        (status, body["error_codes"][0].as_u64()),
        (StatusCode::BAD_REQUEST, Some(7000218))
    );
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "nope"),
        ("client_secret", "emulator-secret"),
    ];
    let (status, body) = token_request(&emu.handle, &form).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unauthorized_client"))
    );
}

#[tokio::test]
async fn missing_and_unknown_tokens_are_401() {
    let emu = Emu::default().await;
    let url = format!("{}/users", emu.handle.base_url());
    let response = reqwest::get(&url).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().contains_key("request-id"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(code(&body), "InvalidAuthenticationToken");
    assert!(body["error"]["innerError"]["request-id"].is_string());
    let response = reqwest::Client::new()
        .get(&url)
        .bearer_auth("made-up")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn expired_token_is_401() {
    let mut emu = Emu::default().await;
    emu.knobs(Knobs {
        token_lifetime_secs: Some(1),
        ..Knobs::default()
    });
    emu.token = super::harness::secret_token(&emu.handle).await;
    let mut last = None;
    for _ in 0..100 {
        let (status, body) = emu.get("/users?$top=1").await;
        if status == StatusCode::UNAUTHORIZED {
            last = Some(body);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        code(&last.expect("token never expired")),
        "InvalidAuthenticationToken"
    );
}

#[derive(serde::Serialize)]
struct Claims {
    aud: String,
    iss: String,
    sub: String,
    jti: String,
    nbf: i64,
    exp: i64,
}

fn assertion(handle: &guestsync::emulator::EmulatorHandle, thumbprint: &str) -> String {
    let key = EncodingKey::from_rsa_pem(include_bytes!("../../fixtures/test-key.pem")).unwrap();
    let mut header = Header::new(Algorithm::PS256);
    header.x5t_s256 = Some(thumbprint.to_owned());
    let now = chrono::Utc::now().timestamp();
    let id = handle.config().client_id.clone();
    let claims = Claims {
        aud: token_url(handle),
        iss: id.clone(),
        sub: id,
        jti: uuid::Uuid::new_v4().to_string(),
        nbf: now,
        exp: now + 300,
    };
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}

fn thumbprint() -> String {
    use base64::Engine;
    use sha2::Digest;
    let pem = include_str!("../../fixtures/test-cert.pem");
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(der))
}

#[tokio::test]
async fn certificate_assertion_gets_a_token_and_a_wrong_thumbprint_does_not() {
    let config = EmulatorConfig {
        client_certificate_pem: Some(include_str!("../../fixtures/test-cert.pem").to_owned()),
        ..EmulatorConfig::default()
    };
    let emu = Emu::start(config).await;
    let cfg = emu.handle.config().clone();
    let scope = scope(&emu.handle);
    for (thumb, expected) in [
        (thumbprint(), StatusCode::OK),
        ("AAAA".to_owned(), StatusCode::UNAUTHORIZED),
    ] {
        let jwt = assertion(&emu.handle, &thumb);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", cfg.client_id.as_str()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", jwt.as_str()),
            ("scope", scope.as_str()),
        ];
        let (status, body) = token_request(&emu.handle, &form).await;
        assert_eq!(status, expected, "{body}");
    }
    assert_eq!(emu.handle.counters().tokens_issued, 2);
}

#[tokio::test]
async fn config_snippet_points_at_the_emulator() {
    let emu = Emu::default().await;
    let snippet = emu.handle.config_snippet();
    let parsed: toml::Value = toml::from_str(&snippet).unwrap();
    assert_eq!(
        parsed["graph"]["base_url"].as_str(),
        Some(emu.handle.base_url().as_str())
    );
    assert_eq!(
        json!(parsed["auth"]["client_secret"].as_str()),
        json!("emulator-secret")
    );
}
