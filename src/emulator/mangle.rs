//! The answer-fault knob at work: whether a top-level answer is hit (route, rate, limit, 2xx
//! only) and what goes on the wire instead: a cut body, a 504 after the write, wrong JSON types,
//! missing fields, invalid JSON or a padded, huge body.

use axum::body::{Body, Bytes};
use axum::response::Response;
use futures::StreamExt;
use rand::Rng;
use serde_json::{Map, Value, json};

use super::config::AnswerFaultKind;
use super::exchange::{GraphRequest, GraphResponse};
use super::pipeline::stamp;
use super::router::template;
use super::server::{encode, encode_bytes};
use super::state::Shared;

/// The fault to apply to `answer`, if the knob hits it (and counts the hit).
pub(crate) fn pick(
    shared: &Shared,
    req: &GraphRequest,
    answer: &GraphResponse,
) -> Option<AnswerFaultKind> {
    if !(200..300).contains(&answer.status) {
        return None;
    }
    let mut inner = shared.lock();
    let fault = inner.knobs.answer_fault.clone()?;
    let route = template(req);
    if !fault.routes.is_empty() && !fault.routes.contains(&route) {
        return None;
    }
    let needs_body = fault.kind != AnswerFaultKind::LostResponse;
    if needs_body && answer.body.is_none() {
        return None;
    }
    if fault
        .max_hits
        .is_some_and(|max| inner.answer_fault_hits >= max)
    {
        return None;
    }
    let rate = fault.rate.clamp(0.0, 1.0);
    if rate < 1.0 && inner.rng.random::<f64>() >= rate {
        return None;
    }
    inner.answer_fault_hits += 1;
    inner.counters.answer_faults += 1;
    Some(fault.kind)
}

/// What goes on the wire for `answer` hit by `kind`.
pub(crate) fn respond(
    shared: &Shared,
    req: &GraphRequest,
    kind: AnswerFaultKind,
    mut answer: GraphResponse,
) -> Response {
    match kind {
        AnswerFaultKind::LostResponse => {
            let mut lost = GraphResponse::error(
                504,
                "GatewayTimeout",
                "The gateway timed out waiting for the backend. (injected fault)",
            );
            stamp(shared, req, &mut lost);
            encode(lost)
        }
        AnswerFaultKind::WrongTypes => {
            answer.body = answer.body.take().map(wrong_types);
            encode(answer)
        }
        AnswerFaultKind::MissingFields => {
            answer.body = answer.body.take().map(strip_required);
            encode(answer)
        }
        AnswerFaultKind::EmptyObject => {
            answer.body = Some(json!({}));
            encode(answer)
        }
        AnswerFaultKind::HugeBody { mb } => {
            answer.body = answer.body.take().map(|b| pad(b, mb));
            encode(answer)
        }
        AnswerFaultKind::InvalidJson => {
            let text = body_text(&answer);
            let half = text.len() / 2;
            let cut = Bytes::copy_from_slice(&text.as_bytes()[..half]);
            encode_bytes(answer.status, &answer.headers, Body::from(cut), Some(half))
        }
        AnswerFaultKind::CutBody => {
            let text = body_text(&answer);
            let full = text.len();
            let first = Bytes::copy_from_slice(&text.as_bytes()[..full / 2]);
            // The pause lets the server flush the headers and the first half before the error
            // closes the connection (without it, nothing at all would reach the client).
            let cut = futures::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Err::<Bytes, _>(std::io::Error::other("connection cut by the emulator"))
            });
            let body = Body::from_stream(futures::stream::iter([Ok(first)]).chain(cut));
            encode_bytes(answer.status, &answer.headers, body, Some(full))
        }
    }
}

fn body_text(answer: &GraphResponse) -> String {
    answer
        .body
        .as_ref()
        .map(Value::to_string)
        .unwrap_or_default()
}

/// Every value replaced by one of another type.
fn wrong_types(value: Value) -> Value {
    match value {
        Value::String(_) => json!(42),
        Value::Number(_) | Value::Bool(_) => json!("not-the-right-type"),
        Value::Null => json!(7),
        Value::Array(items) if items.is_empty() => json!({}),
        Value::Array(items) => Value::Array(items.into_iter().map(wrong_types).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, wrong_types(v)))
                .collect::<Map<String, Value>>(),
        ),
    }
}

/// `id` and `inviteRedeemUrl` removed at every depth.
fn strip_required(value: Value) -> Value {
    const REQUIRED: &[&str] = &["id", "inviteRedeemUrl"];
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(strip_required).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .filter(|(k, _)| !REQUIRED.contains(&k.as_str()))
                .map(|(k, v)| (k, strip_required(v)))
                .collect(),
        ),
        other => other,
    }
}

/// The body with a padding member that makes it about `mb` MiB long.
fn pad(value: Value, mb: u32) -> Value {
    let target = usize::try_from(mb).unwrap_or(usize::MAX / 2) * 1024 * 1024;
    let len = value.to_string().len();
    let filler = "x".repeat(target.saturating_sub(len));
    match value {
        Value::Object(mut map) => {
            map.insert("@emulator.padding".into(), Value::String(filler));
            Value::Object(map)
        }
        other => json!({"@emulator.padding": filler, "@emulator.body": other}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_changes_every_leaf() {
        let v = wrong_types(json!({"id": "a", "n": 1, "ok": true, "list": [], "x": null}));
        assert_eq!(
            v,
            json!({"id": 42, "n": "not-the-right-type", "ok": "not-the-right-type", "list": {}, "x": 7})
        );
    }

    #[test]
    fn strip_removes_ids_at_every_depth() {
        let v = strip_required(json!({"id": "i", "inviteRedeemUrl": "u",
            "invitedUser": {"id": "u", "userPrincipalName": "p"}, "value": [{"id": "x", "mail": "m"}]}));
        assert_eq!(
            v,
            json!({"invitedUser": {"userPrincipalName": "p"}, "value": [{"mail": "m"}]})
        );
    }

    #[test]
    fn pad_reaches_the_size() {
        let v = pad(json!({"a": 1}), 2);
        let len = v.to_string().len();
        assert!(
            (2 * 1024 * 1024..2 * 1024 * 1024 + 64).contains(&len),
            "{len}"
        );
    }
}
