//! The OpenAPI document describes exactly the routes the router serves (both ways), every
//! `$ref` in it resolves, and it is served without a token.

use std::collections::BTreeSet;

use guestsync::emulator::Knobs;
use guestsync::http::api::openapi::DOCUMENT;
use guestsync::http::api::{OPENAPI_PATH, routes};
use serde_json::Value;

use super::Api;
use crate::support::world::World;

fn document() -> Value {
    serde_json::from_str(DOCUMENT).unwrap()
}

#[test]
fn every_route_is_documented_and_every_documented_route_is_served() {
    let doc = document();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |method| (method.clone(), path.clone()))
        })
        .collect();
    let served: BTreeSet<(String, String)> = routes()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(routes().len(), served.len(), "a route is listed twice");
    assert_eq!(documented, served);
}

fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn the_document_is_openapi_3_with_resolvable_refs_and_bearer_auth() {
    let doc = document();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(doc["security"][0]["bearer"], Value::Array(vec![]));
    let mut found = Vec::new();
    refs(&doc, &mut found);
    assert!(!found.is_empty());
    for r in found {
        let pointer = r.strip_prefix('#').unwrap();
        assert!(doc.pointer(pointer).is_some(), "unresolved {r}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["operationId"].is_string(), "{method} {path}");
            if path != OPENAPI_PATH {
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {path} lacks 401"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_document_is_served_without_a_token() {
    let world = World::start(Knobs::default(), Vec::new(), &[]).await;
    let api = Api::start(&world).await;
    let (status, body) = api.send("get", OPENAPI_PATH, None, None).await;
    assert_eq!(status, 200);
    assert_eq!(body, document());
}
