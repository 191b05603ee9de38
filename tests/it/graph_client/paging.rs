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
