//! Several `guestsync run` replicas on one PostgreSQL state store.
//!
//! - [`leadership`]: the leader lease. One replica at a time (the leader) reads the source,
//!   plans, records and rescues expired leases; every replica runs its worker pool.
//! - [`shared_throttle`]: the Graph budget and `Retry-After` pause kept in PostgreSQL, so N
//!   replicas together stay within one tenant's budget.
//! - [`replica_id`]: the name a replica goes by (`replicas.id`, else `hostname-pid`).
//!
//! Decision: leadership is a lease row with an epoch (fencing token), not a PostgreSQL
//! advisory lock. Its time comes from the [`Clock`](crate::clock::Clock), so tests drive it
//! and the SQLite store has the same semantics; a leader that cannot renew steps down before
//! its lease lapses, and a leader whose host vanishes is replaced one lease period later
//! whatever the state of its TCP connection.

pub mod leadership;
pub mod replica_id;
pub mod shared_throttle;

pub use leadership::{LEADER_GAUGE, Leadership, ReplicaStatus, Role};
pub use replica_id::replica_id;
pub use shared_throttle::PgThrottleState;
