//! Renders [`PageData`] as one self-contained HTML document: inline style, inline SVG charts,
//! a few lines of script for the admin buttons. Every value from outside goes through
//! [`escape`]; the page holds anchors, counts, codes and request-ids only.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::assets::{SCRIPT, STYLE};
use super::data::{DeadRow, PageData, RunRow};
use super::escape::escape;
use super::sections;
use crate::http::ready::Status;

/// The whole page.
pub fn render(data: &PageData) -> String {
    let mut out = String::with_capacity(32 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>guestsync status</title>\
         <style>{STYLE}</style></head><body>"
    );
    header(&mut out, data);
    readiness(&mut out, data);
    runs(&mut out, data);
    out.push_str(&sections::queue(data));
    out.push_str(&sections::throttling(data));
    out.push_str(&sections::funnel(data));
    dead(&mut out, data);
    admin(&mut out);
    let _ = write!(out, "<script>{SCRIPT}</script></body></html>");
    out
}

/// A time as people read it, in UTC.
pub fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn header(out: &mut String, data: &PageData) {
    let (class, word) = match data.readiness.status {
        Status::Ok => ("ok", "ready"),
        Status::Fail => ("fail", "not ready"),
    };
    let _ = write!(
        out,
        r#"<h1>guestsync <span id="state" class="badge {class}">{word}</span></h1><p class="muted">page made {}</p>"#,
        when(data.now)
    );
}

