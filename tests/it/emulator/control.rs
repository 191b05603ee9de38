//! The control API under `/_emulator/`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::harness::Emu;

#[tokio::test]
async fn control_api_seeds_redeems_and_reports() {
    let emu = Emu::default().await;
    let http = reqwest::Client::new();
    let at = |p: &str| format!("{}/_emulator/{p}", emu.handle.authority_url());
    let knobs = json!({"latency_ms": 1, "read_budget": {"per_second": 5.0, "burst": 10}, "retry_after": {"Fixed": 7}});
    let put = http.put(at("knobs")).json(&knobs).send().await.unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let got: Value = http
        .get(at("knobs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["retry_after"], json!({"Fixed": 7}));
    assert_eq!(got["read_budget"]["burst"], 10);
    let seed = json!({"mail": "kim@partner.example", "display_name": "Kim", "user_type": "Guest",
        "creation_type": "Invitation", "account_enabled": true, "extra": {"externalUserState": "PendingAcceptance"}});
    let created = http.post(at("users")).json(&seed).send().await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let redeemed = http
        .post(at(&format!("users/{id}/redeem")))
        .send()
        .await
        .unwrap();
    assert_eq!(redeemed.status(), StatusCode::NO_CONTENT);
    let users: Value = http
        .get(at("users"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(users[0]["externalUserState"], "Accepted");
    let (status, user) = emu
        .get(&format!(
            "/users/{id}?$select=externalUserState,displayName"
        ))
        .await;
    assert_eq!(
        (status, &user["externalUserState"]),
        (StatusCode::OK, &json!("Accepted"))
    );
    let counters: Value = http
        .get(at("counters"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counters["requests_by_route"]["GET /users/{id}"], 1);
    assert_eq!(counters["tokens_issued"], 1);
    let missing = http.post(at("users/nope/redeem")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
