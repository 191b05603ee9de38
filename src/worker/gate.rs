//! [`Gate`]: whether workers may claim, from the control row in the state store (pause and
//! quarantine, shared by every replica). The answer is cached for [`Gate::EVERY`], so idle
//! workers do not add a query per poll; a pause therefore takes effect within that time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::store::Store;

/// A cached view of "is work held?".
#[derive(Debug)]
pub struct Gate {
    store: Arc<dyn Store>,
    last: Mutex<Option<(Instant, bool)>>,
}

impl Gate {
    /// How long an answer is reused.
    pub const EVERY: Duration = Duration::from_secs(1);

    /// A gate over the store's control row.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            last: Mutex::new(None),
        }
    }

    /// Whether work is held (paused or quarantined). A store failure holds nothing here: the
    /// claim that follows fails on its own and is logged there.
    pub async fn holds(&self) -> bool {
        let mut last = self.last.lock().await;
        if let Some((at, held)) = *last
            && at.elapsed() < Self::EVERY
        {
            return held;
        }
        let held = self.store.control_get().await.is_ok_and(|c| c.holds_work());
        *last = Some((Instant::now(), held));
        held
    }
}
