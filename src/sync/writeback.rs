//! The cycle's write-back: after the plan and the redemption states are recorded, every live
//! link's row (with its item's last error and the guest's `userType`) goes to the write-back
//! table; rows this process already wrote unchanged are skipped. A failure is logged and
//! counted; it never fails the cycle (the next cycle writes again).

use std::collections::HashMap;

use super::RedemptionSummary;
use crate::store::{ItemFilter, ItemRecord, Store, StoreError};
use crate::writeback::{WriteBack, WriteBackRow, row_for};

/// Writes the rows of every live link.
pub(super) async fn after_cycle(
    store: &dyn Store,
    writeback: &WriteBack,
    redemption: &RedemptionSummary,
) {
    let rows = match rows(store, redemption).await {
        Ok(rows) => rows,
        Err(error) => {
            tracing::warn!(%error, "write-back skipped: cannot read the state store");
            return;
        }
    };
    match writeback.write(rows).await {
        Ok(written) => tracing::debug!(written, "write-back done"),
        Err(error) => {
            tracing::warn!(%error, "write-back failed; the next cycle writes again");
            metrics::counter!("guestsync_writeback_failures_total").increment(1);
        }
    }
}

async fn rows(
    store: &dyn Store,
    redemption: &RedemptionSummary,
) -> Result<Vec<WriteBackRow>, StoreError> {
    let filter = ItemFilter {
        limit: u32::MAX,
        ..ItemFilter::default()
    };
    let items: HashMap<String, ItemRecord> = store
        .item_list(filter)
        .await?
        .into_iter()
        .map(|i| (i.anchor.clone(), i))
        .collect();
    let links = store.link_list().await?;
    Ok(links
        .iter()
        .filter(|l| l.deleted_at.is_none())
        .map(|l| {
            let user_type = redemption.user_types.get(&l.anchor).map(String::as_str);
            row_for(l, items.get(&l.anchor), user_type)
        })
        .collect())
}
