//! Quarantine end to end: a wrong secret, and invitations the tenant refuses, make readiness
//! 503 naming `quarantine` and the cause; work stops; a probe after the fix lifts it.

use guestsync::emulator::{InvitationDenial, Knobs};
use guestsync::ops::RunnerError;

use super::{Api, check};
use crate::http::rows;
use crate::support::world::World;

#[tokio::test]
async fn a_wrong_secret_quarantines_and_a_probe_after_the_fix_recovers() {
    let mut world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    world.extra_env.push((
        "GUESTSYNC__AUTH__CLIENT_SECRET".into(),
        "not-the-secret".into(),
    ));
    let api = Api::start(&world).await;
    assert!(matches!(
        api.runner.scheduled().await,
        Err(RunnerError::Cycle(_))
    ));
    let (status, ready) = api.ready().await;
    assert_eq!(status, 503, "{ready}");
    let quarantine = check(&ready, "quarantine");
    assert_eq!(quarantine["status"], "fail", "{ready}");
    let detail = quarantine["detail"].as_str().unwrap();
    assert!(detail.contains("credential"), "{detail}");
    assert!(detail.contains("invalid_client"), "{detail}");
    assert!(!detail.contains("not-the-secret"), "{detail}");
    assert!(
        matches!(
            api.runner.scheduled().await,
            Err(RunnerError::Quarantined { .. })
        ),
        "the next scheduled cycle waits for the probe time"
    );
    let (_, status_body) = api.call("get", "/api/v1/status", None).await;
    assert_eq!(
        status_body["quarantine"]["cause"], "credential",
        "{status_body}"
    );

    // The operator fixes the secret and restarts: the quarantine is in the state store.
    world.extra_env.clear();
    let fixed = Api::start(&world).await;
    let (status, ready) = fixed.ready().await;
    assert_eq!(status, 503, "{ready}");
    assert_eq!(check(&ready, "quarantine")["status"], "fail", "{ready}");
    let (status, body) = fixed.call("post", "/api/v1/cycles", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["probe"], true, "{body}");
    fixed.drain().await;
    let (status, ready) = fixed.ready().await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(check(&ready, "quarantine")["status"], "ok");
    assert_eq!(world.emulator.users().len(), 3);
}

#[tokio::test]
async fn refused_invitations_quarantine_with_graphs_code_and_message() {
    let knobs = Knobs {
        invitations_denied: Some(InvitationDenial::InvitationsDisabled),
        ..Knobs::default()
    };
    let world = World::start(knobs, Vec::new(), &rows(6)).await;
    let api = Api::start(&world).await;
    api.runner.scheduled().await.unwrap();
    api.drain().await;
    api.runner.evaluate().await.unwrap();
    let (status, ready) = api.ready().await;
    assert_eq!(status, 503, "{ready}");
    let detail = check(&ready, "quarantine")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.contains("forbidden:Authorization_RequestDenied"),
        "{detail}"
    );
    assert!(
        detail.contains("Invitations have been disabled"),
        "{detail}"
    );
    let worker = api.parts.pool.worker();
    tokio::time::sleep(guestsync::worker::gate::Gate::EVERY).await;
    assert!(
        worker.claim("w", 10).await.unwrap().is_empty(),
        "no claims in quarantine"
    );

    world.emulator.set_knobs(Knobs::default());
    let (status, body) = api.call("post", "/api/v1/cycles", None).await;
    assert_eq!((status, &body["probe"]), (200, &true.into()), "{body}");
    let (status, ready) = api.ready().await;
    assert_eq!(
        check(&ready, "quarantine")["status"],
        "ok",
        "{status} {ready}"
    );
}

#[tokio::test]
async fn a_missing_permission_is_named_as_such() {
    let knobs = Knobs {
        invitations_denied: Some(InvitationDenial::MissingPermission),
        ..Knobs::default()
    };
    let world = World::start(knobs, Vec::new(), &rows(4)).await;
    let api = Api::start(&world).await;
    api.runner.scheduled().await.unwrap();
    api.drain().await;
    api.runner.evaluate().await.unwrap();
    let (_, status) = api.call("get", "/api/v1/status", None).await;
    let q = &status["quarantine"];
    assert_eq!(
        q["cause"], "forbidden:Authorization_RequestDenied",
        "{status}"
    );
    assert_eq!(
        q["message"],
        "Insufficient privileges to complete the operation."
    );
    assert_eq!(q["probes"], 0);
}
