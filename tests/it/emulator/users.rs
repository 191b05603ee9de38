//! `GET /users` (filter, select, paging) and `GET/PATCH/DELETE /users/{id}`, deleted items.

use std::collections::HashSet;

use guestsync::emulator::{EmulatorConfig, Knobs, SeedUser};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::harness::{Emu, code};

#[tokio::test]
async fn paging_over_2500_guests_returns_each_exactly_once() {
    let seeds = (0..2500)
        .map(|i| SeedUser::guest(&format!("g{i}@partner.example")))
        .collect();
    let emu = Emu::start(EmulatorConfig {
        seed_users: seeds,
        ..EmulatorConfig::default()
    })
    .await;
    let mut seen = HashSet::new();
    let mut next = Some("/users?$filter=userType eq 'Guest'&$select=id,mail&$top=999".to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let (status, body) = emu.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["@odata.context"].is_string());
        for user in body["value"].as_array().unwrap() {
            assert!(
                seen.insert(user["id"].as_str().unwrap().to_owned()),
                "duplicate {user}"
            );
            assert!(user.get("displayName").is_none());
        }
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages <= 3);
    }
    assert_eq!(seen.len(), 2500);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn filtered_pages_skip_other_users_and_end_without_a_next_link() {
    // Guests and Members interleave in id order; every page must hold only guests, each
    // exactly once, and a page that ends the matches carries no nextLink.
    let seeds = (0..600)
        .map(|i| {
            let mut seed = SeedUser::guest(&format!("u{i}@partner.example"));
            if i % 3 == 0 {
                make_member(&mut seed);
            }
            seed
        })
        .collect();
    let emu = Emu::start(EmulatorConfig {
        seed_users: seeds,
        ..EmulatorConfig::default()
    })
    .await;
    let mut seen = HashSet::new();
    let mut next =
        Some("/users?$filter=userType eq 'Guest'&$select=id,userType&$top=100".to_owned());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let (status, body) = emu.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let users = body["value"].as_array().unwrap();
        assert_eq!(users.len(), 100, "page {pages} is not full");
        for user in users {
            assert_eq!(user["userType"], "Guest");
            assert!(seen.insert(user["id"].as_str().unwrap().to_owned()));
        }
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
        pages += 1;
    }
    assert_eq!(seen.len(), 400);
    assert_eq!(pages, 4, "400 guests in pages of 100, no empty last page");
}

