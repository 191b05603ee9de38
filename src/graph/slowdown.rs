//! Adaptive pacing after a 429: additive increase, multiplicative decrease (AIMD) of the rate
//! the throttle paces a budget to.
//!
//! The configured budget is what the operator believes the tenant allows. Graph can allow less:
//! other apps share the tenant-wide limits, and a 429 without a usable `Retry-After` (missing or
//! `0`) gives no hint of how long to wait. Pausing and then resuming at the same rate runs into
//! the next 429 at once. So each 429 that starts a new throttling event cuts the rate of its
//! budget by [`DECREASE`] (never below [`MIN_FACTOR`] of the configured rate), and the rate
//! climbs back linearly to the configured one without a 429 ([`RECOVERY`]). A 429 that arrives while
//! the pause of the previous event still holds (a request that was already in flight) is part
//! of that event and cuts nothing.

use std::time::Duration;

use tokio::time::Instant;

/// The factor a new throttling event multiplies the rate by. A sawtooth between the rate
/// Graph allows and this fraction of it averages about (1 + DECREASE) / 2 of that rate; a
/// smaller cut costs more rate, a larger one brings the next 429 sooner (BENCHMARKS.md §1).
pub const DECREASE: f64 = 0.75;

/// The lowest fraction of the configured rate the pacing falls to.
pub const MIN_FACTOR: f64 = 1.0 / 16.0;

/// How long the rate takes to climb from zero back to the configured rate without a 429 (from
/// half of it: half of this).
pub const RECOVERY: Duration = Duration::from_secs(120);

/// The slowdown of one budget.
#[derive(Debug, Clone, Copy, Default)]
pub struct Slowdown {
    /// The last throttling event: the factor it set, when, and the end of its pause.
    last: Option<Event>,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    factor: f64,
    at: Instant,
    pause_end: Instant,
}

impl Slowdown {
    /// The fraction of the configured rate to pace at, at `now` (1.0: the configured rate).
    pub fn factor(&self, now: Instant) -> f64 {
        let Some(event) = self.last else {
            return 1.0;
        };
        let climbed =
            now.saturating_duration_since(event.at).as_secs_f64() / RECOVERY.as_secs_f64();
        (event.factor + climbed).min(1.0)
    }

    /// A 429 at `now` that pauses every caller until `pause_end`. Returns whether it started a
    /// new event (and so cut the rate).
    pub fn throttled(&mut self, now: Instant, pause_end: Instant) -> bool {
        if let Some(event) = self.last.as_mut()
            && now < event.pause_end
        {
            event.pause_end = event.pause_end.max(pause_end);
            return false;
        }
        let factor = (self.factor(now) * DECREASE).max(MIN_FACTOR);
        self.last = Some(Event {
            factor,
            at: now,
            pause_end,
        });
        true
    }

    /// `interval` (one request at the configured rate) stretched to the rate at `now`.
    pub fn stretch(&self, interval: Duration, now: Instant) -> Duration {
        interval.div_f64(self.factor(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn a_new_event_cuts_the_rate_and_it_climbs_back_linearly() {
        let start = Instant::now();
        let mut s = Slowdown::default();
        assert_eq!(s.factor(start), 1.0);
        assert!(s.throttled(start, start + 5 * SECOND));
        assert_eq!(s.factor(start), 0.75);
        assert_eq!(s.stretch(SECOND * 3 / 40, start), SECOND / 10);
        assert_eq!(s.factor(start + RECOVERY / 8), 0.875);
        assert_eq!(s.factor(start + RECOVERY / 4), 1.0);
        assert_eq!(s.factor(start + RECOVERY * 3), 1.0);
    }

    #[test]
    fn a_429_inside_the_pause_of_the_last_event_is_the_same_event() {
        let start = Instant::now();
        let mut s = Slowdown::default();
        assert!(s.throttled(start, start + 5 * SECOND));
        assert!(!s.throttled(start + SECOND, start + 6 * SECOND));
        assert_eq!(s.factor(start), 0.75);
        // The pause of the event now ends at 6 s: a 429 at 5.5 s is still the same event.
        assert!(!s.throttled(start + 5 * SECOND + SECOND / 2, start + 7 * SECOND));
        assert!(s.throttled(start + 8 * SECOND, start + 9 * SECOND));
        let climbed = 8.0 / RECOVERY.as_secs_f64();
        assert!((s.factor(start + 8 * SECOND) - (0.75 + climbed) * 0.75).abs() < 1e-9);
    }

    #[test]
    fn the_rate_never_falls_below_the_floor() {
        let mut now = Instant::now();
        let mut s = Slowdown::default();
        for _ in 0..20 {
            assert!(s.throttled(now, now));
            now += Duration::from_millis(1);
        }
        assert!(s.factor(now) >= MIN_FACTOR);
        assert!(s.factor(now) < MIN_FACTOR * 1.01);
    }
}
