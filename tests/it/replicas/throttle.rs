//! The Graph throttle's state shared through PostgreSQL: two replicas' states over one tenant
//! row hand out pacing slots at one interval per slot between them, and a `Retry-After` pause set by
//! one holds the other (never shortened).

use std::sync::Arc;
use std::time::Duration;

use guestsync::clock::{Clock, SystemClock};
use guestsync::graph::{OpKind, ThrottleState};
use guestsync::replicas::PgThrottleState;
use guestsync::store::{PgStore, Store};
use tokio::time::Instant;

const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";

async fn two_replicas() -> Option<(PgThrottleState, PgThrottleState)> {
    let url = crate::support::db::fresh_postgres().await?;
    let store = PgStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let a = PgThrottleState::new(store.clone(), TENANT, clock.clone())
        .await
        .unwrap();
    let other = PgStore::connect(&url).await.unwrap();
    let b = PgThrottleState::new(other, TENANT, clock).await.unwrap();
    Some((a, b))
}

#[tokio::test]
async fn slots_are_paced_across_replicas() {
    let Some((a, b)) = two_replicas().await else {
        return;
    };
    let interval = Duration::from_millis(100);
    let mut slots = Vec::new();
    for i in 0..10 {
        let state = if i % 2 == 0 { &a } else { &b };
        slots.push(
            state
                .reserve_slot(OpKind::Write, Instant::now(), interval)
                .await,
        );
    }
    let read = a.reserve_slot(OpKind::Read, Instant::now(), interval).await;
    assert!(read < slots[9], "reads draw from their own budget");
    // The slots are wall-clock times converted back: allow a millisecond of rounding. The
    // pacing may let a slot leave up to half an interval early (GCRA), never more, and never
    // two slots closer than half an interval.
    let rounding = Duration::from_millis(1);
    for pair in slots.windows(2) {
        let gap = pair[1].saturating_duration_since(pair[0]);
        assert!(gap + rounding >= interval / 2, "{gap:?} between two slots");
    }
    for (k, slot) in slots.iter().enumerate() {
        let due = slots[0] + interval * u32::try_from(k).unwrap();
        assert!(
            *slot + interval / 2 + rounding >= due,
            "slot {k} is {:?} early",
            due.saturating_duration_since(*slot)
        );
    }
}

#[tokio::test]
async fn a_pause_set_by_one_replica_holds_the_other() {
    let Some((a, b)) = two_replicas().await else {
        return;
    };
    assert_eq!(b.paused_until().await, None);
    let until = Instant::now() + Duration::from_secs(30);
    a.extend_pause(until).await;
    b.extend_pause(Instant::now() + Duration::from_secs(5))
        .await;
    let seen = b.paused_until().await.expect("b sees a's pause");
    let skew = if seen > until {
        seen - until
    } else {
        until - seen
    };
    assert!(skew < Duration::from_millis(50), "{skew:?} off a's pause");
}
