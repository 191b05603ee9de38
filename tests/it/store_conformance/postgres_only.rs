//! PostgreSQL-only behaviour beyond the conformance suite: wake-ups across replicas through
//! `LISTEN`/`NOTIFY`, and the trigger that keeps the attempt history append-only.

use std::sync::Arc;
use std::time::Duration;

use guestsync::store::{LinkUpdate, PgStore, Store};
use sqlx::Connection;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::fixtures::{LEASE, at, error, planned, run, t0};

/// The longest a test waits for a notification before failing (a bound, not a timing check).
const PATIENCE: Duration = Duration::from_secs(30);

async fn fresh() -> Option<(String, PgStore)> {
    let url = crate::support::db::fresh_postgres().await?;
    let store = PgStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    Some((url, store))
}

#[tokio::test]
async fn recording_a_plan_wakes_another_replica() {
    let Some((url, listening)) = fresh().await else {
        return;
    };
    let wake = Arc::new(Notify::new());
    let cancel = CancellationToken::new();
    let task = listening
        .listen(wake.clone(), cancel.clone())
        .await
        .unwrap();

    let other = PgStore::connect(&url).await.unwrap();
    let id = run(&other).await;
    other
        .plan_record(id, t0(), vec![planned("a", "invite", "h")])
        .await
        .unwrap();
    tokio::time::timeout(PATIENCE, wake.notified())
        .await
        .expect("no wake-up after plan_record");

    cancel.cancel();
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the listener did not stop")
        .unwrap();
}

#[tokio::test]
async fn reviving_a_dead_item_wakes_the_pool() {
    let Some((_, store)) = fresh().await else {
        return;
    };
    let wake = Arc::new(Notify::new());
    let cancel = CancellationToken::new();
    let _task = store.listen(wake.clone(), cancel.clone()).await.unwrap();
    let id = run(&store).await;
    store
        .plan_record(id, t0(), vec![planned("a", "invite", "h")])
        .await
        .unwrap();
    tokio::time::timeout(PATIENCE, wake.notified())
        .await
        .expect("no wake-up after plan_record");
    let claimed = store.item_claim("w", 1, LEASE, at(1)).await.unwrap();
    let token = claimed[0].lease_token;
    store
        .item_dead("a", token, at(2), error("400"))
        .await
        .unwrap();
    store.item_retry_dead("a", at(3)).await.unwrap();
    tokio::time::timeout(PATIENCE, wake.notified())
        .await
        .expect("no wake-up after item_retry_dead");
    cancel.cancel();
}

#[tokio::test]
async fn the_database_refuses_to_rewrite_attempt_history() {
    let Some((url, store)) = fresh().await else {
        return;
    };
    let id = run(&store).await;
    store
        .plan_record(id, t0(), vec![planned("a", "invite", "h")])
        .await
        .unwrap();
    let claimed = store.item_claim("w", 1, LEASE, at(1)).await.unwrap();
    let token = claimed[0].lease_token;
    let done = store.item_complete("a", token, 1, at(2), LinkUpdate::Keep);
    done.await.unwrap();
    assert_eq!(store.attempt_list("a").await.unwrap().len(), 1);

    let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
    let err = sqlx::query("UPDATE attempt SET reason = 'rewritten'")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let history = store.attempt_list("a").await.unwrap();
    assert_eq!(history[0].reason, None);
}

#[tokio::test]
async fn the_store_never_shows_its_password() {
    let Some(url) = crate::support::db::fresh_postgres().await else {
        return;
    };
    // The test server trusts local connections, so any password is accepted; a server that
    // checks passwords keeps the configured one.
    let mut with_password = url::Url::parse(&url).unwrap();
    if with_password.password().is_none() {
        with_password.set_password(Some("s3cr3t")).unwrap();
    }
    let store = PgStore::connect(with_password.as_str()).await.unwrap();
    store.migrate().await.unwrap();
    assert!(!format!("{store:?}").contains("s3cr3t"));
    let err = PgStore::connect("postgres://postgres:s3cr3t@127.0.0.1:1/nope")
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("s3cr3t"), "{err:?}");
}
