//! The emulator's shared state: the directory (users with their replication versions, deleted
//! items, groups), issued tokens, throttle buckets, the seeded random generator and counters.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Map, Value};
use tokio::time::{Duration, Instant};

use super::config::{EmulatorConfig, Knobs};
use super::handle::Counters;
use super::throttle::Throttle;
use super::write_peaks::WritePeaks;
use crate::clock::Clock;

/// A user object as stored: the newest version and, while replication lags, the version that
/// Graph callers still see.
#[derive(Clone, Debug)]
pub(crate) struct UserRecord {
    /// The newest version (what the admin view shows).
    pub current: Map<String, Value>,
    /// The version visible to Graph callers until `visible_at`; `None` = not visible at all.
    pub previous: Option<Map<String, Value>>,
    /// When `current` becomes visible to Graph callers.
    pub visible_at: Instant,
}

impl UserRecord {
    /// The version a Graph caller sees at `now`.
    pub fn view(&self, now: Instant) -> Option<&Map<String, Value>> {
        if now >= self.visible_at {
            Some(&self.current)
        } else {
            self.previous.as_ref()
        }
    }
}

/// A security group created through the control API.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    /// Member user ids.
    pub members: BTreeSet<String>,
}

/// Mutable state behind one lock.
pub(crate) struct Inner {
    pub knobs: Knobs,
    pub users: BTreeMap<String, UserRecord>,
    pub deleted: BTreeMap<String, Map<String, Value>>,
    pub groups: BTreeMap<String, Group>,
    pub tokens: HashMap<String, Instant>,
    pub throttle: Throttle,
    pub rng: StdRng,
    pub counters: Counters,
    /// When the storm of the current knobs ends (`None`: no storm).
    pub storm_until: Option<Instant>,
    /// Answers hit by the answer-fault knob since the knobs were last set.
    pub answer_fault_hits: u64,
    /// Every accepted `POST /invitations` body, in order (for tests and the control view).
    pub invitations: Vec<Value>,
    /// Redeem tickets (`rd` of an issued redeem URL) → the invited user's id.
    pub redeem_tickets: HashMap<String, String>,
    /// The busiest windows of writes so far (copied into the counters).
    pub write_peaks: WritePeaks,
}

/// State shared by every request handler.
pub(crate) struct Shared {
    pub config: EmulatorConfig,
    pub addr: SocketAddr,
    pub clock: Arc<dyn Clock>,
    pub page_key: String,
    pub in_flight: AtomicU64,
    inner: Mutex<Inner>,
}

impl Shared {
    /// Fresh state for `config`, serving at `addr`.
    pub fn new(config: EmulatorConfig, addr: SocketAddr, clock: Arc<dyn Clock>) -> Self {
        let knobs = config.knobs.clone();
        let inner = Inner {
            rng: StdRng::seed_from_u64(knobs.fault_seed),
            throttle: Throttle::new(&knobs, Instant::now()),
            knobs,
            users: BTreeMap::new(),
            deleted: BTreeMap::new(),
            groups: BTreeMap::new(),
            tokens: HashMap::new(),
            counters: Counters::default(),
            answer_fault_hits: 0,
            storm_until: knobs_storm_end(&config.knobs, Instant::now()),
            invitations: Vec::new(),
            redeem_tickets: HashMap::new(),
            write_peaks: WritePeaks::default(),
        };
        Self {
            config,
            addr,
            clock,
            page_key: uuid::Uuid::new_v4().simple().to_string(),
            in_flight: AtomicU64::new(0),
            inner: Mutex::new(inner),
        }
    }

    /// Locks the mutable state (a poisoned lock is recovered: the state stays usable).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wall-clock now.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// `http://{addr}/v1.0`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1.0", self.addr)
    }
}

/// When a storm configured in `knobs` at `now` ends.
pub(crate) fn knobs_storm_end(knobs: &Knobs, now: Instant) -> Option<Instant> {
    knobs
        .storm
        .map(|storm| now + Duration::from_millis(storm.duration_ms))
}

/// Graph's timestamp format for directory properties.
pub(crate) fn iso(now: DateTime<Utc>) -> String {
    now.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl Inner {
    /// The replication delay for a write made now (zero when lag is off).
    pub fn lag(&mut self) -> Duration {
        use rand::Rng;
        let max = self.knobs.replication_lag_max_ms;
        if max == 0 {
            return Duration::ZERO;
        }
        Duration::from_millis(self.rng.random_range(1..=max))
    }

    /// Stores a new user, visible after the replication delay.
    pub fn insert_user(&mut self, user: Map<String, Value>, now: Instant) -> String {
        let id = user
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let visible_at = now + self.lag();
        let record = UserRecord {
            current: user,
            previous: None,
            visible_at,
        };
        self.users.insert(id.clone(), record);
        id
    }

    /// Replaces a user's newest version; Graph callers keep seeing the old one for a while.
    pub fn update_user(&mut self, id: &str, user: Map<String, Value>, now: Instant) {
        let lag = self.lag();
        if let Some(record) = self.users.get_mut(id) {
            record.previous = record.view(now).cloned();
            record.current = user;
            record.visible_at = now + lag;
        }
    }

    /// The id of the user a Graph caller addresses by object id or UPN (case-insensitive).
    pub fn resolve_visible(&self, key: &str, now: Instant) -> Option<String> {
        if let Some(r) = self.users.get(key) {
            return r.view(now).map(|_| key.to_owned());
        }
        self.users.iter().find_map(|(id, r)| {
            let upn = r.view(now)?.get("userPrincipalName")?.as_str()?;
            upn.eq_ignore_ascii_case(key).then(|| id.clone())
        })
    }

    /// Whether an address is the mail or one of the otherMails of a live user (admin view).
    pub fn find_by_address(&self, address: &str) -> Option<String> {
        self.users
            .iter()
            .find_map(|(id, r)| has_address(&r.current, address).then(|| id.clone()))
    }
}

/// Whether `user` carries `address` in `mail` or `otherMails` (case-insensitive).
pub(crate) fn has_address(user: &Map<String, Value>, address: &str) -> bool {
    let mail = user.get("mail").and_then(Value::as_str);
    let others = user.get("otherMails").and_then(Value::as_array);
    mail.is_some_and(|m| m.eq_ignore_ascii_case(address))
        || others.is_some_and(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .any(|m| m.eq_ignore_ascii_case(address))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lag test in `tests/it/emulator/throttle.rs` relies on seed 11 drawing a long lag first.
    #[test]
    fn seed_11_draws_a_long_first_lag() {
        let config = EmulatorConfig::default();
        let shared = Shared::new(
            config,
            "127.0.0.1:1".parse().unwrap(),
            Arc::new(crate::clock::SystemClock),
        );
        let mut inner = shared.lock();
        inner.knobs.replication_lag_max_ms = 4000;
        inner.rng = StdRng::seed_from_u64(11);
        let lag = inner.lag();
        assert!(lag > Duration::from_millis(1000), "{lag:?}");
    }
}
