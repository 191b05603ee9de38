//! Starting the emulator and the handle tests and tools hold: addresses, config snippet,
//! counters, knobs and admin actions, shutdown.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::config::{EmulatorConfig, Knobs, SeedUser};
use super::server::router;
use super::state::Shared;
use crate::clock::{Clock, SystemClock};

/// What the emulator has seen so far.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Counters {
    /// Requests per route template, e.g. `GET /users` (batch items counted under their own route).
    pub requests_by_route: BTreeMap<String, u64>,
    /// Graph requests, including each `$batch` item and the `$batch` itself.
    pub requests_total: u64,
    /// POST/PATCH/DELETE requests, including batch items (not the `$batch` envelope).
    pub writes_total: u64,
    /// 429s answered.
    pub throttled: u64,
    /// 429s answered to POST/PATCH/DELETE requests (batch items included), a part of `throttled`.
    #[serde(default)]
    pub writes_throttled: u64,
    /// The most writes (as counted in `writes_total`, throttled ones included) that arrived in
    /// any sliding window of one second.
    #[serde(default)]
    pub peak_writes_in_1s: u64,
    /// The most writes that arrived in any sliding window of ten seconds.
    #[serde(default)]
    pub peak_writes_in_10s: u64,
    /// Requests received while a `Retry-After` this emulator sent for their bucket was in force.
    pub during_retry_after: u64,
    /// Requests received while any announced `Retry-After` window was in force.
    pub during_any_retry_after: u64,
    /// Invitations with `sendInvitationMessage: true`.
    pub invitation_emails_sent: u64,
    /// Highest number of Graph requests in flight at once.
    pub max_concurrent: u64,
    /// 5xx answers injected.
    pub faults_injected: u64,
    /// 429s answered by a storm (also counted in `throttled`).
    pub storm_throttled: u64,
    /// Answers cut, lost, malformed or padded by the answer-fault knob.
    pub answer_faults: u64,
    /// Access tokens issued.
    pub tokens_issued: u64,
    /// 400 answers (a request Graph would refuse as malformed), `$batch` items included.
    #[serde(default)]
    pub bad_requests: u64,
    /// The first [`Counters::BAD_REQUEST_SAMPLES`] 400 answers as `"ROUTE: message"`: evidence
    /// for tests that assert nothing malformed was sent.
    #[serde(default)]
    pub bad_request_samples: Vec<String>,
}

impl Counters {
    /// How many 400 answers [`Counters::bad_request_samples`] keeps.
    pub const BAD_REQUEST_SAMPLES: usize = 20;
}

/// A running emulator. Cloning shares it.
#[derive(Clone)]
pub struct EmulatorHandle {
    shared: Arc<Shared>,
    stop: CancellationToken,
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
}

/// Binds `addr` (port 0 picks one) and serves the emulator until [`EmulatorHandle::shutdown`].
pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<EmulatorHandle> {
    start_with_clock(config, addr, Arc::new(SystemClock)).await
}

/// As [`start`], with directory timestamps (state changes, deletions and their 30-day expiry)
/// read from `clock`; tests share a `ManualClock` with guestsync to move time.
pub async fn start_with_clock(
    config: EmulatorConfig,
    addr: SocketAddr,
    clock: Arc<dyn Clock>,
) -> std::io::Result<EmulatorHandle> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let seeds = config.seed_users.clone();
    let shared = Arc::new(Shared::new(config, local, clock));
    for seed in &seeds {
        shared.admin_add(seed);
    }
    let stop = CancellationToken::new();
    let app = router(shared.clone());
    let signal = stop.clone();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move { signal.cancelled().await })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "emulator server stopped");
        }
    });
    Ok(EmulatorHandle {
        shared,
        stop,
        task: Arc::new(Mutex::new(Some(task))),
    })
}

impl EmulatorHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// `http://{addr}/v1.0`.
    pub fn base_url(&self) -> String {
        self.shared.base_url()
    }

    /// `http://{addr}`; the token URL is `{authority}/{tenant}/oauth2/v2.0/token`.
    pub fn authority_url(&self) -> String {
        format!("http://{}", self.shared.addr)
    }

    /// The configuration it was started with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// A TOML snippet (`[graph]` and `[auth]`) that points guestsync at this emulator.
    pub fn config_snippet(&self) -> String {
        let c = &self.shared.config;
        format!(
            "[graph]\nbase_url = \"{}\"\n\n[auth]\nauthority_url = \"{}\"\ntenant_id = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n",
            self.base_url(),
            self.authority_url(),
            c.tenant_id,
            c.client_id,
            c.client_secret
        )
    }

    /// A copy of the counters.
    pub fn counters(&self) -> Counters {
        self.shared.counters()
    }

    /// Replaces the knobs.
    pub fn set_knobs(&self, knobs: Knobs) {
        self.shared.set_knobs(knobs);
    }

    /// Every live user, all properties (admin view, no replication lag).
    pub fn users(&self) -> Vec<Value> {
        self.shared.admin_users()
    }

    /// Every accepted invitation body, in order.
    pub fn invitations(&self) -> Vec<Value> {
        self.shared.lock().invitations.clone()
    }

    /// Adds a user (admin action, no budget, no lag); returns its object id.
    pub fn add_user(&self, seed: SeedUser) -> String {
        self.shared.admin_add(&seed)
    }

    /// Sets properties as an admin would (no validation, no lag); false if the id is unknown.
    pub fn patch_user_as_admin(&self, id: &str, patch: Map<String, Value>) -> bool {
        self.shared.admin_patch(id, &patch)
    }

    /// Soft-deletes a user as an admin in the portal would; false if the id is unknown.
    pub fn delete_user_as_admin(&self, id: &str) -> bool {
        self.shared.admin_delete(id)
    }

    /// The guest redeems: `externalUserState` → `Accepted`; false if the id is unknown.
    pub fn redeem(&self, id: &str) -> bool {
        self.shared.admin_redeem(id)
    }

    /// Creates an empty group (admin action); returns its object id.
    pub fn create_group(&self) -> String {
        super::groups::create(&self.shared)
    }

    /// Adds a member as an admin would (no budget, no validation); false if the group is unknown.
    pub fn add_group_member_as_admin(&self, group_id: &str, user_id: &str) -> bool {
        super::groups::admin_add_member(&self.shared, group_id, user_id)
    }

    /// The member ids of a group (admin view), or `None` if the group is unknown.
    pub fn group_members(&self, group_id: &str) -> Option<Vec<String>> {
        super::groups::admin_members(&self.shared, group_id)
    }

    /// The invitee redeems through a redeem URL this emulator issued; false if it never did.
    pub fn redeem_url(&self, url: &str) -> bool {
        self.shared.admin_redeem_url(url)
    }

    /// Stops serving and waits for the server task.
    pub async fn shutdown(self) {
        self.stop.cancel();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
