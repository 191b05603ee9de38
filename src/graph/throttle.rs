//! The process-wide throttle: paces reads and writes to their budgets (slower for a while after
//! a 429, [`super::slowdown`]) and holds every caller while a `Retry-After` pause is in force. The pause and pacing bookkeeping live behind
//! [`ThrottleState`] so a later adapter can share them between replicas through the database.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::{Instant, sleep_until};

use super::slowdown::Slowdown;
use super::tally::{Tally, ThrottleTally};

/// Which budget a request draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OpKind {
    /// GET.
    Read,
    /// POST, PATCH, DELETE (also inside `$batch`).
    Write,
}

/// The shared bookkeeping of the throttle: the pause deadline and the next free pacing slot
/// per budget. [`LocalThrottleState`] keeps it in memory for one process.
#[async_trait]
pub trait ThrottleState: Send + Sync {
    /// The end of the pause in force, if any (may lie in the past).
    async fn paused_until(&self) -> Option<Instant>;
    /// Moves the pause end to `until` unless it is already later (never shortens it).
    async fn extend_pause(&self, until: Instant);
    /// Reserves the next slot of `kind` by the rule of [`Pacing`] and returns the instant the
    /// caller may send at.
    async fn reserve_slot(&self, kind: OpKind, now: Instant, interval: Duration) -> Instant;
}

/// The pacing rule every [`ThrottleState`] applies: the generic cell rate algorithm (GCRA)
/// with a tolerance of half an interval.
///
/// The state is one instant per budget, the theoretical due time of the next request. A request
/// may leave at `max(now, due − tolerance)`, and the due time moves to `max(due, now) +
/// interval`. A worker that reaches its slot a little late therefore does not lose that time
/// for good: the next request may leave up to half an interval early. The tolerance allows no
/// burst: two slots are always at least half an interval apart, so requests never leave
/// together at start-up or when a pause ends (the due time is then in the past and counts
/// from `now`). Over any window of length `w` at most `1 + (w + tolerance) / interval`
/// requests leave, so the long-run rate never exceeds the budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pacing {
    interval: Duration,
}

impl Pacing {
    /// The rule for one request every `interval` (zero: unpaced).
    pub fn new(interval: Duration) -> Self {
        Self { interval }
    }

    /// How early before its due time a request may leave: half an interval.
    pub fn tolerance(&self) -> Duration {
        self.interval / 2
    }

    /// When a request reserved at `now` may leave, given the due time `due` (none yet: now).
    pub fn slot(&self, due: Option<Instant>, now: Instant) -> Instant {
        let earliest = due.map(|d| d.checked_sub(self.tolerance()).unwrap_or(d));
        earliest.map_or(now, |e| e.max(now))
    }

    /// The due time after a reservation at `now`.
    pub fn next_due(&self, due: Option<Instant>, now: Instant) -> Instant {
        due.map_or(now, |d| d.max(now)) + self.interval
    }
}

/// In-memory [`ThrottleState`] for a single process.
#[derive(Debug, Default)]
pub struct LocalThrottleState {
    inner: Mutex<LocalInner>,
}

#[derive(Debug, Default)]
struct LocalInner {
    paused_until: Option<Instant>,
    next_read: Option<Instant>,
    next_write: Option<Instant>,
}

impl LocalThrottleState {
    fn lock(&self) -> std::sync::MutexGuard<'_, LocalInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[async_trait]
impl ThrottleState for LocalThrottleState {
    async fn paused_until(&self) -> Option<Instant> {
        self.lock().paused_until
    }

    async fn extend_pause(&self, until: Instant) {
        let mut inner = self.lock();
        inner.paused_until = Some(inner.paused_until.map_or(until, |u| u.max(until)));
    }

    async fn reserve_slot(&self, kind: OpKind, now: Instant, interval: Duration) -> Instant {
        let mut inner = self.lock();
        let next = match kind {
            OpKind::Read => &mut inner.next_read,
            OpKind::Write => &mut inner.next_write,
        };
        let pacing = Pacing::new(interval);
        let slot = pacing.slot(*next, now);
        *next = Some(pacing.next_due(*next, now));
        slot
    }
}

/// Paces requests to the read and write budgets and enforces `Retry-After` pauses for every
/// caller. Share one `Arc<Throttle>` across the process.
pub struct Throttle {
    state: Arc<dyn ThrottleState>,
    read_interval: Duration,
    write_interval: Duration,
    slowdown: Mutex<Slowdowns>,
    tally: Tally,
}

/// The slowdown of each budget after 429s ([`super::slowdown`]).
#[derive(Debug, Default)]
struct Slowdowns {
    read: Slowdown,
    write: Slowdown,
}

impl Slowdowns {
    fn of(&mut self, kind: OpKind) -> &mut Slowdown {
        match kind {
            OpKind::Read => &mut self.read,
            OpKind::Write => &mut self.write,
        }
    }
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle")
            .field("read_interval", &self.read_interval)
            .field("write_interval", &self.write_interval)
            .finish_non_exhaustive()
    }
}

