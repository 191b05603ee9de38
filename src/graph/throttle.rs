//! The process-wide throttle: paces reads and writes to their budgets and holds every caller
//! while a `Retry-After` pause is in force. The pause and pacing bookkeeping live behind
//! [`ThrottleState`] so a later adapter can share them between replicas through the database.
//!
//! Pacing is a token bucket in its GCRA form: the state keeps one "next slot" per budget, and a
//! caller may take a slot up to [`BURST_TOLERANCE`] before it falls due. A slot nobody was
//! ready for is therefore not lost: when the workers fall behind for a moment (a slow store
//! write, a slow response) they catch up with a short burst, and over any longer span the rate
//! stays at the budget. With a fixed interval every missed slot was lost for good, which kept
//! the achieved rate well under the budget whenever the workers were only a little faster than
//! it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::time::{Instant, sleep_until};

use super::tally::{Tally, ThrottleTally};

/// How far ahead of its due time a pacing slot may be taken: the bucket holds this much of
/// the budget (at 20 writes/s, 5 writes beyond the one due). Graph's write quota is counted
/// over 150 s and the read quota over 10 s, so a quarter second's worth never exceeds them.
pub const BURST_TOLERANCE: Duration = Duration::from_millis(250);

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
    /// Reserves the next slot of `kind` no earlier than `now`, `interval` after the previous
    /// reservation, and returns the instant the caller may send at. (The throttle passes a
    /// `now` moved back by [`BURST_TOLERANCE`]; a slot in the past means "send at once".)
    async fn reserve_slot(&self, kind: OpKind, now: Instant, interval: Duration) -> Instant;
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
        let slot = next.map_or(now, |n| n.max(now));
        *next = Some(slot + interval);
        slot
    }
}

/// Paces requests to the read and write budgets and enforces `Retry-After` pauses for every
/// caller. Share one `Arc<Throttle>` across the process.
pub struct Throttle {
    state: Arc<dyn ThrottleState>,
    read_interval: Duration,
    write_interval: Duration,
    tally: Tally,
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

/// The `now` a reservation is made with: [`BURST_TOLERANCE`] earlier, so the next slot may be
/// taken that much before it falls due (GCRA), but never before the end of the last pause:
/// slots that fell due during a `Retry-After` pause are gone, or the callers it held would
/// all leave at once when it ends and run into the next window together. Unpaced budgets need
/// no slot bookkeeping.
fn burst_floor(now: Instant, interval: Duration, last_pause_end: Option<Instant>) -> Instant {
    if interval.is_zero() {
        return now;
    }
    let floor = now.checked_sub(BURST_TOLERANCE).unwrap_or(now);
    match last_pause_end {
        Some(end) => floor.max(end.min(now)),
        None => floor,
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
        let interval = match kind {
            OpKind::Read => self.read_interval,
            OpKind::Write => self.write_interval,
        };
        loop {
            let last_pause_end = self.wait_out_pause().await;
            let slot = self
                .state
                .reserve_slot(
                    kind,
                    burst_floor(Instant::now(), interval, last_pause_end),
                    interval,
                )
                .await;
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

    /// Sleeps while a pause is in force; returns the end of the last pause (now in the past).
    async fn wait_out_pause(&self) -> Option<Instant> {
        loop {
            match self.state.paused_until().await {
                Some(until) if until > Instant::now() => sleep_until(until).await,
                ended => return ended,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The instants `n` back-to-back acquisitions of `kind` leave at, relative to the start.
    async fn leave_times(t: &Throttle, kind: OpKind, n: usize) -> Vec<Duration> {
        let start = Instant::now();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            t.acquire(kind).await;
            out.push(Instant::now() - start);
        }
        out
    }

    #[tokio::test(start_paused = true)]
    async fn paces_to_the_budget_after_a_burst_of_the_tolerance() {
        let t = Throttle::new(40.0, 10.0);
        // 10 writes/s: the slot due now and the 2 due within 250 ms go at once, the next
        // (due at 300 ms) 250 ms early at 50 ms, then one per 100 ms.
        let ms = Duration::from_millis;
        let writes = leave_times(&t, OpKind::Write, 13).await;
        assert_eq!(&writes[..3], &[ms(0); 3]);
        assert_eq!(writes[3], ms(50));
        assert_eq!(writes[4], ms(150));
        assert_eq!(writes[12], ms(950));
        // 40 reads/s, their own bucket: 11 at once (due 0..=250 ms), then every 25 ms.
        let reads = leave_times(&t, OpKind::Read, 21).await;
        assert_eq!(&reads[..11], &[ms(0); 11]);
        assert_eq!(reads[11], ms(25));
        assert_eq!(reads[20], ms(250));
    }

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_the_budget_by_more_than_the_burst() {
        let t = Throttle::new(0.0, 20.0);
        let times = leave_times(&t, OpKind::Write, 400).await;
        let interval = Duration::from_millis(50);
        for (i, a) in times.iter().enumerate() {
            for (j, b) in times.iter().enumerate().skip(i + 1) {
                // Of the j - i requests after the i-th, the burst covers 5 (250 ms at 20/s);
                // the others wait for their slots.
                let owed = interval * u32::try_from((j - i).saturating_sub(5)).unwrap();
                assert!(*b - *a >= owed, "requests {i} and {j}: {:?}", *b - *a);
            }
        }
        assert_eq!(times[399], Duration::from_millis(19_700));
    }

    #[tokio::test(start_paused = true)]
    async fn slots_missed_within_the_tolerance_are_taken_late_rather_than_lost() {
        let t = Throttle::new(0.0, 10.0);
        let ms = Duration::from_millis;
        assert_eq!(leave_times(&t, OpKind::Write, 4).await[3], ms(50));
        // The callers stall for 400 ms: the slots due at 200, 300 and 400 ms (the last 250 ms)
        // are still free, the one due at 150 ms is lost; then the pace resumes.
        tokio::time::sleep(ms(400)).await;
        let after_stall = leave_times(&t, OpKind::Write, 5).await;
        assert_eq!(after_stall, [ms(0), ms(0), ms(0), ms(50), ms(150)]);
    }

    #[tokio::test(start_paused = true)]
    async fn unpaced_budgets_never_wait() {
        let t = Throttle::new(0.0, f64::NAN);
        let times = leave_times(&t, OpKind::Write, 100).await;
        assert!(times.iter().all(Duration::is_zero));
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_pause_the_pace_starts_again_without_a_burst() {
        let t = Throttle::new(0.0, 10.0);
        t.acquire(OpKind::Write).await;
        t.pause_for(Duration::from_secs(2)).await;
        // The slots that fell due during the pause are gone: one write when it ends, then one
        // per 100 ms, not the burst the tolerance would otherwise allow.
        let ms = Duration::from_millis;
        let times = leave_times(&t, OpKind::Write, 4).await;
        assert_eq!(times, [ms(2000), ms(2100), ms(2200), ms(2300)]);
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
