//! Paging over many guests and finding users by e-mail through `$filter`.

use std::collections::BTreeSet;

use guestsync::emulator::{EmulatorConfig, SeedUser};

use super::support::{client_for, emulator};

#[tokio::test]
async fn paging_over_2500_guests_returns_each_exactly_once() {
    let seed_users = (0..2500)
        .map(|i| SeedUser::guest(&format!("g{i}@partner.example")))
        .collect();
    let handle = emulator(EmulatorConfig {
        seed_users,
        ..Default::default()
    })
    .await;
    let client = client_for(&handle).await;

    let guests = client
        .list_guests(&["id", "mail", "userType"])
        .await
        .unwrap();

    let ids: BTreeSet<_> = guests.iter().map(|g| g.id.clone()).collect();
    assert_eq!(guests.len(), 2500);
    assert_eq!(ids.len(), 2500);
    assert!(
        guests
            .iter()
            .all(|g| g.user_type.as_deref() == Some("Guest"))
    );
    assert_eq!(
        handle.counters().requests_by_route.get("GET /users"),
        Some(&3)
    );
}

#[tokio::test]
async fn an_email_with_an_apostrophe_or_hash_is_found_through_filter() {
    let handle = emulator(EmulatorConfig::default()).await;
    let obrien = handle.add_user(SeedUser::guest("o'brien@partner.example"));
    let mut other = SeedUser::guest("main@partner.example");
    other.other_mails = vec!["x'y@partner.example".to_owned()];
    let other_id = handle.add_user(other);
    handle.add_user(SeedUser::guest("obrien@partner.example"));
    let client = client_for(&handle).await;

    let found = client
        .find_users_by_email("o'brien@partner.example")
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        vec![obrien.as_str()]
    );
    let found = client
        .find_users_by_email("X'Y@partner.example")
        .await
        .unwrap();
    assert_eq!(
        found.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
        vec![other_id.as_str()]
    );
    assert!(
        client
            .find_users_by_email("nobody#x@partner.example")
            .await
            .unwrap()
            .is_empty()
    );
}

/// 2,000 members, then 5 guests, in id order.
fn members_then_guests() -> Vec<SeedUser> {
    let with_id = |mut seed: SeedUser, id: String| {
        seed.extra.insert("id".into(), serde_json::json!(id));
        seed
    };
    let members = (0..2000).map(|i| {
        let mut seed = SeedUser::guest(&format!("m{i}@contoso.example"));
        seed.user_type = "Member".into();
        seed.creation_type = None;
        with_id(seed, format!("a{i:05}"))
    });
    let guests = (0..5).map(|i| {
        let seed = SeedUser::guest(&format!("g{i}@partner.example"));
        with_id(seed, format!("z{i:05}"))
    });
    members.chain(guests).collect()
}

#[tokio::test]
async fn the_tenant_read_follows_next_links_through_empty_pages() {
    // graph.md §2 "Paging": a page may hold zero results and still carry a nextLink. With
    // sparse pages the emulator looks at 999 users per page: two pages of members answer
    // nothing but a nextLink, the third holds the five guests.
    let handle = emulator(EmulatorConfig {
        seed_users: members_then_guests(),
        knobs: guestsync::emulator::Knobs {
            sparse_pages: true,
            ..Default::default()
        },
        ..Default::default()
    })
    .await;
    let client = client_for(&handle).await;
    let mut pages = Vec::new();
    client
        .for_each_guest_page(&["id", "userType"], |page| {
            pages.push(page.len());
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(pages, [0, 0, 5]);
    let guests = client.list_guests(&["id"]).await.unwrap();
    assert_eq!(guests.len(), 5);
    assert!(guests.iter().all(|g| g.id.starts_with('z')));
}
