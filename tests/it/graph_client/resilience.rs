//! Throttling, random 5xx and replication lag are absorbed by the client.

use std::time::Duration;

use futures::future::join_all;
use guestsync::emulator::{Budget, EmulatorConfig, Knobs, RetryAfterMode};
use guestsync::graph::ErrorClass;
use tokio::time::Instant;

use super::support::{client_for, emulator, invitation};

async fn invites_under_write_throttle(mode: RetryAfterMode) {
    let knobs = Knobs {
        write_budget: Some(Budget {
            per_second: 5.0,
            burst: 1,
        }),
        retry_after: mode,
        ..Default::default()
    };
    let handle = emulator(EmulatorConfig {
        knobs,
        ..Default::default()
    })
    .await;
    let client = client_for(&handle).await;

    let invites = (0..6).map(|i| {
        let client = client.clone();
        async move {
            client
                .invite(&invitation(&format!("t{i}@partner.example")))
                .await
        }
    });
    for result in join_all(invites).await {
        result.unwrap();
    }

    let counters = handle.counters();
    assert!(
        counters.throttled > 0,
        "the budget was never hit: {counters:?}"
    );
    assert_eq!(counters.during_retry_after, 0, "{counters:?}");
    assert_eq!(handle.users().len(), 6);
}

#[tokio::test]
async fn no_request_during_a_fixed_retry_after() {
    invites_under_write_throttle(RetryAfterMode::Fixed(1)).await;
}

#[tokio::test]
async fn a_missing_retry_after_falls_back() {
    invites_under_write_throttle(RetryAfterMode::Missing).await;
}

#[tokio::test]
async fn a_zero_retry_after_falls_back() {
    invites_under_write_throttle(RetryAfterMode::Zero).await;
}

#[tokio::test]
async fn random_5xx_and_replication_lag_are_absorbed() {
    let knobs = Knobs {
        fault_rate: 0.05,
        fault_seed: 42,
        replication_lag_max_ms: 300,
        ..Default::default()
    };
    let handle = emulator(EmulatorConfig {
        knobs,
        ..Default::default()
    })
    .await;
    let client = client_for(&handle).await;
    let window = Duration::from_secs(10);

    for i in 0..20 {
        let created = Instant::now();
        let invited = client
            .invite(&invitation(&format!("lag{i}@partner.example")))
            .await
            .unwrap();
        let user = loop {
            match client
                .get_user(&invited.invited_user.id, &["id", "mail"])
                .await
            {
                Ok(user) => break user,
                Err(e) if e.is_not_yet_replicated(created.elapsed(), window) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("{e}"),
            }
        };
        assert_eq!(
            user.mail.as_deref(),
            Some(format!("lag{i}@partner.example").as_str())
        );
    }
    let guests = client.list_guests(&["id"]).await.unwrap();
    assert!(guests.len() <= 20);
    let lookup = client
        .get_user("00000000-0000-0000-0000-0000000000ff", &["id"])
        .await;
    assert_eq!(lookup.unwrap_err().class, ErrorClass::NotFound);
}

#[tokio::test]
async fn a_write_without_retries_returns_throttled_and_pauses_everyone() {
    let knobs = Knobs {
        write_budget: Some(Budget {
            per_second: 0.5,
            burst: 1,
        }),
        retry_after: RetryAfterMode::Fixed(2),
        ..Default::default()
    };
    let handle = emulator(EmulatorConfig {
        knobs,
        ..Default::default()
    })
    .await;
    let client = client_for(&handle)
        .await
        .with_write_retry(guestsync::graph::WriteRetry::NoRetry);

    client
        .invite(&invitation("first@partner.example"))
        .await
        .unwrap();
    let e = client
        .invite(&invitation("second@partner.example"))
        .await
        .unwrap_err();

    assert_eq!(e.class, ErrorClass::Throttled, "{e}");
    assert_eq!(e.retry_after, Some(Duration::from_secs(2)));
    assert!(client.throttle().paused_until().await.is_some());
    assert_eq!(
        handle.counters().requests_by_route.get("POST /invitations"),
        Some(&2)
    );
}
