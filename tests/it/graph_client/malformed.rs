//! Malformed 2xx answers and huge bodies (issue 8 §3) at the client: every typed call returns a
//! classified error naming the cause, never a panic, never a half-read value; a body over the
//! limit is abandoned.

use std::sync::Arc;

use guestsync::clock::SystemClock;
use guestsync::emulator::{AnswerFault, AnswerFaultKind, EmulatorConfig, Knobs, SeedUser};
use guestsync::graph::body::{MALFORMED, TOO_LARGE};
use guestsync::graph::{ErrorClass, GraphClient, GraphError};

use super::support::{emulator, graph_config, invitation, secret};

const KINDS: &[AnswerFaultKind] = &[
    AnswerFaultKind::WrongTypes,
    AnswerFaultKind::MissingFields,
    AnswerFaultKind::EmptyObject,
    AnswerFaultKind::InvalidJson,
];

fn always(kind: AnswerFaultKind, route: &str) -> Knobs {
    Knobs {
        answer_fault: Some(AnswerFault::on(kind, &[route], None)),
        ..Knobs::default()
    }
}

fn assert_malformed(e: &GraphError, what: &str) {
    assert_eq!(e.class, ErrorClass::Transient, "{what}: {e}");
    assert_eq!(e.code.as_deref(), Some(MALFORMED), "{what}: {e}");
    assert!(
        e.to_string().contains("unexpected Graph response shape"),
        "{what}: {e}"
    );
}

#[tokio::test]
async fn malformed_answers_of_every_typed_call_are_classified() {
    let handle = emulator(EmulatorConfig::default()).await;
    let id = handle.add_user(SeedUser::guest("seen@partner.example"));
    let client = super::support::client_for(&handle).await;
    for kind in KINDS {
        handle.set_knobs(always(*kind, "POST /invitations"));
        let e = client
            .invite(&invitation("new@partner.example"))
            .await
            .unwrap_err();
        assert_malformed(&e, &format!("invite {kind:?}"));

        handle.set_knobs(always(*kind, "GET /users"));
        let e = client.list_guests(&["id", "mail"]).await.unwrap_err();
        assert_malformed(&e, &format!("list {kind:?}"));

        handle.set_knobs(always(*kind, "GET /users/{id}"));
        match client.get_user(&id, &["id", "mail"]).await {
            Err(e) => assert_malformed(&e, &format!("get {kind:?}")),
            // Only `inviteRedeemUrl`-less answers can still be a valid user: not this route.
            Ok(user) => panic!("get {kind:?} decoded a malformed user: {user:?}"),
        }
    }
    handle.set_knobs(Knobs::default());
    assert_eq!(handle.users().len(), 2, "the address got a second guest");
}

#[tokio::test]
async fn a_body_over_the_limit_is_abandoned_and_a_cut_body_is_retried() {
    let handle = emulator(EmulatorConfig::default()).await;
    let mut config = graph_config(&handle, secret(&handle));
    config.max_response_bytes = 1024 * 1024;
    let client = GraphClient::new(&config, Arc::new(SystemClock)).unwrap();

    handle.set_knobs(always(AnswerFaultKind::HugeBody { mb: 3 }, "GET /users"));
    let e = client.list_guests(&["id"]).await.unwrap_err();
    assert_eq!(
        (e.class, e.code.as_deref()),
        (ErrorClass::Transient, Some(TOO_LARGE)),
        "{e}"
    );

    // Once, then sane: the retry inside the call gets the real answer.
    handle.set_knobs(Knobs {
        answer_fault: Some(AnswerFault::on(
            AnswerFaultKind::HugeBody { mb: 3 },
            &["GET /users"],
            Some(1),
        )),
        ..Knobs::default()
    });
    client.list_guests(&["id"]).await.unwrap();

    handle.set_knobs(Knobs {
        answer_fault: Some(AnswerFault::on(
            AnswerFaultKind::CutBody,
            &["POST /invitations"],
            Some(1),
        )),
        ..Knobs::default()
    });
    let invited = client
        .invite(&invitation("cut@partner.example"))
        .await
        .unwrap();
    assert_eq!(handle.users().len(), 1);
    assert_eq!(invited.invited_user.id, handle.users()[0]["id"]);
    assert_eq!(
        handle.invitations().len(),
        2,
        "the cut invitation was not sent again"
    );
}