fn interval(per_second: f64) -> Duration {
    if per_second.is_finite() && per_second > 0.0 {
        Duration::from_secs_f64(1.0 / per_second)
    } else {
        Duration::ZERO
    }
}

impl Throttle {
    /// A throttle with in-memory state. A budget that is not a positive number means unpaced.
    pub fn new(read_per_second: f64, write_per_second: f64) -> Self {
        Self::with_state(
            Arc::new(LocalThrottleState::default()),
            read_per_second,
            write_per_second,
        )
    }

    /// A throttle over shared `state` (e.g. kept in the state store).
    pub fn with_state(
        state: Arc<dyn ThrottleState>,
        read_per_second: f64,
        write_per_second: f64,
    ) -> Self {
        Self {
            state,
            read_interval: interval(read_per_second),
            write_interval: interval(write_per_second),
            slowdown: Mutex::default(),
            tally: Tally::default(),
        }
    }

    /// The counts since start (for the status page's throttling history).
    pub fn tally(&self) -> ThrottleTally {
        self.tally.snapshot()
    }

    /// Waits until no pause is in force and a pacing slot of `kind` is due. The pause is
    /// checked again right before returning, so nobody leaves while a `Retry-After` holds.
    pub async fn acquire(&self, kind: OpKind) {
        loop {
            self.wait_out_pause().await;
            let now = Instant::now();
            let interval = self.interval(kind, now);
            let slot = self.state.reserve_slot(kind, now, interval).await;
            sleep_until(slot).await;
            if !self.is_paused().await {
                self.tally.let_through(kind);
                return;
            }
        }
    }

    /// Pauses every caller for `d` from now; never shortens a longer pause.
    pub async fn pause_for(&self, d: Duration) {
        self.tally.paused();
        self.state.extend_pause(Instant::now() + d).await;
    }

    /// A 429 on a request of `kind`: pauses every caller for `d` ([`Throttle::pause_for`]) and,
    /// when it starts a new throttling event, cuts the rate `kind` is paced to
    /// ([`super::slowdown`]).
    pub async fn throttled(&self, kind: OpKind, d: Duration) {
        let now = Instant::now();
        self.slowdowns().of(kind).throttled(now, now + d);
        self.pause_for(d).await;
    }

    /// The fraction of its configured rate `kind` is paced to now (for metrics and tests).
    pub fn pace_factor(&self, kind: OpKind) -> f64 {
        self.slowdowns().of(kind).factor(Instant::now())
    }

    /// The pacing interval of `kind` at `now`: the configured one, stretched after 429s.
    fn interval(&self, kind: OpKind, now: Instant) -> Duration {
        let configured = match kind {
            OpKind::Read => self.read_interval,
            OpKind::Write => self.write_interval,
        };
        self.slowdowns().of(kind).stretch(configured, now)
    }

    fn slowdowns(&self) -> std::sync::MutexGuard<'_, Slowdowns> {
        self.slowdown.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The end of the pause in force, `None` when not paused (for readiness and metrics).
    pub async fn paused_until(&self) -> Option<Instant> {
        self.state
            .paused_until()
            .await
            .filter(|u| *u > Instant::now())
    }

    async fn is_paused(&self) -> bool {
        self.paused_until().await.is_some()
    }

