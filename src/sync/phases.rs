//! How long each phase of a cycle took: source read, tenant read, links read (the state
//! store's links), plan, record. Measured with a monotonic [`Instant`] (elapsed time, never
//! the wall clock), kept on the preview and the cycle report, printed by `sync --once` and
//! `plan`, and exported as the histogram `guestsync_cycle_phase_seconds{phase}`.

use std::time::Duration;

use tokio::time::Instant;

/// One phase of a cycle. The label set is fixed: these five values only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Running the source query, decoding, mapping and validating the rows.
    SourceRead,
    /// Reading the guests (and owned Members, and managed groups) from Graph, each page
    /// decoded into the planner's guests as it arrives.
    TenantRead,
    /// Reading the links from the state store, each converted as it streams in: the planner's
    /// links, the redemption summary of the tenant read, the owned counts.
    LinksRead,
    /// Planning (pure).
    Plan,
    /// Recording the plan, the rejections, the conflicts and the run in the state store.
    Record,
}

impl Phase {
    /// Every phase, in cycle order.
    pub const ALL: [Phase; 5] = [
        Phase::SourceRead,
        Phase::TenantRead,
        Phase::LinksRead,
        Phase::Plan,
        Phase::Record,
    ];

    /// The `phase` label and the name printed for people.
    pub fn label(self) -> &'static str {
        match self {
            Phase::SourceRead => "source_read",
            Phase::TenantRead => "tenant_read",
            Phase::LinksRead => "links_read",
            Phase::Plan => "plan",
            Phase::Record => "record",
        }
    }
}

/// The time each phase of one cycle took (zero for a phase that did not run).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhaseTimings {
    /// [`Phase::SourceRead`].
    pub source_read: Duration,
    /// [`Phase::TenantRead`].
    pub tenant_read: Duration,
    /// [`Phase::LinksRead`].
    pub links_read: Duration,
    /// [`Phase::Plan`].
    pub plan: Duration,
    /// [`Phase::Record`].
    pub record: Duration,
}

impl PhaseTimings {
    /// The time of `phase`.
    pub fn get(&self, phase: Phase) -> Duration {
        match phase {
            Phase::SourceRead => self.source_read,
            Phase::TenantRead => self.tenant_read,
            Phase::LinksRead => self.links_read,
            Phase::Plan => self.plan,
            Phase::Record => self.record,
        }
    }

    fn slot(&mut self, phase: Phase) -> &mut Duration {
        match phase {
            Phase::SourceRead => &mut self.source_read,
            Phase::TenantRead => &mut self.tenant_read,
            Phase::LinksRead => &mut self.links_read,
            Phase::Plan => &mut self.plan,
            Phase::Record => &mut self.record,
        }
    }

    /// Adds `took` to `phase` (a phase can run in several pieces).
    pub fn add(&mut self, phase: Phase, took: Duration) {
        *self.slot(phase) += took;
    }

    /// Adds the time since `started` to `phase` and returns now, to start the next piece.
    pub fn lap(&mut self, phase: Phase, started: Instant) -> Instant {
        let now = Instant::now();
        self.add(phase, now.saturating_duration_since(started));
        now
    }

    /// The sum of all phases.
    pub fn total(&self) -> Duration {
        Phase::ALL.iter().map(|p| self.get(*p)).sum()
    }

    /// `source read 1.234 s, tenant read …` for people.
    pub fn summary(&self) -> String {
        Phase::ALL
            .iter()
            .map(|p| {
                let name = p.label().replace('_', " ");
                format!("{name} {:.3} s", self.get(*p).as_secs_f64())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `{"source_read": 1.234, …}` in seconds.
    pub fn to_json(&self) -> serde_json::Value {
        Phase::ALL
            .iter()
            .map(|p| (p.label().to_owned(), self.get(*p).as_secs_f64().into()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_add_up_and_print_every_label() {
        let mut t = PhaseTimings::default();
        t.add(Phase::SourceRead, Duration::from_millis(1500));
        t.add(Phase::TenantRead, Duration::from_millis(250));
        t.add(Phase::TenantRead, Duration::from_millis(250));
        t.add(Phase::Record, Duration::from_millis(5));
        assert_eq!(t.total(), Duration::from_millis(2005));
        assert_eq!(t.get(Phase::TenantRead), Duration::from_millis(500));
        assert_eq!(
            t.summary(),
            "source read 1.500 s, tenant read 0.500 s, links read 0.000 s, plan 0.000 s, record 0.005 s"
        );
        let json = t.to_json();
        assert_eq!(json["source_read"], 1.5);
        assert_eq!(json.as_object().map(|o| o.len()), Some(5));
    }

    #[test]
    fn labels_are_bounded_and_distinct() {
        let labels: Vec<_> = Phase::ALL.iter().map(|p| p.label()).collect();
        assert_eq!(
            labels,
            ["source_read", "tenant_read", "links_read", "plan", "record"]
        );
    }
}
