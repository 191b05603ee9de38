//! The opt-in fault knobs: cut, lost, malformed and huge answers per route, and 429 storms with
//! a fixed, zero or missing `Retry-After`; also settable through `PUT /_emulator/knobs`.

use guestsync::emulator::{AnswerFault, AnswerFaultKind, Knobs, RetryAfterMode, Storm};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::harness::Emu;

fn invite(address: &str) -> Value {
    json!({"invitedUserEmailAddress": address, "inviteRedirectUrl": "https://myapps.microsoft.com"})
}

fn fault(kind: AnswerFaultKind, route: &str) -> Knobs {
    Knobs {
        answer_fault: Some(AnswerFault::on(kind, &[route], Some(1))),
        ..Knobs::default()
    }
}

/// Sends a raw request; returns the status and the body as far as it could be read.
async fn raw(
    emu: &Emu,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Result<Vec<u8>, reqwest::Error>) {
    let url = format!("{}{path}", emu.handle.base_url());
    let mut request = emu.http.request(method, url).bearer_auth(&emu.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.map(|b| b.to_vec()))
}

#[tokio::test]
async fn lost_response_applies_the_invitation_then_answers_504_and_only_once() {
    let emu = Emu::default().await;
    emu.knobs(fault(AnswerFaultKind::LostResponse, "POST /invitations"));
    let (status, body) = emu
        .post("/invitations", invite("lost@partner.example"))
        .await;
    assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{body}");
    assert_eq!(body["error"]["code"], "GatewayTimeout");
    assert_eq!(emu.handle.users().len(), 1, "the write was not applied");

    let (status, body) = emu
        .post("/invitations", invite("lost@partner.example"))
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "max_hits 1 was not honoured: {body}"
    );
    assert_eq!(body["invitedUser"]["id"], emu.handle.users()[0]["id"]);
    assert_eq!(emu.handle.users().len(), 1);
    assert_eq!(emu.handle.counters().answer_faults, 1);
}

#[tokio::test]
async fn cut_body_sends_the_status_then_breaks_the_body() {
    let emu = Emu::default().await;
    emu.knobs(fault(AnswerFaultKind::CutBody, "POST /invitations"));
    let (status, body) = raw(
        &emu,
        Method::POST,
        "/invitations",
        Some(invite("cut@partner.example")),
    )
    .await;
    assert_eq!(status, 201);
    assert!(body.is_err(), "the body arrived whole");
    assert_eq!(emu.handle.users().len(), 1, "the write was not applied");
}

#[tokio::test]
async fn malformed_answers_hit_only_the_chosen_route() {
    let emu = Emu::default().await;
    emu.post("/invitations", invite("m@partner.example")).await;

    emu.knobs(fault(AnswerFaultKind::InvalidJson, "GET /users"));
    let (_, body) = raw(&emu, Method::GET, "/users", None).await;
    assert!(serde_json::from_slice::<Value>(&body.unwrap()).is_err());

    emu.knobs(fault(AnswerFaultKind::WrongTypes, "GET /users"));
    let (_, body) = emu.get("/users?$select=id,mail").await;
    assert_eq!(body["value"][0]["id"], 42, "{body}");
    assert_eq!(body["value"][0]["mail"], 42, "{body}");

    emu.knobs(fault(AnswerFaultKind::MissingFields, "POST /invitations"));
    let (status, body) = emu.post("/invitations", invite("n@partner.example")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body["invitedUser"].get("id").is_none(), "{body}");
    assert!(body.get("inviteRedeemUrl").is_none(), "{body}");
    let (_, users) = emu.get("/users").await;
    assert!(users["value"].is_array(), "another route was hit: {users}");
    assert_eq!(emu.handle.counters().answer_faults, 3);
}

#[tokio::test]
async fn huge_body_is_valid_json_of_the_asked_size() {
    let emu = Emu::default().await;
    emu.knobs(fault(AnswerFaultKind::HugeBody { mb: 3 }, "GET /users"));
    let (status, body) = raw(&emu, Method::GET, "/users", None).await;
    let body = body.unwrap();
    assert_eq!(status, 200);
    assert!(body.len() >= 3 * 1024 * 1024, "{}", body.len());
    let page: Value = serde_json::from_slice(&body).unwrap();
    assert!(page["value"].is_array());
}

#[tokio::test]
async fn a_storm_throttles_everything_for_its_duration_with_the_chosen_retry_after() {
    for (mode, header) in [
        (RetryAfterMode::Fixed(30), Some("30")),
        (RetryAfterMode::Fixed(1), Some("1")),
        (RetryAfterMode::Zero, Some("0")),
        (RetryAfterMode::Missing, None),
    ] {
        let emu = Emu::default().await;
        emu.knobs(Knobs {
            storm: Some(Storm {
                duration_ms: 60_000,
                retry_after: mode,
            }),
            ..Knobs::default()
        });
        let (status, headers, body) = emu.send(Method::GET, "/users", None).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{mode:?}");
        assert_eq!(body["error"]["code"], "TooManyRequests");
        let got = headers.get("retry-after").map(|v| v.to_str().unwrap());
        assert_eq!(got, header, "{mode:?}");
        let (status, _) = emu.post("/invitations", invite("s@partner.example")).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{mode:?}");
        let c = emu.handle.counters();
        assert_eq!(c.storm_throttled, 2, "{mode:?}");
        // The write came inside the read's announced window (only when one was announced).
        let announced = matches!(mode, RetryAfterMode::Fixed(_));
        assert_eq!(c.during_any_retry_after, u64::from(announced), "{mode:?}");
        assert!(emu.handle.users().is_empty());
    }
}

#[tokio::test]
async fn a_storm_ends_and_the_knobs_are_settable_over_http() {
    let emu = Emu::default().await;
    let control = format!("{}/_emulator/knobs", emu.handle.authority_url());
    let knobs = json!({
        "storm": {"duration_ms": 300, "retry_after": "Zero"},
        "answer_fault": {"kind": {"HugeBody": {"mb": 1}}, "rate": 1.0, "routes": ["GET /users/{id}"], "max_hits": 2}
    });
    let put = emu.http.put(&control).json(&knobs).send().await.unwrap();
    assert_eq!(put.status(), StatusCode::NO_CONTENT);
    let back: Value = emu
        .http
        .get(&control)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(back["storm"], knobs["storm"]);
    assert_eq!(back["answer_fault"], knobs["answer_fault"]);
    let (status, _) = emu.get("/users").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (status, _) = emu.get("/users").await;
        if status == StatusCode::OK {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the storm never ended"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[test]
fn every_fault_knob_is_off_by_default() {
    let knobs = Knobs::default();
    assert!(knobs.answer_fault.is_none() && knobs.storm.is_none());
    let parsed: Knobs = serde_json::from_value(json!({})).unwrap();
    assert!(parsed.answer_fault.is_none() && parsed.storm.is_none());
}
