//! Pause and resume (readiness shows `paused`, cycles and claims stop), trigger a cycle now,
//! and on-demand sync of one anchor against the emulator.

use guestsync::emulator::Knobs;
use guestsync::ops::RunnerError;
use guestsync::store::ItemState;
use serde_json::json;

use super::{Api, check};
use crate::http::rows;
use crate::support::world::World;

#[tokio::test]
async fn pause_stops_cycles_and_claims_and_resume_restarts_them() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    let api = Api::start(&world).await;
    api.runner.scheduled().await.unwrap();
    let (status, ready) = api.ready().await;
    assert_eq!(status, 200, "{ready}");

    let (status, body) = api
        .call(
            "post",
            "/api/v1/pause",
            Some(json!({ "reason": "tenant migration" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["paused"]["reason"], "tenant migration");
    let (status, ready) = api.ready().await;
    assert_eq!(status, 503, "{ready}");
    let paused = check(&ready, "paused");
    assert_eq!(paused["status"], "fail");
    assert!(
        paused["detail"]
            .as_str()
            .unwrap()
            .contains("tenant migration"),
        "{ready}"
    );
    assert_eq!(check(&ready, "quarantine")["status"], "ok");

    let (status, body) = api.call("post", "/api/v1/cycles", None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (409, &"conflict".into()),
        "{body}"
    );
    assert!(matches!(
        api.runner.scheduled().await,
        Err(RunnerError::Paused)
    ));
    let worker = api.parts.pool.worker();
    assert!(
        worker.claim("probe", 10).await.unwrap().is_empty(),
        "no claims while paused"
    );
    api.drain().await;
    let pending = api.parts.store.item_counts().await.unwrap()[&ItemState::Pending];
    assert_eq!(pending, 3, "nothing was applied while paused");
    let (status, _) = api.call("post", "/api/v1/anchors/p00001/sync", None).await;
    assert_eq!(status, 409, "no on-demand sync while paused");

    let (status, body) = api.call("post", "/api/v1/resume", None).await;
    assert_eq!(
        (status, &body["paused"]),
        (200, &serde_json::Value::Null),
        "{body}"
    );
    tokio::time::sleep(guestsync::worker::gate::Gate::EVERY).await;
    api.drain().await;
    assert_eq!(world.emulator.users().len(), 3);
    let (_, ready) = api.ready().await;
    assert_eq!(check(&ready, "paused")["status"], "ok", "{ready}");
    let (status, body) = api.call("get", "/api/v1/status", None).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "paused": null, "quarantine": null }));
    assert_eq!(
        api.call("post", "/api/v1/pause", Some(json!({"x": 1})))
            .await
            .0,
        400
    );
}

#[tokio::test]
async fn a_triggered_cycle_runs_now_and_is_recorded() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let api = Api::start(&world).await;
    let (status, body) = api.call("post", "/api/v1/cycles", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["outcome"].as_str(), body["probe"].as_bool()),
        (Some("succeeded"), Some(false))
    );
    let (_, runs) = api.call("get", "/api/v1/runs", None).await;
    assert_eq!(runs.as_array().unwrap().len(), 1);
    assert_eq!(runs[0]["id"], body["run_id"]);
    let (status, ready) = api.ready().await;
    assert_eq!(
        check(&ready, "last_cycle")["status"],
        "ok",
        "{status} {ready}"
    );
}

#[tokio::test]
async fn on_demand_sync_applies_one_anchor_at_once() {
    let all = rows(3);
    let world = World::start(Knobs::default(), Vec::new(), &all).await;
    let api = Api::start(&world).await;
    let anchor = all[1].partner_id.clone().unwrap();
    let (status, body) = api
        .call("post", &format!("/api/v1/anchors/{anchor}/sync"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"], "applied", "{body}");
    assert_eq!(body["action"], "invite");
    assert_eq!(body["item"]["state"], "done");
    assert_eq!(body["attempt"]["outcome"], "succeeded");
    assert_eq!(
        world.emulator.users().len(),
        1,
        "only that anchor was invited"
    );
    assert_eq!(world.users_with_mail(&all[1].email).len(), 1);
    let run_id = body["run_id"].as_i64().unwrap();
    let (_, run) = api
        .call("get", &format!("/api/v1/runs/{run_id}"), None)
        .await;
    assert_eq!(run["kind"], "on_demand", "{run}");

    let (status, again) = api
        .call("post", &format!("/api/v1/anchors/{anchor}/sync"), None)
        .await;
    assert_eq!(
        (status, &again["result"]),
        (200, &"unchanged".into()),
        "{again}"
    );
    let (status, body) = api.call("post", "/api/v1/anchors/nobody/sync", None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (404, &"not_found".into()),
        "{body}"
    );

    let (_, report) = api.call("post", "/api/v1/cycles", None).await;
    assert_eq!(
        report["counts"]["invites"], 2,
        "the full cycle sees the on-demand guest"
    );
}

#[tokio::test]
async fn on_demand_sync_retries_an_item_that_died_and_reports_graphs_error() {
    let all = rows(1);
    let knobs = Knobs {
        invitations_denied: Some(guestsync::emulator::InvitationDenial::MissingPermission),
        ..Knobs::default()
    };
    let world = World::start(knobs, Vec::new(), &all).await;
    let api = Api::start(&world).await;
    let path = format!(
        "/api/v1/anchors/{}/sync",
        all[0].partner_id.clone().unwrap()
    );
    let (status, body) = api.call("post", &path, None).await;
    assert_eq!((status, &body["result"]), (200, &"dead".into()), "{body}");
    assert_eq!(
        body["attempt"]["error"]["code"], "Authorization_RequestDenied",
        "{body}"
    );
    world.emulator.set_knobs(Knobs::default());
    let (status, body) = api.call("post", &path, None).await;
    assert_eq!(
        (status, &body["result"]),
        (200, &"applied".into()),
        "{body}"
    );
    assert_eq!(world.emulator.users().len(), 1);
}
