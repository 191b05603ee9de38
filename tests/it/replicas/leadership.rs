//! The leader election of `Leadership` over one SQLite store and a manual clock: one leader,
//! takeover after the lease lapses, hand-over on release, a cycle abandoned when leadership is
//! lost, and the run loop leading and releasing.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use guestsync::clock::{Clock, ManualClock};
use guestsync::replicas::{Leadership, Role};
use guestsync::store::{SqliteStore, Store};
use tokio_util::sync::CancellationToken;

const LEASE: Duration = Duration::from_secs(30);

async fn store() -> (tempfile::TempDir, Arc<dyn Store>) {
    let (dir, url) = crate::support::db::fresh_sqlite();
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    (dir, Arc::new(store))
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
    ))
}

fn replica(store: &Arc<dyn Store>, clock: &Arc<ManualClock>, id: &str) -> Arc<Leadership> {
    let clock: Arc<dyn Clock> = clock.clone();
    Arc::new(Leadership::new(store.clone(), clock, id.to_string(), LEASE))
}

#[tokio::test]
async fn one_leader_until_its_lease_lapses_then_another_takes_over() {
    let (_dir, store) = store().await;
    let clock = clock();
    let (a, b) = (replica(&store, &clock, "a"), replica(&store, &clock, "b"));
    assert_eq!(a.status().role, Role::Starting);
    assert_eq!(a.try_lead().await, Role::Leader { epoch: 1 });
    let leader = Some("a".to_string());
    assert_eq!(b.try_lead().await, Role::Follower { leader });
    clock.advance(chrono::Duration::seconds(29));
    assert_eq!(a.try_lead().await, Role::Leader { epoch: 1 }, "renewed");
    clock.advance(chrono::Duration::seconds(29));
    assert!(
        !b.try_lead().await.eq(&Role::Leader { epoch: 2 }),
        "a renewed 29 s ago"
    );
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(b.try_lead().await, Role::Leader { epoch: 2 });
    assert_eq!(
        a.try_lead().await,
        Role::Follower {
            leader: Some("b".into())
        }
    );
    assert!(b.is_leader() && !a.is_leader());
}

#[tokio::test]
async fn a_released_lease_is_taken_over_at_once() {
    let (_dir, store) = store().await;
    let clock = clock();
    let (a, b) = (replica(&store, &clock, "a"), replica(&store, &clock, "b"));
    a.try_lead().await;
    a.release().await;
    assert!(!a.is_leader());
    assert_eq!(b.try_lead().await, Role::Leader { epoch: 2 });
}

#[tokio::test]
async fn work_runs_only_while_leading() {
    let (_dir, store) = store().await;
    let clock = clock();
    let (a, b) = (replica(&store, &clock, "a"), replica(&store, &clock, "b"));
    assert_eq!(
        b.while_leading(async { 1 }).await,
        None,
        "b is not the leader"
    );
    a.try_lead().await;
    assert_eq!(a.while_leading(async { 1 }).await, Some(1));

    let mut gains = b.gains();
    let abandoned = {
        let a = a.clone();
        tokio::spawn(async move { a.while_leading(std::future::pending::<()>()).await })
    };
    clock.advance(chrono::Duration::seconds(31));
    b.try_lead().await;
    gains.next().await;
    assert!(b.is_leader());
    a.try_lead().await;
    assert_eq!(
        abandoned.await.unwrap(),
        None,
        "a's work is dropped when it stops leading"
    );
}

#[tokio::test]
async fn the_run_loop_leads_and_releases_on_cancel() {
    let (_dir, store) = store().await;
    let clock = clock();
    let a = replica(&store, &clock, "a");
    let cancel = CancellationToken::new();
    let mut gains = a.gains();
    let running = {
        let (a, cancel) = (a.clone(), cancel.clone());
        tokio::spawn(async move { a.run(cancel).await })
    };
    gains.next().await;
    assert!(a.is_leader());
    cancel.cancel();
    running.await.unwrap();
    assert!(!a.is_leader());
    let lease = store.leader_get().await.unwrap().unwrap();
    assert!(!lease.is_live(clock.now()), "released: {lease:?}");
}
