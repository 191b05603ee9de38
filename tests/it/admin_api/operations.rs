//! Runs, items, retry of a dead item, approve and reject of a held run, through the API.

use guestsync::emulator::{InvitationDenial, Knobs};

use super::Api;
use crate::http::rows;
use crate::support::world::World;

#[tokio::test]
async fn runs_and_items_show_counts_and_attempt_history() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    let api = Api::start(&world).await;
    let (status, body) = api.call("post", "/api/v1/cycles", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["counts"]["invites"], 3, "{body}");
    let run_id = body["run_id"].as_i64().unwrap();
    api.drain().await;

    let (status, runs) = api.call("get", "/api/v1/runs?limit=5", None).await;
    assert_eq!(status, 200, "{runs}");
    assert_eq!(runs[0]["id"], run_id);
    assert_eq!(runs[0]["kind"], "manual");
    assert_eq!(runs[0]["outcome"], "succeeded");
    let (status, run) = api
        .call("get", &format!("/api/v1/runs/{run_id}"), None)
        .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["counts"]["read"], 3);
    assert!(run["rejected"].as_array().unwrap().is_empty());
    assert!(run["errors"].as_array().unwrap().is_empty());

    let (status, done) = api
        .call("get", "/api/v1/items?state=done&action=invite", None)
        .await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done.as_array().unwrap().len(), 3, "{done}");
    let anchor = done[0]["anchor"].as_str().unwrap().to_string();
    let (status, item) = api
        .call("get", &format!("/api/v1/items/{anchor}"), None)
        .await;
    assert_eq!(status, 200, "{item}");
    assert_eq!(item["state"], "done");
    assert_eq!(
        item["history"].as_array().unwrap().last().unwrap()["outcome"],
        "succeeded"
    );

    assert_eq!(
        api.call("get", "/api/v1/items?state=bogus", None).await.0,
        400
    );
    assert_eq!(api.call("get", "/api/v1/items?limit=0", None).await.0, 400);
    assert_eq!(api.call("get", "/api/v1/runs/999", None).await.0, 404);
    assert_eq!(api.call("get", "/api/v1/runs/x", None).await.0, 400);
    let (status, body) = api.call("get", "/api/v1/items/nobody", None).await;
    assert_eq!((status, &body["error"]["code"]), (404, &"not_found".into()));
}

#[tokio::test]
async fn a_dead_item_is_retried_through_the_api() {
    let knobs = Knobs {
        invitations_denied: Some(InvitationDenial::MissingPermission),
        ..Knobs::default()
    };
    let world = World::start(knobs, Vec::new(), &rows(1)).await;
    let api = Api::start(&world).await;
    api.runner.scheduled().await.unwrap();
    api.drain().await;
    let (_, dead) = api.call("get", "/api/v1/items?state=dead", None).await;
    let anchor = dead[0]["anchor"].as_str().unwrap().to_string();
    assert_eq!(dead[0]["last_error"]["code"], "Authorization_RequestDenied");
    assert_eq!(dead[0]["last_error"]["status"], 403);
    let (status, run) = api.call("get", "/api/v1/runs/1", None).await;
    assert_eq!(
        run["errors"][0]["anchor"],
        anchor.as_str(),
        "{status} {run}"
    );

    world.emulator.set_knobs(Knobs::default());
    let retry = format!("/api/v1/items/{anchor}/retry");
    let (status, body) = api.call("post", &retry, None).await;
    assert_eq!((status, &body["state"]), (200, &"pending".into()), "{body}");
    let (status, body) = api.call("post", &retry, None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &"conflict".into()),
        "{body}"
    );
    api.drain().await;
    let (_, item) = api
        .call("get", &format!("/api/v1/items/{anchor}"), None)
        .await;
    assert_eq!(item["state"], "done", "{item}");
    assert_eq!(world.emulator.users().len(), 1);
}

/// 20 guests, then 10 leave the source: the brake holds the run.
async fn held_world() -> (World, Api, i64) {
    let rows = rows(20);
    let world = World::start(Knobs::default(), Vec::new(), &rows).await;
    world.sync_once().await;
    world.set_rows(&rows[..10]).await;
    let api = Api::start(&world).await;
    let (status, body) = api.call("post", "/api/v1/cycles", None).await;
    assert_eq!((status, &body["outcome"]), (200, &"held".into()), "{body}");
    assert_eq!(body["held_disables"], 10);
    let run_id = body["run_id"].as_i64().unwrap();
    let (_, run) = api
        .call("get", &format!("/api/v1/runs/{run_id}"), None)
        .await;
    assert_eq!(run["held"], "waiting", "{run}");
    (world, api, run_id)
}

#[tokio::test]
async fn a_held_run_is_approved_through_the_api() {
    let (world, api, run_id) = held_world().await;
    let approve = format!("/api/v1/runs/{run_id}/approve");
    let (status, body) = api.call("post", &approve, None).await;
    assert_eq!((status, &body["queued"]), (200, &10.into()), "{body}");
    assert_eq!(api.call("post", &approve, None).await.0, 409);
    api.drain().await;
    let disabled = world.disabled_users();
    assert_eq!(disabled, 10);
    let ready = api.ready().await.1;
    let checks: Vec<&str> = ready["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for name in ["held_runs", "quarantine", "paused", "leader"] {
        assert!(checks.contains(&name), "{ready}");
    }
}

#[tokio::test]
async fn a_held_run_is_rejected_through_the_api() {
    let (world, api, run_id) = held_world().await;
    let (status, body) = api
        .call("post", &format!("/api/v1/runs/{run_id}/reject"), None)
        .await;
    assert_eq!((status, &body["held"]), (200, &"rejected".into()), "{body}");
    assert_eq!(
        api.call("post", &format!("/api/v1/runs/{run_id}/approve"), None)
            .await
            .0,
        409
    );
    api.drain().await;
    assert!(
        world
            .emulator
            .users()
            .iter()
            .all(|u| u["accountEnabled"] == true)
    );
}