    async fn wait_out_pause(&self) {
        while let Some(until) = self.paused_until().await {
            sleep_until(until).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paces_to_the_budget() {
        let t = Throttle::new(50.0, 10.0);
        let start = Instant::now();
        for _ in 0..11 {
            t.acquire(OpKind::Write).await;
        }
        // The first request leaves at once, the second half an interval later (the tolerance),
        // every later one a whole interval after the one before.
        assert_eq!(Instant::now() - start, Duration::from_millis(950));
        let start = Instant::now();
        for _ in 0..6 {
            t.acquire(OpKind::Read).await;
        }
        assert_eq!(Instant::now() - start, Duration::from_millis(90));
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_worker_gets_back_up_to_half_an_interval() {
        let t = Throttle::new(0.0, 10.0);
        t.acquire(OpKind::Write).await; // due again at 100 ms
        let start = Instant::now();
        tokio::time::advance(Duration::from_millis(130)).await; // 30 ms late
        t.acquire(OpKind::Write).await;
        assert_eq!(Instant::now() - start, Duration::from_millis(130));
        t.acquire(OpKind::Write).await; // due at 230 ms, may leave at 180 ms
        assert_eq!(Instant::now() - start, Duration::from_millis(180));
        t.acquire(OpKind::Write).await; // due at 330 ms: at 280 ms, one interval later
        assert_eq!(Instant::now() - start, Duration::from_millis(280));
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_slows_the_pace_until_it_has_climbed_back() {
        let t = Throttle::new(0.0, 10.0);
        t.acquire(OpKind::Write).await;
        t.throttled(OpKind::Write, Duration::from_secs(1)).await;
        assert_eq!(t.pace_factor(OpKind::Write), 0.75);
        t.acquire(OpKind::Write).await; // leaves when the pause ends
        let start = Instant::now();
        for _ in 0..10 {
            t.acquire(OpKind::Write).await;
        }
        // Ten slots at about 3/4 of 10/s (climbing back a little meanwhile): about 1.24 s with
        // the tolerance, against 0.95 s at the configured rate.
        let took = Instant::now() - start;
        assert!(took > Duration::from_millis(1150), "{took:?}");
        tokio::time::advance(super::super::slowdown::RECOVERY).await;
        assert_eq!(t.pace_factor(OpKind::Write), 1.0);
        assert_eq!(
            t.pace_factor(OpKind::Read),
            1.0,
            "reads were never throttled"
        );
        let start = Instant::now();
        for _ in 0..11 {
            t.acquire(OpKind::Write).await;
        }
        assert_eq!(Instant::now() - start, Duration::from_millis(950));
    }

    /// `n` writers asking at once; the instants they were let through, in order.
    async fn writes_at_once(t: &Arc<Throttle>, n: usize) -> Vec<Instant> {
        let waiters: Vec<_> = (0..n)
            .map(|_| {
                let t = Arc::clone(t);
                tokio::spawn(async move {
                    t.acquire(OpKind::Write).await;
                    Instant::now()
                })
            })
            .collect();
        let mut left = Vec::new();
        for w in waiters {
            left.push(w.await.unwrap());
        }
        left.sort();
        left
    }

    #[tokio::test(start_paused = true)]
    async fn slots_are_never_closer_than_half_an_interval_and_never_above_the_rate() {
        let t = Arc::new(Throttle::new(0.0, 20.0));
        let start = Instant::now();
        let left = writes_at_once(&t, 40).await;
        for pair in left.windows(2) {
            assert!(pair[1] - pair[0] >= Duration::from_millis(25), "{left:?}");
        }
        // 40 requests at 20/s: the last leaves at 39 intervals less the one tolerance.
        assert_eq!(left[39] - start, Duration::from_millis(39 * 50 - 25));
    }

    #[tokio::test(start_paused = true)]
    async fn no_burst_when_a_pause_ends() {
        let t = Arc::new(Throttle::new(0.0, 10.0));
        t.acquire(OpKind::Write).await;
        t.pause_for(Duration::from_secs(5)).await;
        let left = writes_at_once(&t, 3).await;
        assert!(left[1] - left[0] >= Duration::from_millis(50), "{left:?}");
        assert!(left[2] - left[1] >= Duration::from_millis(50), "{left:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_blocks_everyone_including_waiters() {
        let t = Arc::new(Throttle::new(1.0, 1.0));
        t.acquire(OpKind::Write).await; // next write slot is 1 s away
        let start = Instant::now();
        let waiter = {
            let t = Arc::clone(&t);
            tokio::spawn(async move {
                t.acquire(OpKind::Write).await;
                Instant::now()
            })
        };
        tokio::task::yield_now().await; // the waiter now sleeps on its slot
        t.pause_for(Duration::from_secs(5)).await;
        let reader_left = {
            t.acquire(OpKind::Read).await;
            Instant::now()
        };
        assert!(reader_left >= start + Duration::from_secs(5));
        assert!(waiter.await.unwrap() >= start + Duration::from_secs(5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_is_never_shortened() {
        let t = Throttle::new(0.0, 0.0);
        let start = Instant::now();
        t.pause_for(Duration::from_secs(10)).await;
        t.pause_for(Duration::from_secs(2)).await;
        assert_eq!(
            t.paused_until().await,
            Some(start + Duration::from_secs(10))
        );
        t.acquire(OpKind::Read).await;
        assert_eq!(Instant::now(), start + Duration::from_secs(10));
        assert_eq!(t.paused_until().await, None);
    }
}
