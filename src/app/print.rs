//! What the commands print for people: tables and summaries. Never a secret or redeem URL.

use serde_json::json;

use crate::store::{ItemRecord, RunOutcome, RunRecord};
use crate::sync::{CycleReport, Preview, run_counts};
use crate::worker::DrainReport;

/// `guestsync plan` as a table.
pub fn preview_table(preview: &Preview) {
    let counts = run_counts(preview);
    println!(
        "source rows read: {}   rejected: {}   held: {}",
        counts.read, counts.rejected, counts.held_conflicts
    );
    println!("{:<24} {:<10} DETAIL", "ANCHOR", "ACTION");
    for item in &preview.plan.items {
        let detail = item
            .desired
            .as_ref()
            .map(|d| d.email.to_string())
            .or_else(|| item.action.target_object_id().map(str::to_string))
            .unwrap_or_default();
        println!(
            "{:<24} {:<10} {detail}",
            item.anchor,
            item.action.kind_name()
        );
    }
    for item in &preview.plan.held_disables {
        let kind = item.action.kind_name();
        println!("{:<24} {kind:<10} held by the brake", item.anchor);
    }
    for work in &preview.groups {
        println!(
            "{:<24} {:<10} add {}, remove {}",
            work.queue_key(),
            "members",
            work.add.len(),
            work.remove.len()
        );
    }
    for row in &preview.snapshot.rejected {
        let anchor = row.anchor.as_deref().unwrap_or("(none)");
        println!(
            "{anchor:<24} {:<10} row {}: {}",
            "rejected", row.row_number, row.reason
        );
    }
    for conflict in &preview.snapshot.conflicts {
        println!("{:<24} {:<10} {}", conflict.anchor, "held", conflict.reason);
    }
    for conflict in &preview.plan.conflicts {
        println!("{:<24} {:<10} {}", conflict.anchor, "held", conflict.reason);
    }
    if let crate::plan::BrakeDecision::Held { .. } = &preview.plan.brake {
        println!(
            "the brake would hold {} disables and deletes for an operator",
            preview.plan.held_disables.len()
        );
    }
    println!("cycle phases: {}", preview.phases.summary());
}

/// `guestsync plan --json`.
pub fn preview_json(preview: &Preview) -> serde_json::Value {
    let rejected: Vec<_> = preview
        .snapshot
        .rejected
        .iter()
        .map(|r| json!({"row": r.row_number, "anchor": r.anchor, "reason": r.reason}))
        .collect();
    let held: Vec<_> = preview
        .snapshot
        .conflicts
        .iter()
        .map(|c| json!({"anchor": c.anchor, "email": c.email, "reason": c.reason}))
        .chain(
            preview
                .plan
                .conflicts
                .iter()
                .map(|c| json!({"anchor": c.anchor, "reason": c.reason.to_string()})),
        )
        .collect();
    json!({
        "counts": run_counts(preview),
        "actions": preview.plan.items,
        "held_by_brake": preview.plan.held_disables,
        "groups": preview.groups,
        "rejected": rejected,
        "held": held,
        "phases_seconds": preview.phases.to_json(),
    })
}

/// The end of `guestsync sync --once`.
pub fn cycle_summary(report: &CycleReport, drained: &DrainReport) {
    println!("{}", summary_line(report));
    let states: Vec<String> = drained
        .counts
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    println!("queue: {}", states.join(", "));
    println!("cycle phases: {}", report.phases.summary());
    if report.is_held() {
        println!(
            "the brake held {} disables: `guestsync approve {}` applies them, `guestsync reject {}` discards them",
            report.held_disables, report.run_id, report.run_id
        );
    }
    if drained.dead() > 0 {
        println!(
            "{} items are dead: `guestsync items --state dead` shows why",
            drained.dead()
        );
    }
}

/// The first line of [`cycle_summary`]: every count of the run, the rarer ones only when not
/// zero, so the outcomes add up to the rows read.
fn summary_line(report: &CycleReport) -> String {
    let c = &report.counts;
    let mut line = format!(
        "run {}: read {}, rejected {}, held {}, invited {}, adopted {}, updated {}, enabled {}, disabled {}, re-invited {}, unchanged {}",
        report.run_id,
        c.read,
        c.rejected,
        c.held_conflicts,
        c.invites,
        c.adopts,
        c.updates,
        c.enables,
        c.disables,
        c.reinvites,
        c.unchanged
    );
    let rarer = [
        ("deleted", c.deletes),
        ("renewed", c.renewals),
        ("restored", c.restores),
        ("e-mail changed", c.email_changes),
        ("out of scope", report.out_of_scope),
        ("waiting for replication", report.waiting_for_replication),
    ];
    for (what, n) in rarer.into_iter().filter(|(_, n)| *n > 0) {
        line.push_str(&format!(", {what} {n}"));
    }
    line
}

