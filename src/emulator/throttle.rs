//! Throttling: one token bucket for reads and one for writes, the `Retry-After` value of a 429,
//! and the deadlines of the `Retry-After` windows this emulator announced (for the counters).

use tokio::time::{Duration, Instant};

use super::config::{Budget, Knobs, RetryAfterMode};

/// Which bucket a request draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// GET.
    Read,
    /// POST, PATCH, PUT, DELETE.
    Write,
}

impl Kind {
    /// The bucket for an HTTP method.
    pub fn of(method: &str) -> Self {
        if method.eq_ignore_ascii_case("GET") {
            Kind::Read
        } else {
            Kind::Write
        }
    }
}

#[derive(Clone, Debug)]
struct Bucket {
    budget: Budget,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    fn new(budget: Budget, now: Instant) -> Self {
        Self {
            budget,
            tokens: f64::from(budget.burst),
            last: now,
        }
    }

    /// Takes a token, or answers how long until one is free.
    fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        let cap = f64::from(self.budget.burst.max(1));
        self.tokens = (self.tokens + elapsed * self.budget.per_second).min(cap);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Ok(());
        }
        let rate = self.budget.per_second.max(1e-6);
        Err(Duration::from_secs_f64((1.0 - self.tokens) / rate))
    }
}

/// Both buckets and the announced `Retry-After` deadlines.
#[derive(Clone, Debug)]
pub(crate) struct Throttle {
    read: Option<Bucket>,
    write: Option<Bucket>,
    read_deadline: Option<Instant>,
    write_deadline: Option<Instant>,
}

/// What a throttled request is answered with.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Throttled {
    /// The `Retry-After` header value, if one is sent.
    pub retry_after: Option<u64>,
}

/// The ends of the announced `Retry-After` windows at one moment. A `$batch` takes them as its
/// items' reference: the items left the client together with the batch, so a 429 one item
/// gets does not put the items after it inside a window.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Windows {
    read: Option<Instant>,
    write: Option<Instant>,
}

impl Windows {
    /// Whether a request of `kind` arriving at `at` is inside these windows.
    pub fn hit(&self, kind: Kind, at: Instant) -> WindowHit {
        let live = |d: Option<Instant>| d.is_some_and(|d| at < d);
        let (own, other) = match kind {
            Kind::Read => (self.read, self.write),
            Kind::Write => (self.write, self.read),
        };
        WindowHit {
            own: live(own),
            any: live(own) || live(other),
        }
    }
}

/// Whether a request arrived inside announced windows.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WindowHit {
    /// Inside the window of its own bucket.
    pub own: bool,
    /// Inside any window.
    pub any: bool,
}

impl Throttle {
    /// Buckets per the knobs, full.
    pub fn new(knobs: &Knobs, now: Instant) -> Self {
        Self {
            read: knobs.read_budget.map(|b| Bucket::new(b, now)),
            write: knobs.write_budget.map(|b| Bucket::new(b, now)),
            read_deadline: None,
            write_deadline: None,
        }
    }

    /// New buckets per the knobs; announced windows stay.
    pub fn reconfigure(&mut self, knobs: &Knobs, now: Instant) {
        let fresh = Self::new(knobs, now);
        self.read = fresh.read;
        self.write = fresh.write;
    }

    /// The windows announced so far, as they stand now.
    pub fn windows(&self) -> Windows {
        Windows {
            read: self.read_deadline,
            write: self.write_deadline,
        }
    }

    /// Admits a request or throttles it (recording the announced window).
    pub fn admit(
        &mut self,
        kind: Kind,
        mode: RetryAfterMode,
        now: Instant,
    ) -> Result<(), Throttled> {
        let bucket = match kind {
            Kind::Read => self.read.as_mut(),
            Kind::Write => self.write.as_mut(),
        };
        let Some(bucket) = bucket else { return Ok(()) };
        let wait = match bucket.take(now) {
            Ok(()) => return Ok(()),
            Err(wait) => wait,
        };
        let retry_after = match mode {
            RetryAfterMode::Computed => Some((wait.as_secs_f64().ceil() as u64).max(1)),
            RetryAfterMode::Fixed(n) | RetryAfterMode::HttpDate(n) => Some(n),
            RetryAfterMode::Zero => Some(0),
            RetryAfterMode::Missing => None,
        };
        self.announce(kind, retry_after, now);
        Err(Throttled { retry_after })
    }

    /// Records the window a 429 with `retry_after` seconds announces for `kind` (none for a
    /// missing or zero `Retry-After`).
    pub fn announce(&mut self, kind: Kind, retry_after: Option<u64>, now: Instant) {
        if let Some(secs) = retry_after.filter(|s| *s > 0) {
            let deadline = now + Duration::from_secs(secs);
            let slot = match kind {
                Kind::Read => &mut self.read_deadline,
                Kind::Write => &mut self.write_deadline,
            };
            *slot = Some(slot.map_or(deadline, |d| d.max(deadline)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_and_computes_retry_after() {
        let now = Instant::now();
        let knobs = Knobs {
            write_budget: Some(Budget {
                per_second: 0.5,
                burst: 1,
            }),
            ..Knobs::default()
        };
        let mut t = Throttle::new(&knobs, now);
        assert!(t.admit(Kind::Write, RetryAfterMode::Computed, now).is_ok());
        assert!(t.admit(Kind::Read, RetryAfterMode::Computed, now).is_ok());
        let err = t.admit(Kind::Write, RetryAfterMode::Computed, now).err();
        assert_eq!(err.and_then(|e| e.retry_after), Some(2));
        let windows = t.windows();
        assert!(windows.hit(Kind::Write, now).own);
        assert!(windows.hit(Kind::Read, now).any);
        assert!(!windows.hit(Kind::Read, now).own);
        assert!(!windows.hit(Kind::Write, now + Duration::from_secs(3)).any);
    }
}
