//! Throttle, `Retry-After` windows, faults, replication lag and `$batch`.

use guestsync::emulator::{Budget, Knobs, RetryAfterMode, SeedUser};
use reqwest::StatusCode;
use serde_json::json;

use super::harness::{Emu, code};

fn one_write() -> Knobs {
    Knobs {
        write_budget: Some(Budget {
            per_second: 0.01,
            burst: 1,
        }),
        ..Knobs::default()
    }
}

/// With a read budget of one, the second `GET /users` is a 429 in `mode`; its headers.
async fn second_read_throttled(emu: &Emu, mode: RetryAfterMode) -> reqwest::header::HeaderMap {
    emu.knobs(Knobs {
        retry_after: mode,
        read_budget: Some(Budget {
            per_second: 0.01,
            burst: 1,
        }),
        ..Knobs::default()
    });
    let _ = emu.get("/users").await;
    let (status, headers, _) = emu.send(reqwest::Method::GET, "/users", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    headers
}

#[tokio::test]
async fn empty_bucket_answers_429_with_retry_after_and_counts_requests_in_the_window() {
    let emu = Emu::default().await;
    let id = emu.handle.add_user(SeedUser::guest("hal@partner.example"));
    emu.knobs(one_write());
    let path = format!("/users/{id}");
    let (status, _, _) = emu
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"jobTitle": "a"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, headers, body) = emu
        .send(
            reqwest::Method::PATCH,
            &path,
            Some(json!({"jobTitle": "b"})),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(code(&body), "TooManyRequests");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    assert_eq!(emu.handle.counters().during_retry_after, 0);
    let _ = emu.patch(&path, json!({"jobTitle": "c"})).await;
    let counters = emu.handle.counters();
    assert_eq!(counters.during_retry_after, 1);
    assert_eq!(counters.throttled, 2);
    assert_eq!(
        emu.get(&path).await.0,
        StatusCode::OK,
        "reads have their own bucket"
    );
    assert_eq!(emu.handle.counters().during_any_retry_after, 2);
}

#[tokio::test]
async fn missing_retry_after_mode_sends_no_header() {
    let emu = Emu::default().await;
    let headers = second_read_throttled(&emu, RetryAfterMode::Missing).await;
    assert!(!headers.contains_key("retry-after"));
    assert_eq!(emu.handle.counters().during_retry_after, 0);
}

#[tokio::test]
async fn http_date_mode_writes_the_window_end_as_a_date_after_the_date_header() {
    let emu = Emu::default().await;
    let headers = second_read_throttled(&emu, RetryAfterMode::HttpDate(30)).await;
    let date = |name: &str| {
        let text = headers[name].to_str().unwrap();
        assert!(text.ends_with(" GMT"), "{name}: {text}");
        chrono::DateTime::parse_from_rfc2822(text).unwrap()
    };
    let ahead = (date("retry-after") - date("date")).num_seconds();
    assert!((30..=31).contains(&ahead), "{ahead}");
}

#[tokio::test]
async fn faults_at_rate_one_answer_5xx() {
    let emu = Emu::default().await;
    emu.knobs(Knobs {
        fault_rate: 1.0,
        fault_seed: 3,
        ..Knobs::default()
    });
    for _ in 0..5 {
        let (status, body) = emu.get("/users").await;
        assert!([500, 503, 504].contains(&status.as_u16()), "{status}");
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }
    assert_eq!(emu.handle.counters().faults_injected, 5);
}

#[tokio::test]
async fn batch_items_are_throttled_individually() {
    let emu = Emu::default().await;
    let id = emu.handle.add_user(SeedUser::guest("ivy@partner.example"));
    emu.knobs(one_write());
    let item = |n: &str| {
        json!({"id": n, "method": "PATCH", "url": format!("/users/{id}"),
        "headers": {"Content-Type": "application/json"}, "body": {"jobTitle": n}})
    };
    let get = json!({"id": "3", "method": "GET", "url": format!("/users/{id}?$select=jobTitle")});
    let dependent =
        json!({"id": "4", "method": "GET", "url": format!("/users/{id}"), "dependsOn": ["2"]});
    let (status, body) = emu
        .post(
            "/$batch",
            json!({"requests": [item("1"), item("2"), get, dependent]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let responses = body["responses"].as_array().unwrap();
    let by_id = |n: &str| responses.iter().find(|r| r["id"] == n).unwrap().clone();
    assert_eq!(by_id("1")["status"], 204);
    assert_eq!(by_id("2")["status"], 429);
    assert!(by_id("2")["headers"]["Retry-After"].is_string());
    assert_eq!(by_id("3")["body"]["jobTitle"], "1");
    assert_eq!(by_id("4")["status"], 424);
}

#[tokio::test]
async fn batch_items_after_a_429_item_are_not_inside_its_window_but_the_next_request_is() {
    let emu = Emu::default().await;
    let id = emu.handle.add_user(SeedUser::guest("ida@partner.example"));
    emu.knobs(one_write());
    let item = |n: &str| {
        json!({"id": n, "method": "PATCH", "url": format!("/users/{id}"),
        "headers": {"Content-Type": "application/json"}, "body": {"jobTitle": n}})
    };
    let (status, body) = emu
        .post(
            "/$batch",
            json!({"requests": [item("1"), item("2"), item("3"), item("4")]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut statuses: Vec<_> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["status"].as_u64().unwrap(),
            )
        })
        .collect();
    statuses.sort();
    let statuses: Vec<u64> = statuses.into_iter().map(|(_, s)| s).collect();
    assert_eq!(statuses, [204, 429, 429, 429]);
    let counters = emu.handle.counters();
    assert_eq!(counters.writes_throttled, 3);
    assert_eq!(
        (counters.during_retry_after, counters.during_any_retry_after),
        (0, 0),
        "the items left with the batch, before any Retry-After was sent"
    );
    let (status, body) = emu.post("/$batch", json!({"requests": [item("5")]})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["responses"][0]["status"], 429);
    assert_eq!(emu.handle.counters().during_retry_after, 1);
}

#[tokio::test]
async fn batch_responses_come_in_another_order_than_the_requests() {
    // graph.md §4: "order may differ — correlate by id". The emulator answers in reverse, so a
    // client that pairs responses by position fails here as it would on Graph.
    let emu = Emu::default().await;
    let get = |n: &str| json!({"id": n, "method": "GET", "url": "/users?$select=id"});
    let (status, body) = emu
        .post(
            "/$batch",
            json!({"requests": [get("a"), get("b"), get("c")]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ids: Vec<&str> = body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["c", "b", "a"]);
}

#[tokio::test]
async fn malformed_batches_are_400() {
    let emu = Emu::default().await;
    let get = |n: String| json!({"id": n, "method": "GET", "url": "/users"});
    let too_many: Vec<_> = (0..21).map(|i| get(i.to_string())).collect();
    let (status, _) = emu.post("/$batch", json!({"requests": too_many})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let dup = json!({"requests": [get("a".into()), get("A".into())]});
    assert_eq!(emu.post("/$batch", dup).await.0, StatusCode::BAD_REQUEST);
    let no_header =
        json!({"requests": [{"id": "1", "method": "POST", "url": "/invitations", "body": {}}]});
    assert_eq!(
        emu.post("/$batch", no_header).await.0,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn replication_lag_hides_a_new_guest_for_a_while() {
    let emu = Emu::default().await;
    emu.knobs(Knobs {
        replication_lag_max_ms: 4000,
        fault_seed: 11,
        ..Knobs::default()
    });
    let invited = emu.invite("jo@partner.example").await;
    let path = format!("/users/{}", invited["invitedUser"]["id"].as_str().unwrap());
    let (status, body) = emu.patch(&path, json!({"jobTitle": "x"})).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::NOT_FOUND, "Request_ResourceNotFound")
    );
    assert_eq!(
        emu.handle.users().len(),
        1,
        "the admin view sees it at once"
    );
    let mut status = StatusCode::NOT_FOUND;
    for _ in 0..150 {
        status = emu.patch(&path, json!({"jobTitle": "x"})).await.0;
        if status != StatusCode::NOT_FOUND {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, StatusCode::NO_CONTENT);
}
