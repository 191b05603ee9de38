//! Admin actions (what a person does in the portal): seed, patch, delete, redeem, read all users,
//! change knobs. They bypass throttle and replication lag.

use serde_json::{Map, Value, json};
use tokio::time::Instant;

use super::config::{Knobs, SeedUser};
use super::handle::Counters;
use super::objects::from_seed;
use super::state::{Shared, UserRecord, iso};

impl Shared {
    /// Adds a user, visible at once; returns its id.
    pub(crate) fn admin_add(&self, seed: &SeedUser) -> String {
        let user = from_seed(seed, &self.config.tenant_domain, &iso(self.now()));
        let id = user
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let record = UserRecord {
            current: user,
            previous: None,
            visible_at: Instant::now(),
        };
        self.lock().users.insert(id.clone(), record);
        id
    }

    /// Applies `patch` to the newest version and makes it visible at once.
    pub(crate) fn admin_patch(&self, id: &str, patch: &Map<String, Value>) -> bool {
        let mut inner = self.lock();
        let Some(record) = inner.users.get_mut(id) else {
            return false;
        };
        record
            .current
            .extend(patch.iter().map(|(k, v)| (k.clone(), v.clone())));
        record.visible_at = Instant::now();
        record.previous = None;
        true
    }

    /// Soft-deletes a user.
    pub(crate) fn admin_delete(&self, id: &str) -> bool {
        let stamp = iso(self.now());
        let mut inner = self.lock();
        let Some(record) = inner.users.remove(id) else {
            return false;
        };
        let mut user = record.current;
        user.insert("deletedDateTime".into(), json!(stamp));
        inner.deleted.insert(id.to_owned(), user);
        true
    }

    /// The guest redeems its invitation: `externalUserState` becomes `Accepted`.
    pub(crate) fn admin_redeem(&self, id: &str) -> bool {
        let mut patch = Map::new();
        patch.insert("externalUserState".into(), json!("Accepted"));
        patch.insert(
            "externalUserStateChangeDateTime".into(),
            json!(iso(self.now())),
        );
        self.admin_patch(id, &patch)
    }

    /// The invitee opens a redeem URL this emulator issued (the `rd` ticket of
    /// `https://login.microsoftonline.com/redeem?rd=…`, graph.md §1) and redeems it: the user
    /// becomes `Accepted`. False for a URL it never issued or whose user is gone.
    pub(crate) fn admin_redeem_url(&self, url: &str) -> bool {
        let ticket = url::Url::parse(url).ok().and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "rd")
                .map(|(_, v)| v.into_owned())
        });
        let id = ticket.and_then(|rd| self.lock().redeem_tickets.get(&rd).cloned());
        id.is_some_and(|id| self.admin_redeem(&id))
    }

    /// Every live user with every property.
    pub(crate) fn admin_users(&self) -> Vec<Value> {
        self.lock()
            .users
            .values()
            .map(|r| Value::Object(r.current.clone()))
            .collect()
    }

    /// Replaces the knobs (buckets refilled, random generator reseeded, windows kept).
    pub(crate) fn set_knobs(&self, knobs: Knobs) {
        use rand::SeedableRng;
        let mut inner = self.lock();
        inner.throttle.reconfigure(&knobs, Instant::now());
        inner.storm_until = super::state::knobs_storm_end(&knobs, Instant::now());
        inner.answer_fault_hits = 0;
        inner.rng = rand::rngs::StdRng::seed_from_u64(knobs.fault_seed);
        inner.knobs = knobs;
    }

    /// A copy of the knobs.
    pub(crate) fn knobs(&self) -> Knobs {
        self.lock().knobs.clone()
    }

    /// A copy of the counters.
    pub(crate) fn counters(&self) -> Counters {
        self.lock().counters.clone()
    }
}
