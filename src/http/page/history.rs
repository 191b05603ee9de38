//! What the status page remembers in memory: a bounded ring of throttle samples (taken on the
//! daemon's gauge tick). Held by [`PageState`] on the app state; no globals. Lost on restart,
//! by design: it is a glance, not a record. Everything else on the page is read from the state
//! store, so every replica shows the same.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::graph::{Throttle, ThrottleTally};
use crate::http::ready::pause_left;

/// How many throttle samples are kept (an hour at the daemon's 15 s gauge tick).
pub const SAMPLES_KEPT: usize = 240;

/// One look at the throttle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// When it was taken.
    pub at: DateTime<Utc>,
    /// The throttle's counts since start.
    pub tally: ThrottleTally,
    /// Seconds left of the Graph pause in force.
    pub pause_seconds: f64,
}

/// The status page's memory. Cheap to clone (shared inside).
#[derive(Debug, Clone, Default)]
pub struct PageState {
    samples: Arc<Mutex<VecDeque<Sample>>>,
}

impl PageState {
    /// Empty: no sample yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes a throttle sample at `now`; the oldest is dropped beyond [`SAMPLES_KEPT`].
    pub async fn sample_throttle(&self, now: DateTime<Utc>, throttle: &Throttle) {
        let pause = pause_left(throttle).await;
        self.push_sample(now, throttle.tally(), pause);
    }

    /// Appends a sample; the oldest is dropped beyond [`SAMPLES_KEPT`].
    pub fn push_sample(&self, at: DateTime<Utc>, tally: ThrottleTally, pause: Duration) {
        let mut samples = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        if samples.len() == SAMPLES_KEPT {
            samples.pop_front();
        }
        samples.push_back(Sample {
            at,
            tally,
            pause_seconds: pause.as_secs_f64(),
        });
    }

    /// The samples, oldest first.
    pub fn samples(&self) -> Vec<Sample> {
        let samples = self.samples.lock().unwrap_or_else(|p| p.into_inner());
        samples.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ring_keeps_the_newest_samples() {
        let page = PageState::new();
        let start = DateTime::<Utc>::UNIX_EPOCH;
        for i in 0..(SAMPLES_KEPT as u64 + 5) {
            let tally = ThrottleTally {
                writes: i,
                ..ThrottleTally::default()
            };
            page.push_sample(start, tally, Duration::ZERO);
        }
        let samples = page.samples();
        assert_eq!(samples.len(), SAMPLES_KEPT);
        assert_eq!(samples[0].tally.writes, 5);
        assert_eq!(
            samples[SAMPLES_KEPT - 1].tally.writes,
            SAMPLES_KEPT as u64 + 4
        );
    }
}
