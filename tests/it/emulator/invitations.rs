//! `POST /invitations`.

use guestsync::emulator::SeedUser;
use reqwest::StatusCode;
use serde_json::json;

use super::harness::{Emu, code};

#[tokio::test]
async fn invite_creates_one_guest_and_a_second_invite_returns_the_same_id() {
    let emu = Emu::default().await;
    let first = emu.invite("Alice@Fabrikam.example").await;
    let second = emu.invite("alice@fabrikam.example").await;
    let id = first["invitedUser"]["id"].as_str().unwrap();
    assert_eq!(second["invitedUser"]["id"].as_str(), Some(id));
    assert_ne!(first["inviteRedeemUrl"], second["inviteRedeemUrl"]);
    assert_eq!(first["status"], "PendingAcceptance");
    let users = emu.handle.users();
    assert_eq!(users.len(), 1);
    let user = &users[0];
    assert_eq!(user["userType"], "Guest");
    assert_eq!(user["creationType"], "Invitation");
    assert_eq!(user["externalUserState"], "PendingAcceptance");
    assert_eq!(
        user["userPrincipalName"],
        "Alice_Fabrikam.example#EXT#@contoso.onmicrosoft.com"
    );
    assert_eq!(emu.handle.counters().invitation_emails_sent, 0);
}

#[tokio::test]
async fn send_invitation_message_counts_an_email() {
    let emu = Emu::default().await;
    let body = json!({"invitedUserEmailAddress": "bob@partner.example", "inviteRedirectUrl": "https://x.example",
        "sendInvitationMessage": true, "invitedUserDisplayName": "Bob B"});
    let (status, answer) = emu.post("/invitations", body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(answer["invitedUserDisplayName"], "Bob B");
    assert_eq!(emu.handle.counters().invitation_emails_sent, 1);
}

fn cc(address: &str) -> serde_json::Value {
    json!({"emailAddress": {"name": "cc", "address": address}})
}

#[tokio::test]
async fn invalid_invitations_are_400() {
    let emu = Emu::default().await;
    let cases = [
        json!({"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x", "colour": "red"}),
        json!({"inviteRedirectUrl": "https://x"}),
        json!({"invitedUserEmailAddress": "a@b.example"}),
        json!({"invitedUserEmailAddress": "a!b@b.example", "inviteRedirectUrl": "https://x"}),
        json!({"invitedUserEmailAddress": ".ab@b.example", "inviteRedirectUrl": "https://x"}),
        json!({"invitedUserEmailAddress": "ab-@b.example", "inviteRedirectUrl": "https://x"}),
        json!({"invitedUserEmailAddress": "me@contoso.onmicrosoft.com", "inviteRedirectUrl": "https://x"}),
        json!({"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x",
            "invitedUserDisplayName": "N".repeat(257)}),
        // graph.md §1: only one extra recipient is supported.
        json!({"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x",
            "invitedUserMessageInfo": {"ccRecipients": [cc("c1@b.example"), cc("c2@b.example")]}}),
        json!({"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x",
            "invitedUserMessageInfo": "hello"}),
    ];
    let count = cases.len();
    for case in cases {
        let (status, body) = emu.post("/invitations", case.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{case}");
        assert_eq!(code(&body), "BadRequest", "{case}");
    }
    assert!(emu.handle.users().is_empty());
    let counters = emu.handle.counters();
    assert_eq!(counters.bad_requests, u64::try_from(count).unwrap());
    assert!(
        counters.bad_request_samples[0].starts_with("POST /invitations: The property 'colour'"),
        "{:?}",
        counters.bad_request_samples
    );
    let one_cc = json!({"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x",
        "invitedUserMessageInfo": {"ccRecipients": [cc("c1@b.example")]}});
    assert_eq!(
        emu.post("/invitations", one_cc).await.0,
        StatusCode::CREATED
    );
    let name = "é".repeat(256);
    let body = json!({"invitedUserEmailAddress": "a@b.example", "inviteRedirectUrl": "https://x",
        "invitedUserDisplayName": name});
    let (status, _) = emu.post("/invitations", body).await;
    assert_eq!(status, StatusCode::CREATED, "256 characters are allowed");
}

#[tokio::test]
async fn reset_redemption_needs_the_address_on_the_user() {
    let emu = Emu::default().await;
    let mut seed = SeedUser::guest("carol@old.example");
    seed.other_mails = vec!["carol@new.example".into()];
    let id = emu.handle.add_user(seed);
    let reset = |mail: &str| {
        json!({"invitedUserEmailAddress": mail, "inviteRedirectUrl": "https://x",
        "resetRedemption": true, "invitedUser": {"id": id}})
    };
    let (status, _) = emu
        .post("/invitations", reset("stranger@else.example"))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = emu.post("/invitations", reset("carol@new.example")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["invitedUser"]["id"].as_str(), Some(id.as_str()));
    assert_eq!(
        emu.handle.users()[0]["externalUserState"],
        "PendingAcceptance"
    );
    assert!(emu.handle.redeem(&id));
    assert_eq!(emu.handle.users()[0]["externalUserState"], "Accepted");
}
