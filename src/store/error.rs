//! `StoreError`: what can go wrong in the state store, typed so callers can decide.

use super::model::ItemState;
use super::run::RunId;

/// An error from the state store.
///
/// A lost lease is not an error: settle operations return
/// [`SettleResult::LeaseLost`](super::SettleResult::LeaseLost) instead.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or a statement failed; usually worth a retry.
    #[error("state store database error")]
    Database(#[source] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("state store migration failed")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The store URL or its options are invalid.
    #[error("invalid state store URL: {0}")]
    InvalidUrl(String),
    /// An argument cannot be stored (e.g. a lease too long to represent).
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// No run with this id.
    #[error("run {0} not found")]
    RunNotFound(RunId),
    /// The run is not waiting for an operator (never held, or already approved or rejected).
    #[error("run {0} is not held")]
    RunNotHeld(RunId),
    /// The run was held, but a newer recorded run closed it: only the newest can be decided.
    #[error("run {run} was superseded by run {by}, planned from a newer read: decide that one")]
    RunSuperseded {
        /// The run asked for.
        run: RunId,
        /// The newer run.
        by: RunId,
    },
    /// No queue item with this anchor.
    #[error("no queue item for anchor {0:?}")]
    ItemNotFound(String),
    /// The item is not in the state the operation needs.
    #[error("queue item {anchor:?} is {actual}, expected {expected}")]
    WrongState {
        /// The anchor of the item.
        anchor: String,
        /// The state the operation needs.
        expected: ItemState,
        /// The state the item is in.
        actual: ItemState,
    },
    /// A stored value could not be decoded (corrupt or foreign data).
    #[error("state store holds an invalid value: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Whether retrying the same call later may succeed (database trouble, not a logic error).
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Database(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(format!("JSON: {e}"))
    }
}
