//! The world of one fault row: emulator and guestsync on one (paused) clock, the ticker, and the
//! acceptance check every row ends with.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use guestsync::app::build::{Parts, parts_with_clock};
use guestsync::clock::Clock;
use guestsync::demo::sample::{PartnerRow, partner_rows};
use guestsync::demo::source::write_source;
use guestsync::emulator::{Counters, EmulatorConfig, Knobs};
use guestsync::store::ItemState;
use guestsync::sync::CycleReport;
use guestsync::worker::DrainReport;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::support::world::World;

/// Wall-clock time that follows tokio's clock (paused or not) from a fixed start.
#[derive(Debug)]
pub struct TokioClock {
    base: DateTime<Utc>,
    start: tokio::time::Instant,
}

impl TokioClock {
    pub fn starting_now() -> Self {
        Self {
            base: Utc::now(),
            start: tokio::time::Instant::now(),
        }
    }
}

impl Clock for TokioClock {
    fn now(&self) -> DateTime<Utc> {
        self.base + chrono::Duration::from_std(self.start.elapsed()).unwrap()
    }
}

/// Keeps a paused clock honest while the runtime waits for other threads (SQLite): a timer is
/// always due within 20 ms of virtual time, and each tick blocks for 2 ms of wall time, so a
/// wait on another thread advances virtual time at most ~10× its wall duration (a SQLite stall
/// of 3 s would be needed to reach the 30 s acquire timeout of a connection pool; at 50× one
/// was seen on this loaded machine). Without it the
/// paused clock would jump straight to the next timer (e.g. a request timeout) whenever the
/// runtime idles for a moment. While `fast` is set (nothing but timers is pending, see
/// [`FaultWorld::pass`]) it does not block.
pub struct Ticker {
    task: tokio::task::JoinHandle<()>,
    fast: Arc<AtomicBool>,
}

impl Ticker {
    pub fn start() -> Self {
        let fast = Arc::new(AtomicBool::new(false));
        let flag = fast.clone();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(20)).await;
                if !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        });
        Self { task, fast }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `n` good partner rows.
pub fn rows(n: usize) -> Vec<PartnerRow> {
    partner_rows(n).into_iter().take(n).collect()
}

/// One fault row's world.
pub struct FaultWorld {
    pub world: World,
    pub clock: Arc<TokioClock>,
    pub rows: Vec<PartnerRow>,
    ticker: Ticker,
}