/// `guestsync runs`; `dead` counts the dead items each run planned.
pub fn runs_table(runs: &[RunRecord], dead: &std::collections::BTreeMap<i64, u64>) {
    println!(
        "{:>5} {:<20} {:<10} {:>6} {:>8} {:>5} {:>7} {:>7} {:>8} {:>7} {:>8} {:>6}",
        "RUN",
        "STARTED",
        "OUTCOME",
        "READ",
        "REJECTED",
        "HELD",
        "INVITED",
        "UPDATED",
        "DISABLED",
        "PENDING",
        "ACCEPTED",
        "FAILED"
    );
    for run in runs {
        let c = &run.counts;
        println!(
            "{:>5} {:<20} {:<10} {:>6} {:>8} {:>5} {:>7} {:>7} {:>8} {:>7} {:>8} {:>6}",
            run.id,
            run.started_at.format("%Y-%m-%d %H:%M:%S"),
            outcome_label(run),
            c.read,
            c.rejected,
            c.held_conflicts,
            c.invites + c.reinvites,
            c.updates + c.adopts + c.enables,
            c.disables,
            c.pending_acceptance,
            c.accepted,
            dead.get(&run.id).copied().unwrap_or(0),
        );
    }
}

fn outcome_label(run: &RunRecord) -> String {
    match (&run.outcome, run.held) {
        (_, Some(_)) if run.superseded_by.is_some() => "held:superseded".into(),
        (_, Some(held)) => format!("held:{}", held.as_str()),
        (Some(RunOutcome::Succeeded), _) => "succeeded".into(),
        (Some(RunOutcome::Failed(_)), _) => "failed".into(),
        (Some(RunOutcome::Held), _) => "held".into(),
        (None, _) => "running".into(),
    }
}

/// `guestsync items`.
pub fn items_table(items: &[ItemRecord]) {
    println!(
        "{:<24} {:<9} {:<8} {:>8} LAST ERROR",
        "ANCHOR", "ACTION", "STATE", "ATTEMPTS"
    );
    for item in items {
        let error = item
            .last_error
            .as_ref()
            .map(|e| {
                let request = e.request_id.as_deref().unwrap_or("-");
                format!(
                    "{} {}: {} (request-id {request})",
                    e.status.map(|s| s.to_string()).unwrap_or_default(),
                    e.code,
                    e.message
                )
            })
            .unwrap_or_default();
        println!(
            "{:<24} {:<9} {:<8} {:>8} {error}",
            item.anchor, item.action, item.state, item.attempts
        );
    }
}

/// The line `guestsync items` starts with: owned guests by redemption state, and the
/// invitation mails guestsync sends itself by state.
pub fn redemption_summary(
    guests: &std::collections::BTreeMap<crate::store::RedemptionState, u64>,
    mails: &std::collections::BTreeMap<crate::store::MailState, u64>,
) {
    let guests: Vec<String> = guests.iter().map(|(s, n)| format!("{s} {n}")).collect();
    println!("guests by redemption: {}", guests.join(", "));
    if mails.values().any(|n| *n > 0) {
        let mails: Vec<String> = mails
            .iter()
            .map(|(s, n)| format!("{} {n}", s.as_str()))
            .collect();
        println!("invitation mails: {}", mails.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::RunCounts;

    fn report(counts: RunCounts) -> CycleReport {
        CycleReport {
            run_id: 7,
            outcome: RunOutcome::Succeeded,
            counts,
            held_disables: 0,
            redemption: Default::default(),
            phases: Default::default(),
            waiting_for_replication: 0,
            out_of_scope: 0,
        }
    }

    #[test]
    fn the_summary_names_the_rarer_outcomes_only_when_they_happened() {
        let counts = RunCounts {
            read: 301,
            invites: 22,
            unchanged: 279,
            ..RunCounts::default()
        };
        let quiet = summary_line(&report(counts.clone()));
        assert!(quiet.ends_with("re-invited 0, unchanged 279"), "{quiet}");
        let line = summary_line(&CycleReport {
            waiting_for_replication: 4,
            out_of_scope: 2,
            ..report(RunCounts {
                restores: 1,
                ..counts
            })
        });
        assert!(
            line.ends_with("unchanged 279, restored 1, out of scope 2, waiting for replication 4"),
            "{line}"
        );
    }
}
