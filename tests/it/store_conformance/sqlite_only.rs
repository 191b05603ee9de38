//! SQLite-only behaviour: two processes starting on one fresh state file both migrate it (the
//! embedded default has no migration lock, as PostgreSQL's advisory lock is).

use guestsync::store::{SqliteStore, Store};

use crate::support::db;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_migrating_one_fresh_file_at_once_both_succeed() {
    for round in 0..10 {
        let (_dir, url) = db::fresh_sqlite();
        let (a, b) = tokio::join!(SqliteStore::connect(&url), SqliteStore::connect(&url));
        let (a, b) = (a.unwrap(), b.unwrap());
        let (first, second) = tokio::join!(a.migrate(), b.migrate());
        assert!(
            first.is_ok() && second.is_ok(),
            "round {round}: {first:?} {second:?}"
        );
        assert!(
            a.held_runs().await.unwrap().is_empty(),
            "the schema is there"
        );
    }
}