#[tokio::test]
async fn sparse_pages_look_at_top_users_and_may_come_back_empty() {
    // graph.md §2 "Paging": a page may hold fewer results than asked, even none, with a
    // nextLink. The `sparse_pages` knob pages a filtered list over every user: each page
    // looks at `$top` users and answers those that match.
    let seeds = (0..6)
        .map(|i| {
            let mut seed = SeedUser::guest(&format!("s{i}@partner.example"));
            seed.extra.insert("id".into(), json!(format!("id{i}")));
            if i < 3 {
                make_member(&mut seed);
            }
            seed
        })
        .collect();
    let emu = Emu::start(EmulatorConfig {
        seed_users: seeds,
        knobs: Knobs {
            sparse_pages: true,
            ..Knobs::default()
        },
        ..EmulatorConfig::default()
    })
    .await;
    let mut sizes = Vec::new();
    let mut next = Some("/users?$filter=userType eq 'Guest'&$select=id&$top=2".to_owned());
    while let Some(url) = next.take() {
        let (status, body) = emu.get(&url).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        sizes.push(body["value"].as_array().unwrap().len());
        next = body["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(sizes, [0, 1, 2], "members id0..id2, guests id3..id5");
    let (_, all) = emu.get("/users?$select=id&$top=4").await;
    assert_eq!(
        all["value"].as_array().unwrap().len(),
        4,
        "unfiltered pages are full"
    );
}

#[tokio::test]
async fn tampered_skiptoken_is_400() {
    let seeds = (0..3)
        .map(|i| SeedUser::guest(&format!("g{i}@partner.example")))
        .collect();
    let emu = Emu::start(EmulatorConfig {
        seed_users: seeds,
        ..EmulatorConfig::default()
    })
    .await;
    let (_, body) = emu.get("/users?$top=1").await;
    let link = body["@odata.nextLink"].as_str().unwrap();
    assert!(link.starts_with("http://"));
    let (status, _) = emu.get(&format!("{link}x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn apostrophe_filter_finds_obrien() {
    let emu = Emu::default().await;
    emu.handle
        .add_user(SeedUser::guest("o'brien@partner.example"));
    emu.handle
        .add_user(SeedUser::guest("obrien@partner.example"));
    let (status, body) = emu
        .get("/users?$filter=mail eq 'O''Brien@partner.example'&$select=mail")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mails: Vec<&str> = body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["mail"].as_str().unwrap())
        .collect();
    assert_eq!(mails, ["o'brien@partner.example"]);
    let (_, body) = emu.get("/users?$filter=otherMails/any(m:m eq 'x@y.example') or (startswith(mail,'OB') and accountEnabled eq true)&$select=mail").await;
    assert_eq!(body["value"].as_array().unwrap().len(), 1, "{body}");
}

#[tokio::test]
async fn bad_queries_are_rejected_with_graph_codes() {
    let emu = Emu::default().await;
    let cases = [
        ("/users?$filter=mail eq 'o'brien@x.example'", "BadRequest"),
        ("/users?$filter=mail eq 'abc", "BadRequest"),
        ("/users?$select=id,favouriteColour", "Request_BadRequest"),
        ("/users?$top=1000", "Request_UnsupportedQuery"),
        (
            "/users?$filter=mail ne 'a@b.example'",
            "Request_UnsupportedQuery",
        ),
        (
            "/users?$filter=endswith(mail,'b.example')",
            "Request_UnsupportedQuery",
        ),
        (
            "/users?$search=\"displayName:a\"",
            "Request_UnsupportedQuery",
        ),
        ("/users/$count", "Request_BadRequest"),
        ("/directory/deletedItems", "Request_BadRequest"),
    ];
    for (url, expected) in cases {
        let (status, body) = emu.get(url).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{url}");
        assert_eq!(code(&body), expected, "{url}");
    }
}

#[tokio::test]
async fn patch_validation_and_success() {
    let emu = Emu::default().await;
    let id = emu.handle.add_user(SeedUser::guest("dora@partner.example"));
    let path = format!("/users/{id}");
    let bad = [
        json!({"favouriteColour": "red"}),
        json!({"displayName": "x".repeat(300)}),
        json!({"displayName": ""}),
        json!({"creationType": "Invitation"}),
        json!({"mail": null}),
        json!({"accountEnabled": "yes"}),
        json!({"employeeId": "12345678901234567"}),
        json!({"usageLocation": "USA"}),
        json!({"onPremisesExtensionAttributes": {"extensionAttribute16": "x"}}),
    ];
    for body in bad {
        let (status, answer) = emu.patch(&path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(code(&answer), "Request_BadRequest", "{body}");
    }
    let (status, _) = emu
        .patch(
            &path,
            json!({"displayName": "Dora D", "companyName": "Partner",
        "onPremisesExtensionAttributes": {"extensionAttribute1": "anchor-1"}}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, user) = emu
        .get(&format!(
            "{path}?$select=displayName,companyName,onPremisesExtensionAttributes"
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["companyName"], "Partner");
    assert_eq!(
        user["onPremisesExtensionAttributes"]["extensionAttribute1"],
        "anchor-1"
    );
    let (status, body) = emu
        .patch(
            "/users/00000000-0000-0000-0000-000000000000",
            json!({"jobTitle": "x"}),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
    );
}

#[tokio::test]
async fn get_by_upn_needs_encoded_hash() {
    let emu = Emu::default().await;
    let id = emu.handle.add_user(SeedUser::guest("eve@partner.example"));
    let (status, user) = emu
        .get("/users/eve_partner.example%23EXT%23@contoso.onmicrosoft.com")
        .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["id"].as_str(), Some(id.as_str()));
}

#[tokio::test]
async fn delete_restore_and_purge() {
    let emu = Emu::default().await;
    let id = emu.handle.add_user(SeedUser::guest("fred@partner.example"));
    let (status, _) = emu.delete(&format!("/users/{id}")).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        emu.get(&format!("/users/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, deleted) = emu
        .get("/directory/deletedItems/microsoft.graph.user")
        .await;
    let ids: Vec<&Value> = deleted["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["id"])
        .collect();
    assert_eq!(ids, [&json!(id)]);
    let (status, restored) = emu
        .post(&format!("/directory/deletedItems/{id}/restore"), json!({}))
        .await;
    assert_eq!(
        (status, restored["id"].as_str()),
        (StatusCode::OK, Some(id.as_str()))
    );
    assert_eq!(emu.get(&format!("/users/{id}")).await.0, StatusCode::OK);
    assert!(emu.handle.delete_user_as_admin(&id));
    assert_eq!(
        emu.delete(&format!("/directory/deletedItems/{id}")).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, deleted) = emu
        .get("/directory/deletedItems/microsoft.graph.user")
        .await;
    assert!(deleted["value"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn group_membership() {
    let emu = Emu::default().await;
    let uid = emu.handle.add_user(SeedUser::guest("gina@partner.example"));
    let client = reqwest::Client::new();
    let gid: Value = client
        .post(format!("{}/_emulator/groups", emu.handle.authority_url()))
        .json(&json!({"displayName": "Partners"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let gid = gid["id"].as_str().unwrap();
    let reference =
        json!({"@odata.id": format!("https://graph.microsoft.com/v1.0/directoryObjects/{uid}")});
    assert_eq!(
        emu.post(&format!("/groups/{gid}/members/$ref"), reference.clone())
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        emu.post(&format!("/groups/{gid}/members/$ref"), reference)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (_, members) = emu.get(&format!("/groups/{gid}/members")).await;
    assert_eq!(members["value"][0]["id"].as_str(), Some(uid.as_str()));
    assert_eq!(
        emu.delete(&format!("/groups/{gid}/members/{uid}/$ref"))
            .await
            .0,
        StatusCode::NO_CONTENT
    );
}

/// Turns a seeded guest into a member of the tenant (not created by invitation).
fn make_member(seed: &mut SeedUser) {
    seed.user_type = "Member".to_owned();
    seed.creation_type = None;
}
