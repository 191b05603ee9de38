//! The quarantine: a breaker for permanent, tenant-wide Graph failures (a wrong secret, a
//! missing permission such as User.Invite.All, invitations disabled in the tenant).
//!
//! Modelled on the Entra provisioning service (notes/anchors.md row 24, source [36]): when most
//! Graph calls of a cycle fail with the same permanent cause, work stops (workers claim nothing),
//! readiness names the cause, and a probe runs at a slow pace until one succeeds.
//!
//! - [`decide`]: the pure decision (error ratio and one shared cause) and the probe schedule.
//! - [`tally`]: [`CallTally`], the count of Graph call outcomes since the cycle began.
//!
//! The state lives in the state store ([`crate::store::QuarantineRecord`]) so every replica
//! sees it; the cycle runner in [`crate::ops`] enters and leaves it.

pub mod decide;
pub mod tally;

pub use decide::{
    Cause, QuarantinePolicy, Tally, cause_of, decide, enter, item_failed_with, next_probe,
};
pub use tally::CallTally;
