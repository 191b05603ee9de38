//! Requests Graph rejects surface as permanent errors with Graph's status and code.

use guestsync::emulator::{EmulatorConfig, SeedUser};
use guestsync::graph::{ErrorClass, GraphError, GraphUser};
use serde_json::{Map, json};
use url::Url;

use super::support::{client_for, emulator};

/// What the emulator answers to a raw GET of `path_and_query`.
async fn raw_status_and_code(
    client: &guestsync::graph::GraphClient,
    path_and_query: &str,
) -> (u16, String) {
    let token = client.tokens().token().await.unwrap();
    let response = reqwest::Client::new()
        .get(format!("{}{path_and_query}", client.base_url()))
        .bearer_auth(token.secret())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["error"]["code"].as_str().unwrap().to_owned())
}

fn assert_permanent(e: &GraphError, expected: &(u16, String)) {
    assert_eq!(e.class, ErrorClass::Permanent, "{e}");
    assert_eq!(e.status, Some(expected.0), "{e}");
    assert_eq!(e.code.as_deref(), Some(expected.1.as_str()), "{e}");
    assert!(e.request_id.is_some(), "{e}");
}

#[tokio::test]
async fn rejected_queries_are_permanent_with_graphs_status_and_code() {
    let handle = emulator(EmulatorConfig::default()).await;
    let client = client_for(&handle).await;

    let lone_quote = "mail eq 'o'brien@x.example'";
    let expected =
        raw_status_and_code(&client, "/users?$filter=mail%20eq%20'o'brien@x.example'").await;
    let e = client
        .list_users(Some(lone_quote), &["id"])
        .await
        .unwrap_err();
    assert_permanent(&e, &expected);

    let expected = raw_status_and_code(&client, "/users?$select=id,notAProperty").await;
    let e = client
        .list_users(None, &["id", "notAProperty"])
        .await
        .unwrap_err();
    assert_permanent(&e, &expected);

    let expected = raw_status_and_code(&client, "/users?$top=1000").await;
    let url = Url::parse(&format!("{}/users?$top=1000", client.base_url())).unwrap();
    let e = client
        .for_each_page::<GraphUser, _>("GET /users", url, |_| Ok(()))
        .await
        .unwrap_err();
    assert_permanent(&e, &expected);
}

#[tokio::test]
async fn rejected_patches_are_permanent() {
    let handle = emulator(EmulatorConfig::default()).await;
    let id = handle.add_user(SeedUser::guest("p@partner.example"));
    let client = client_for(&handle).await;

    let mut too_long = Map::new();
    too_long.insert("displayName".into(), json!("x".repeat(300)));
    let e = client.update_user(&id, &too_long).await.unwrap_err();
    assert_eq!(
        (e.class, e.status),
        (ErrorClass::Permanent, Some(400)),
        "{e}"
    );
    assert!(e.code.is_some());

    let mut unknown = Map::new();
    unknown.insert("notAProperty".into(), json!(1));
    let e = client.update_user(&id, &unknown).await.unwrap_err();
    assert_eq!(
        (e.class, e.status),
        (ErrorClass::Permanent, Some(400)),
        "{e}"
    );

    let e = client
        .get_user("00000000-0000-0000-0000-00000000dead", &["id"])
        .await
        .unwrap_err();
    assert_eq!(
        (e.class, e.code.as_deref()),
        (ErrorClass::NotFound, Some("Request_ResourceNotFound"))
    );
}
