//! End to end for housekeeping (issue 4 item 4) against the emulator, with time injected: one
//! `ManualClock` drives guestsync and the emulator's directory timestamps, so days pass in a
//! test without sleeping. Renewal of pending invitations, expiry, deletion after
//! `delete_after`, restore of a deleted guest, e-mail change with a reset of redemption, and the
//! brake over deletes.

mod lifecycle;
mod renewal_mail;
mod restore;

use std::sync::Arc;

use chrono::{Duration, Utc};
use guestsync::app::build::parts_with_clock;
use guestsync::clock::ManualClock;
use guestsync::demo::sample::{PartnerRow, partner_rows};
use guestsync::demo::source::write_source;
use guestsync::emulator::{EmulatorConfig, Knobs};
use guestsync::store::{Link, Store};
use guestsync::sync::CycleReport;
use guestsync::worker::DrainReport;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::support::world::World;

/// A world whose clock only moves when told to.
pub struct Timed {
    pub world: World,
    pub clock: Arc<ManualClock>,
}

/// `n` good partner rows.
pub fn rows(n: usize) -> Vec<PartnerRow> {
    partner_rows(n).into_iter().take(n).collect()
}

impl Timed {
    /// The emulator on the manual clock, `rows` as the source, `env` on top of the world's.
    pub async fn start(rows: &[PartnerRow], env: &[(&str, &str)]) -> Self {
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let config = EmulatorConfig {
            knobs: Knobs::default(),
            ..EmulatorConfig::default()
        };
        let addr = "127.0.0.1:0".parse().unwrap();
        let emulator = guestsync::emulator::start_with_clock(config, addr, clock.clone())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let source_db = dir.path().join("source.db");
        write_source(&source_db, rows).await.unwrap();
        let extra_env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let world = World {
            emulator,
            dir,
            source_db,
            extra_env,
        };
        Self { world, clock }
    }

    /// The manual clock's time.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        guestsync::clock::Clock::now(&*self.clock)
    }

    /// Moves the clock `days` forward.
    pub fn advance_days(&self, days: i64) {
        self.clock.advance(Duration::days(days));
    }

    /// One cycle on the manual clock, then a drain of the queue.
    pub async fn sync(&self) -> (CycleReport, DrainReport) {
        let parts = parts_with_clock(&self.world.settings(), self.clock.clone())
            .await
            .unwrap();
        let report = parts.engine.run_cycle("test").await.unwrap();
        let drained = parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
        assert_eq!(drained.dead(), 0, "{:?}", drained.counts);
        (report, drained)
    }

    /// The state store.
    pub async fn store(&self) -> Arc<dyn Store> {
        guestsync::app::build::open_store(&self.world.settings())
            .await
            .unwrap()
    }

    /// The link of the row with this partner id.
    pub async fn link(&self, anchor: &str) -> Link {
        self.store().await.link_get(anchor).await.unwrap().unwrap()
    }

    /// The live user with this object id (admin view), if any.
    pub fn user(&self, id: &str) -> Option<Value> {
        self.world
            .emulator
            .users()
            .into_iter()
            .find(|u| u["id"] == id)
    }
}
