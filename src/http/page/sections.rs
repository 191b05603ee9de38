//! The chart sections of the page: runs, queue by state, throttling over time and the
//! redemption funnel, each as a heading, an inline SVG and a line of figures.

use std::fmt::Write as _;

use super::data::{PageData, RunRow};
use super::escape::escape;
use super::html::when;
use super::svg::{Series, grouped_bars, hbars, strips};
use crate::store::ItemState;

/// Invites, updates, disables and errors per run, oldest run first.
pub fn runs_chart(runs: &[RunRow]) -> String {
    let labels: Vec<String> = runs.iter().map(|r| format!("#{}", r.id)).collect();
    let series = [
        series("invites", "#1f77b4", runs.iter().map(|r| r.invites)),
        series("updates", "#2ca02c", runs.iter().map(|r| r.updates)),
        series("disables", "#ff7f0e", runs.iter().map(|r| r.disables)),
        series("errors", "#d62728", runs.iter().map(|r| r.errors)),
    ];
    format!(
        r#"<div id="runs-chart">{}</div>"#,
        grouped_bars(
            "invites, updates, disables and errors per run",
            &labels,
            &series
        )
    )
}

/// Queue items by state.
pub fn queue(data: &PageData) -> String {
    let mut out = String::from("<h2>Queue</h2>");
    match &data.queue {
        Ok(counts) => {
            let rows: Vec<(&str, u64, &str)> = ItemState::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str(),
                        counts.get(s).copied().unwrap_or(0),
                        state_color(*s),
                    )
                })
                .collect();
            let _ = write!(
                out,
                r#"<div id="queue">{}</div>"#,
                hbars("items by state", &rows)
            );
        }
        Err(error) => {
            let _ = write!(
                out,
                r#"<p class="fail">Cannot read the queue: {}</p>"#,
                escape(error)
            );
        }
    }
    out
}

/// Writes and 429s per sample interval and the pause in force, over the kept samples.
pub fn throttling(data: &PageData) -> String {
    let mut out = String::from("<h2>Throttling</h2>");
    let samples = &data.throttle;
    if samples.len() < 2 {
        out.push_str(r#"<p id="throttling">Not enough samples yet (one every gauge refresh).</p>"#);
        return out;
    }
    let deltas = || samples.windows(2).map(|w| (w[0].tally, w[1].tally));
    let series = [
        series(
            "writes",
            "#1f77b4",
            deltas().map(|(a, b)| b.writes.saturating_sub(a.writes)),
        ),
        series(
            "429s",
            "#d62728",
            deltas().map(|(a, b)| b.pauses.saturating_sub(a.pauses)),
        ),
        Series {
            name: "pause seconds",
            color: "#ff7f0e",
            values: samples.iter().skip(1).map(|s| s.pause_seconds).collect(),
        },
    ];
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    let _ = write!(
        out,
        r#"<div id="throttling">{}</div><p class="muted">{} to {}: {} writes, {} reads, {} 429s; pause now {:.0} s</p>"#,
        strips("throttling over time", &series),
        when(first.at),
        when(last.at),
        last.tally.writes.saturating_sub(first.tally.writes),
        last.tally.reads.saturating_sub(first.tally.reads),
        last.tally.pauses.saturating_sub(first.tally.pauses),
        last.pause_seconds,
    );
    out
}

/// Invited → pending → accepted, as the state store holds the owned guests.
pub fn funnel(data: &PageData) -> String {
    let mut out = String::from("<h2>Redemption</h2>");
    let c = match &data.funnel {
        Ok(counts) if counts.owned == 0 => {
            out.push_str(r#"<p id="funnel">guestsync owns no guest yet.</p>"#);
            return out;
        }
        Ok(counts) => *counts,
        Err(error) => {
            let _ = write!(
                out,
                r#"<p id="funnel" class="fail">Cannot read the redemption counts: {}</p>"#,
                escape(error)
            );
            return out;
        }
    };
    let rows = [
        ("invited", c.invited, "#1f77b4"),
        ("pending acceptance", c.pending, "#ff7f0e"),
        ("accepted", c.accepted, "#2ca02c"),
    ];
    let _ = write!(
        out,
        r#"<div id="funnel">{}</div><p class="muted">{} owned guests ({} adopted), as each cycle recorded what Graph reports</p>"#,
        hbars("redemption funnel", &rows),
        c.owned,
        c.owned.saturating_sub(c.invited),
    );
    out
}

fn series<'a>(name: &'a str, color: &'a str, values: impl Iterator<Item = u64>) -> Series<'a> {
    Series {
        name,
        color,
        values: values.map(|v| v as f64).collect(),
    }
}

fn state_color(state: ItemState) -> &'static str {
    match state {
        ItemState::Pending => "#1f77b4",
        ItemState::Running => "#ff7f0e",
        ItemState::Done => "#2ca02c",
        ItemState::Held => "#b26a00",
        ItemState::Dead => "#d62728",
    }
}
