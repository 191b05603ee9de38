//! Wake-ups across replicas: a `LISTEN guestsync_item` task that turns notifications (sent by
//! plan recording, approvals and revivals) into `Notify` wake-ups for the worker pool.

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::PgStore;
use crate::store::StoreResult;

/// The channel every queue change is announced on.
pub(super) const CHANNEL: &str = "guestsync_item";
/// The pause after a lost listening connection before `recv` reconnects.
const RECONNECT_PAUSE: Duration = Duration::from_secs(1);

impl PgStore {
    /// Starts listening for queue changes: every notification calls `wake.notify_one()` until
    /// `cancel` fires. Fails only if the first `LISTEN` fails; later connection losses are
    /// logged and the listener reconnects (the pool polls anyway, so a missed wake-up only
    /// delays work).
    pub async fn listen(
        &self,
        wake: Arc<Notify>,
        cancel: CancellationToken,
    ) -> StoreResult<JoinHandle<()>> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = cancel.cancelled() => return,
                    got = listener.recv() => match got {
                        Ok(_) => wake.notify_one(),
                        Err(e) => {
                            tracing::warn!(error = %e, "state store listener lost its connection");
                            tokio::time::sleep(RECONNECT_PAUSE).await;
                        }
                    },
                }
            }
        }))
    }
}
