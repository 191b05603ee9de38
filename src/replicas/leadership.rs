//! The leader lease in a replica: [`Leadership::run`] takes or renews the lease every third of
//! a lease period, rescues expired item leases while leading, and releases the lease on
//! shutdown so another replica takes over at once. A replica that cannot renew in time (store
//! error or timeout) steps down before its lease lapses, so two replicas never both believe
//! they lead (given clocks that agree to well within a lease period).
//!
//! The role is published on a watch channel: the daemon runs a cycle only while leading
//! ([`Leadership::while_leading`] abandons it when leadership is lost), readiness shows it,
//! and the `guestsync_leader` gauge is 1 on the leader and 0 elsewhere.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::store::Store;

/// The gauge that is 1 on the replica that leads and 0 on the others.
pub const LEADER_GAUGE: &str = "guestsync_leader";

/// What a replica is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// It has not asked for the lease yet.
    Starting,
    /// It holds the lease with this epoch (fencing token).
    Leader {
        /// The lease's epoch.
        epoch: i64,
    },
    /// Another replica leads (`leader`, when known), or the store cannot be reached.
    Follower {
        /// The replica holding the lease, if known.
        leader: Option<String>,
    },
}

/// A replica's name and role, for readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// `replicas.id`.
    pub replica: String,
    /// Its role.
    pub role: Role,
}

impl ReplicaStatus {
    /// Whether this replica leads.
    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }
}

/// The leader election of one replica. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Leadership {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    lease: Duration,
    status: watch::Sender<ReplicaStatus>,
}

impl Leadership {
    /// The election of `replica` with leases of `lease`; it starts as [`Role::Starting`].
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        replica: String,
        lease: Duration,
    ) -> Self {
        let status = ReplicaStatus {
            replica,
            role: Role::Starting,
        };
        Self {
            store,
            clock,
            lease,
            status: watch::Sender::new(status),
        }
    }

    /// The replica's current name and role.
    pub fn status(&self) -> ReplicaStatus {
        self.status.borrow().clone()
    }

    /// Whether this replica leads now.
    pub fn is_leader(&self) -> bool {
        self.status.borrow().is_leader()
    }

    /// A receiver of every role change.
    pub fn subscribe(&self) -> watch::Receiver<ReplicaStatus> {
        self.status.subscribe()
    }

    /// How often the lease is renewed (a third of it).
    pub fn renew_every(&self) -> Duration {
        self.lease / 3
    }

    /// One try: takes or renews the lease, or learns who holds it. A store error or a try
    /// slower than [`Self::renew_every`] makes this replica a follower.
    pub async fn try_lead(&self) -> Role {
        let replica = self.status.borrow().replica.clone();
        let now = self.clock.now();
        let tried = tokio::time::timeout(
            self.renew_every(),
            self.store.leader_acquire(&replica, self.lease, now),
        )
        .await;
        let role = match tried {
            Ok(Ok(Some(lease))) => Role::Leader { epoch: lease.epoch },
            Ok(Ok(None)) => Role::Follower {
                leader: self
                    .store
                    .leader_get()
                    .await
                    .ok()
                    .flatten()
                    .map(|l| l.holder),
            },
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot renew the leader lease; following");
                Role::Follower { leader: None }
            }
            Err(_) => {
                tracing::warn!("the leader lease was not renewed in time; following");
                Role::Follower { leader: None }
            }
        };
        self.publish(role.clone());
        role
    }

    fn publish(&self, role: Role) {
        let leading = matches!(role, Role::Leader { .. });
        metrics::gauge!(LEADER_GAUGE).set(if leading { 1.0 } else { 0.0 });
        self.status.send_if_modified(|status| {
            if status.role == role {
                return false;
            }
            match &role {
                Role::Leader { epoch } => tracing::info!(epoch, "this replica now leads"),
                Role::Follower { leader } => tracing::info!(
                    leader = leader.as_deref().unwrap_or("unknown"),
                    "this replica follows"
                ),
                Role::Starting => {}
            }
            status.role = role;
            true
        });
    }

    /// Tries to lead every [`Self::renew_every`] until `cancel` fires, rescuing expired item
    /// leases while leading; then gives the lease up.
    pub async fn run(&self, cancel: CancellationToken) {
        let mut ticks = tokio::time::interval(self.renew_every());
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = ticks.tick() => {
                    if let Role::Leader { .. } = self.try_lead().await {
                        self.rescue_expired().await;
                    }
                }
            }
        }
        self.release().await;
    }

    async fn rescue_expired(&self) {
        match self.store.item_rescue_expired(self.clock.now()).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                rescued = n,
                "returned items with expired leases to the queue"
            ),
            Err(error) => tracing::error!(%error, "lease rescue failed"),
        }
    }

    /// Gives the lease up (if held) so another replica takes over at its next try.
    pub async fn release(&self) {
        let replica = self.status.borrow().replica.clone();
        if let Err(error) = self.store.leader_release(&replica, self.clock.now()).await {
            tracing::warn!(%error, "cannot release the leader lease; it lapses on its own");
        }
        self.publish(Role::Follower { leader: None });
    }

    /// Runs `work` while this replica leads: `None` without running it when following, and
    /// `None` (the work dropped mid-way) as soon as leadership is lost.
    pub async fn while_leading<F: Future>(&self, work: F) -> Option<F::Output> {
        let mut status = self.subscribe();
        if !status.borrow_and_update().is_leader() {
            return None;
        }
        tokio::select! {
            out = work => Some(out),
            _ = status.wait_for(|s| !s.is_leader()) => {
                tracing::warn!("leadership lost: the cycle in progress was abandoned");
                None
            }
        }
    }

    /// A watch that resolves each time this replica becomes the leader.
    pub fn gains(&self) -> LeaderGains {
        let status = self.subscribe();
        let was = status.borrow().is_leader();
        LeaderGains { status, was }
    }
}

/// Resolves each time a replica becomes the leader ([`Leadership::gains`]).
#[derive(Debug)]
pub struct LeaderGains {
    status: watch::Receiver<ReplicaStatus>,
    was: bool,
}

impl LeaderGains {
    /// Resolves at the next change from not leading to leading (at once if one happened since
    /// the last call). Cancel-safe: the state moves only after a change was seen.
    pub async fn next(&mut self) {
        loop {
            if self.status.changed().await.is_err() {
                return std::future::pending().await;
            }
            let is = self.status.borrow_and_update().is_leader();
            let gained = is && !self.was;
            self.was = is;
            if gained {
                return;
            }
        }
    }
}