fn readiness(out: &mut String, data: &PageData) {
    out.push_str(r#"<h2>Readiness</h2><table id="checks"><tr><th>check</th><th>status</th><th>detail</th></tr>"#);
    for check in &data.readiness.checks {
        let (class, word) = match check.status {
            Status::Ok => ("ok", "ok"),
            Status::Fail => ("fail", "fail"),
        };
        let _ = write!(
            out,
            r#"<tr><td>{}</td><td class="{class}">{word}</td><td>{}</td></tr>"#,
            escape(check.name),
            escape(check.detail.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table>");
}

fn runs(out: &mut String, data: &PageData) {
    out.push_str(r#"<h2>Last runs</h2>"#);
    let runs = match &data.runs {
        Ok(runs) if runs.is_empty() => return out.push_str("<p>No run yet.</p>"),
        Ok(runs) => runs,
        Err(error) => return note(out, "runs", error),
    };
    out.push_str(&sections::runs_chart(runs));
    out.push_str(
        r#"<table id="runs"><tr><th>run</th><th>kind</th><th>started</th><th>outcome</th><th>read</th><th>rejected</th><th>invites</th><th>updates</th><th>disables</th><th>errors</th><th></th></tr>"#,
    );
    for run in runs.iter().rev() {
        run_row(out, run);
    }
    out.push_str("</table>");
}

fn run_row(out: &mut String, run: &RunRow) {
    let id = run.id;
    let _ = write!(
        out,
        r#"<tr data-run="{id}"><td>{id}</td><td>{}</td><td>{}</td><td class="{o}" title="{}">{o}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td>"#,
        escape(&run.kind),
        when(run.started_at),
        escape(run.failure.as_deref().unwrap_or("")),
        run.read,
        run.rejected,
        run.invites,
        run.updates,
        run.disables,
        run.errors,
        o = run.outcome,
    );
    if run.waiting {
        let _ = write!(
            out,
            r#"<button type="button" data-path="/api/v1/runs/{id}/approve" data-label="approve run {id}">approve</button><button type="button" data-path="/api/v1/runs/{id}/reject" data-label="reject run {id}">reject</button>"#
        );
    }
    out.push_str("</td></tr>");
}

fn dead(out: &mut String, data: &PageData) {
    out.push_str("<h2>Recent dead items</h2>");
    let rows = match &data.dead {
        Ok(rows) if rows.is_empty() => return out.push_str("<p>No dead item.</p>"),
        Ok(rows) => rows,
        Err(error) => return note(out, "dead items", error),
    };
    out.push_str(
        r#"<table id="dead"><tr><th>anchor</th><th>action</th><th>Graph error</th><th>status</th><th>request-id</th><th>since</th><th></th></tr>"#,
    );
    for row in rows {
        dead_row(out, row);
    }
    out.push_str("</table>");
}

fn dead_row(out: &mut String, row: &DeadRow) {
    let anchor = escape(&row.anchor);
    let path = escape(&format!(
        "/api/v1/items/{}/retry",
        path_segment(&row.anchor)
    ));
    let _ = write!(
        out,
        r#"<tr><td>{anchor}</td><td>{}</td><td class="dead">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td><button type="button" data-path="{path}" data-label="retry {anchor}">retry</button></td></tr>"#,
        escape(&row.action),
        escape(&row.code),
        row.status.map(|s| s.to_string()).unwrap_or_default(),
        escape(row.request_id.as_deref().unwrap_or("-")),
        when(row.at),
    );
}

fn admin(out: &mut String) {
    out.push_str(
        r#"<h2>Actions</h2><form class="admin" autocomplete="off"><label>Admin token <input id="admin-token" type="password" autocomplete="off"></label><button type="button" data-path="/api/v1/cycles" data-label="cycle now">cycle now</button><button type="button" data-path="/api/v1/pause" data-label="pause">pause</button><button type="button" data-path="/api/v1/resume" data-label="resume">resume</button> <output id="admin-result" class="muted"></output><p class="muted">The buttons call the admin API with this token; it is sent only with them and never stored.</p></form>"#,
    );
}

fn note(out: &mut String, what: &str, error: &str) {
    let _ = write!(
        out,
        r#"<p class="fail">Cannot read the {}: {}</p>"#,
        escape(what),
        escape(error)
    );
}

/// `text` percent-encoded for one URL path segment (unreserved characters kept).
fn path_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::http::ready::{Check, Readiness};

    #[test]
    fn values_from_outside_are_escaped_everywhere() {
        let evil = r#"<script>alert("x")</script>"#;
        let at = DateTime::UNIX_EPOCH;
        let data = PageData {
            now: at,
            readiness: Readiness {
                status: Status::Fail,
                checks: vec![Check {
                    name: "store",
                    status: Status::Fail,
                    detail: Some(evil.into()),
                }],
            },
            runs: Ok(vec![RunRow {
                id: 7,
                kind: evil.into(),
                started_at: at,
                outcome: "failed",
                failure: Some(evil.into()),
                read: 1,
                rejected: 0,
                invites: 0,
                updates: 0,
                disables: 0,
                errors: 0,
                waiting: true,
            }]),
            queue: Err(evil.into()),
            dead: Ok(vec![DeadRow {
                anchor: evil.into(),
                action: evil.into(),
                code: evil.into(),
                status: Some(400),
                request_id: Some(evil.into()),
                at,
            }]),
            throttle: Vec::new(),
            funnel: Err(evil.into()),
        };
        let html = render(&data);
        assert!(!html.contains("<script>alert"), "{html}");
        assert_eq!(
            html.matches("<script>").count(),
            1,
            "only the page's own script"
        );
        assert!(html.contains("/api/v1/runs/7/approve") && html.contains("/api/v1/runs/7/reject"));
        for action in ["/api/v1/cycles", "/api/v1/pause", "/api/v1/resume"] {
            assert!(
                html.contains(&format!(r#"data-path="{action}""#)),
                "{action}"
            );
        }
        assert!(
            html.contains("/api/v1/items/%3Cscript%3Ealert"),
            "anchor encoded in the path"
        );
    }

    #[test]
    fn anchors_are_one_path_segment() {
        assert_eq!(path_segment("P-1_a.b~"), "P-1_a.b~");
        assert_eq!(path_segment("a/b c?d#"), "a%2Fb%20c%3Fd%23");
    }
}
