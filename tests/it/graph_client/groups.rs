//! The group calls of the Graph client: the member list (every page), up to 20 additions per
//! `PATCH /groups/{id}`, removals through `$batch`.

use guestsync::emulator::{EmulatorConfig, SeedUser};
use guestsync::graph::ErrorClass;

use super::support::{client_for, emulator};

#[tokio::test]
async fn members_are_added_by_twenty_listed_and_removed_in_a_batch() {
    let handle = emulator(EmulatorConfig::default()).await;
    let users: Vec<String> = (0..25)
        .map(|i| handle.add_user(SeedUser::guest(&format!("g{i}@partner.example"))))
        .collect();
    let group = handle.create_group();
    let client = client_for(&handle).await;

    let too_many = client.add_group_members(&group, &users).await.unwrap_err();
    assert_eq!(too_many.class, ErrorClass::Permanent);
    client
        .add_group_members(&group, &users[..20])
        .await
        .unwrap();
    client
        .add_group_members(&group, &users[20..])
        .await
        .unwrap();
    let mut listed = client.list_group_member_ids(&group).await.unwrap();
    listed.sort();
    let mut expected = users.clone();
    expected.sort();
    assert_eq!(listed, expected);

    let again = client
        .add_group_members(&group, &users[..1])
        .await
        .unwrap_err();
    assert_eq!(again.status, Some(400));

    let results = client
        .remove_group_members(&group, &users[..3])
        .await
        .unwrap();
    assert!(results.iter().all(|r| r.result.is_ok()));
    assert_eq!(handle.group_members(&group).unwrap().len(), 22);
    let counters = handle.counters();
    assert_eq!(counters.requests_by_route["PATCH /groups/{id}"], 3);
    assert_eq!(counters.requests_by_route["POST /$batch"], 1);
    assert_eq!(
        counters.requests_by_route["DELETE /groups/{id}/members/{id}/$ref"],
        3
    );
}
