//! Every route but the OpenAPI document answers 401 with `WWW-Authenticate: Bearer` without the
//! token or with a wrong one, and works with it; without a configured token the API is off.

use guestsync::emulator::Knobs;
use guestsync::http::api::{OPENAPI_PATH, routes};

use super::Api;
use crate::http::rows;
use crate::support::world::World;

fn concrete(path: &str) -> String {
    path.replace("{run_id}", "1").replace("{anchor}", "p00001")
}

#[tokio::test]
async fn every_endpoint_is_401_without_the_token_and_answers_with_it() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    let api = Api::start(&world).await;
    for (method, path) in routes() {
        let path = concrete(path);
        if path == OPENAPI_PATH {
            assert_eq!(api.send(method, &path, None, None).await.0, 200);
            continue;
        }
        for token in [None, Some("wrong-token-wrong-token")] {
            let response = api
                .client
                .request(
                    reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                    format!("{}{path}", api.base),
                )
                .bearer_auth(token.unwrap_or(""))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 401, "{method} {path} {token:?}");
            assert_eq!(
                response.headers()["www-authenticate"],
                "Bearer",
                "{method} {path}"
            );
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthorized", "{body}");
        }
        let (status, body) = api.call(method, &path, None).await;
        assert!(
            [200, 404, 409].contains(&status),
            "{method} {path} with the token: {status} {body}"
        );
        if status != 200 {
            assert!(body["error"]["code"].is_string(), "{body}");
            assert!(body["error"]["message"].is_string(), "{body}");
        }
    }
}

#[tokio::test]
async fn the_api_is_off_without_a_configured_token() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(1)).await;
    let settings = world.settings();
    assert!(settings.http.admin_token.is_none());
    let parts = world.parts().await;
    let health = guestsync::http::HealthState::new();
    let runner = guestsync::app::http::runner(&settings, &parts, health);
    let app = guestsync::app::http::admin_api(&settings, &parts, runner);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(guestsync::http::serve(
        listener,
        app,
        tokio_util::sync::CancellationToken::new(),
    ));
    for path in ["/api/v1/runs", OPENAPI_PATH, "/api/v1/status"] {
        let status = reqwest::get(format!("{base}{path}"))
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 404, "{path}");
    }
}
