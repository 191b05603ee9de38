//! The emulator as notes/graph.md describes the calls housekeeping makes: a re-invitation of
//! a pending guest keeps the user and gives a new redeem URL; `resetRedemption` requires
//! `invitedUser.id`, keeps the object id and puts the guest back to PendingAcceptance, and is
//! checked against the replicated user (a `mail` just written may not be visible yet, §7); a
//! deleted user is restorable for 30 days only (measured on the emulator's clock).

use std::sync::Arc;

use chrono::{Duration, Utc};
use guestsync::clock::ManualClock;
use guestsync::emulator::{EmulatorConfig, Knobs, start_with_clock};
use reqwest::StatusCode;
use serde_json::json;

use super::harness::{Emu, code, secret_token};

async fn on_clock(clock: Arc<ManualClock>) -> Emu {
    let addr = "127.0.0.1:0".parse().unwrap();
    let handle = start_with_clock(EmulatorConfig::default(), addr, clock)
        .await
        .unwrap();
    let token = secret_token(&handle).await;
    Emu {
        handle,
        http: reqwest::Client::new(),
        token,
    }
}

#[tokio::test]
async fn reset_redemption_without_the_user_id_is_400() {
    let emu = Emu::default().await;
    let id = emu.invite("dora@partner.example").await["invitedUser"]["id"].clone();
    let body = json!({"invitedUserEmailAddress": "dora@partner.example",
        "inviteRedirectUrl": "https://x.example", "resetRedemption": true});
    let (status, answer) = emu.post("/invitations", body).await;
    assert_eq!(
        (status, code(&answer)),
        (StatusCode::BAD_REQUEST, "BadRequest")
    );
    let body = json!({"invitedUserEmailAddress": "dora@partner.example",
        "inviteRedirectUrl": "https://x.example", "resetRedemption": true,
        "invitedUser": {"id": "00000000-0000-0000-0000-00000000dead"}});
    assert_eq!(
        emu.post("/invitations", body).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(emu.handle.users().len(), 1);
    assert_eq!(emu.handle.users()[0]["id"], id);
}

#[tokio::test]
async fn a_reset_after_a_mail_change_keeps_the_user_and_makes_it_pending_again() {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let emu = on_clock(clock.clone()).await;
    let first = emu.invite("erin@old.example").await;
    let id = first["invitedUser"]["id"].as_str().unwrap().to_owned();
    assert!(emu.handle.redeem(&id));
    clock.advance(Duration::days(3));
    let (status, _) = emu
        .patch(&format!("/users/{id}"), json!({"mail": "erin@new.example"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let body = json!({"invitedUserEmailAddress": "erin@new.example",
        "inviteRedirectUrl": "https://x.example", "resetRedemption": true,
        "invitedUser": {"id": id}});
    let (status, reset) = emu.post("/invitations", body).await;
    assert_eq!(status, StatusCode::CREATED, "{reset}");
    assert_eq!(reset["invitedUser"]["id"], id.as_str());
    assert_ne!(reset["inviteRedeemUrl"], first["inviteRedeemUrl"]);
    let users = emu.handle.users();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["externalUserState"], "PendingAcceptance");
    assert_eq!(users[0]["mail"], "erin@new.example");
    let stamp = users[0]["externalUserStateChangeDateTime"]
        .as_str()
        .unwrap();
    assert_eq!(
        stamp,
        clock_iso(&clock),
        "the change time is the emulator clock's"
    );
}

#[tokio::test]
async fn a_reset_right_after_the_mail_change_meets_the_replication_lag() {
    // graph.md §1: the new address must already be in mail or otherMails; §7: a property just
    // written may not be visible yet. The check reads the replicated user, as Graph's does.
    let emu = Emu::default().await;
    let id = emu.invite("gil@old.example").await["invitedUser"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.knobs(Knobs {
        replication_lag_max_ms: 4000,
        fault_seed: 11,
        ..Knobs::default()
    });
    let (status, _) = emu
        .patch(&format!("/users/{id}"), json!({"mail": "gil@new.example"}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let reset = json!({"invitedUserEmailAddress": "gil@new.example",
        "inviteRedirectUrl": "https://x.example", "resetRedemption": true,
        "invitedUser": {"id": id}});
    let (status, body) = emu.post("/invitations", reset.clone()).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "BadRequest"),
        "{body}"
    );
    let mut status = StatusCode::BAD_REQUEST;
    for _ in 0..150 {
        status = emu.post("/invitations", reset.clone()).await.0;
        if status != StatusCode::BAD_REQUEST {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        status,
        StatusCode::CREATED,
        "accepted once the mail replicated"
    );
    assert_eq!(emu.handle.users().len(), 1);
}

fn clock_iso(clock: &ManualClock) -> String {
    let now = guestsync::clock::Clock::now(clock);
    now.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn a_deleted_user_is_restorable_for_30_days_only() {
    let clock = Arc::new(ManualClock::new(Utc::now()));
    let emu = on_clock(clock.clone()).await;
    let mut ids = Vec::new();
    for mail in ["f1@partner.example", "f2@partner.example"] {
        let invited = emu.invite(mail).await;
        ids.push(invited["invitedUser"]["id"].as_str().unwrap().to_owned());
    }
    for id in &ids {
        assert_eq!(
            emu.delete(&format!("/users/{id}")).await.0,
            StatusCode::NO_CONTENT
        );
    }
    clock.advance(Duration::days(29));
    let restore = |id: &str| format!("/directory/deletedItems/{id}/restore");
    assert_eq!(
        emu.post(&restore(&ids[0]), json!({})).await.0,
        StatusCode::OK
    );
    clock.advance(Duration::days(1));
    let (_, listed) = emu
        .get("/directory/deletedItems/microsoft.graph.user")
        .await;
    assert!(listed["value"].as_array().unwrap().is_empty(), "{listed}");
    let (status, body) = emu.post(&restore(&ids[1]), json!({})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
    );
}