impl FaultWorld {
    /// The emulator with `knobs` on the shared clock, `n` rows as the source, `env` on top.
    pub async fn start(knobs: Knobs, n: usize, env: &[(&str, &str)]) -> Self {
        let ticker = Ticker::start();
        let clock = Arc::new(TokioClock::starting_now());
        let config = EmulatorConfig {
            knobs,
            ..EmulatorConfig::default()
        };
        let addr = "127.0.0.1:0".parse().unwrap();
        let emulator = guestsync::emulator::start_with_clock(config, addr, clock.clone())
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let source_db = dir.path().join("source.db");
        let rows = rows(n);
        write_source(&source_db, &rows).await.unwrap();
        let mut extra_env: Vec<(String, String)> = vec![
            // Longer than the longest lag a row injects (30 s): a 404 inside it is lag.
            ("GUESTSYNC__SYNC__REPLICATION_WINDOW".into(), "45s".into()),
            ("GUESTSYNC__GRAPH__REQUEST_TIMEOUT".into(), "120s".into()),
        ];
        extra_env.extend(env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let world = World {
            emulator,
            dir,
            source_db,
            extra_env,
        };
        Self {
            world,
            clock,
            rows,
            ticker,
        }
    }

    /// Fresh parts on the shared clock.
    pub async fn parts(&self) -> Parts {
        parts_with_clock(&self.world.settings(), self.clock.clone())
            .await
            .unwrap()
    }

    /// One cycle (its error, if it failed) and a drain of the queue, with `knobs` set just
    /// before the cycle and set again just before the drain (so a storm or a hit limit applies to the cycle's reads and again to the
    /// workers' writes, however long opening the parts took).
    pub async fn sync_under(
        &self,
        knobs: Option<&Knobs>,
    ) -> (Result<CycleReport, String>, DrainReport) {
        let parts = self.parts().await;
        let set = || {
            if let Some(knobs) = knobs {
                self.world.emulator.set_knobs(knobs.clone());
            }
        };
        set();
        let report = parts
            .engine
            .run_cycle("test")
            .await
            .map_err(|e| format!("{e:#}"));
        set();
        let drained = parts
            .pool
            .drain(CancellationToken::new(), |_| {})
            .await
            .unwrap();
        (report, drained)
    }

    /// A cycle that must succeed, and its drain.
    pub async fn sync_ok(&self, row: &str) -> (CycleReport, DrainReport) {
        self.sync_ok_under(row, None).await
    }

    /// A cycle under `knobs` (see [`FaultWorld::sync_under`]) that must succeed, and its drain.
    pub async fn sync_ok_under(
        &self,
        row: &str,
        knobs: Option<&Knobs>,
    ) -> (CycleReport, DrainReport) {
        let (report, drained) = self.sync_under(knobs).await;
        let report = report.unwrap_or_else(|e| panic!("[{row}] the cycle failed: {e}"));
        (report, drained)
    }

    /// Replaces the source rows.
    pub async fn set_rows(&mut self, rows: Vec<PartnerRow>) {
        self.world.set_rows(&rows).await;
        self.rows = rows;
    }

    pub fn counters(&self) -> Counters {
        self.world.emulator.counters()
    }

    /// Waits `secs` on tokio's clock, at once when paused (call it only between syncs, when
    /// nothing but timers is pending).
    pub async fn pass(&self, secs: u64) {
        self.ticker.fast.store(true, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(secs)).await;
        self.ticker.fast.store(false, Ordering::Relaxed);
    }

    /// The acceptance check of every row, after its faulty run: faults off, lag waited out,
    /// then converged, one guest per address, no lost item, nothing disabled or deleted, and a
    /// second cycle that writes nothing.
    pub async fn check(&self, row: &str) {
        let c = self.counters();
        println!(
            "fault row [{row}]: requests {} writes {} invitations {} 429 {} (storm {}) 5xx {} \
             answer faults {} tokens {} in-window {}/{}",
            c.requests_total,
            c.writes_total,
            self.world.emulator.invitations().len(),
            c.throttled,
            c.storm_throttled,
            c.faults_injected,
            c.answer_faults,
            c.tokens_issued,
            c.during_retry_after,
            c.during_any_retry_after,
        );
        self.world.emulator.set_knobs(Knobs::default());
        self.pass(31).await;
        let without_guest = self
            .rows
            .iter()
            .filter(|r| self.world.users_with_mail(&r.email).is_empty())
            .count() as u64;
        let (first, drained) = self.sync_ok(row).await;
        assert_eq!(
            drained.dead(),
            0,
            "[{row}] dead items: {:?}",
            drained.counts
        );
        assert_eq!(
            first.counts.invites, without_guest,
            "[{row}] the cycle after the fault invited an address that has a guest: {:?}",
            first.counts
        );
        self.assert_converged(row).await;
        self.pass(31).await;
        let writes = self.counters().writes_total;
        let (second, _) = self.sync_ok(row).await;
        assert_eq!(
            (
                second.counts.invites,
                second.counts.updates,
                second.counts.disables
            ),
            (0, 0, 0),
            "[{row}] not stable: {:?}",
            second.counts
        );
        assert_eq!(
            self.counters().writes_total,
            writes,
            "[{row}] a stable cycle wrote to Graph"
        );
    }

    /// Every row: one live guest for its address, enabled, with its attributes, linked to its
    /// anchor, its item done; no other user; no DELETE ever sent.
    pub async fn assert_converged(&self, row: &str) {
        let parts = self.parts().await;
        let users = self.world.emulator.users();
        assert_eq!(
            users.len(),
            self.rows.len(),
            "[{row}] users in the tenant: {}",
            addresses(&users)
        );
        for partner in &self.rows {
            let guests = self.world.users_with_mail(&partner.email);
            assert_eq!(
                guests.len(),
                1,
                "[{row}] {} has {} guests",
                partner.email,
                guests.len()
            );
            let guest = &guests[0];
            assert_eq!(
                guest["accountEnabled"], true,
                "[{row}] {} disabled",
                partner.email
            );
            assert_eq!(
                guest["jobTitle"],
                partner.job_title.as_str(),
                "[{row}] {}",
                partner.email
            );
            assert_eq!(
                guest["displayName"],
                partner.display_name.as_str(),
                "[{row}]"
            );
            let anchor = partner.partner_id.clone().unwrap();
            let link = parts.store.link_get(&anchor).await.unwrap();
            let link = link.unwrap_or_else(|| panic!("[{row}] {anchor} lost its link"));
            assert_eq!(
                link.object_id, guest["id"],
                "[{row}] {anchor} linked to another guest"
            );
            let item = parts.store.item_get(&anchor).await.unwrap();
            let item = item.unwrap_or_else(|| panic!("[{row}] {anchor} lost its item"));
            assert_eq!(item.state, ItemState::Done, "[{row}] {anchor}: {item:?}");
        }
        let deletes = self
            .counters()
            .requests_by_route
            .get("DELETE /users/{id}")
            .copied()
            .unwrap_or(0);
        assert_eq!(deletes, 0, "[{row}] guestsync deleted a guest");
    }
}

fn addresses(users: &[Value]) -> String {
    users
        .iter()
        .map(|u| u["mail"].as_str().unwrap_or("?").to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}
