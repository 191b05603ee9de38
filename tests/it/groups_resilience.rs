//! Group work under throttling and races: the worker re-reads the members before writing, so
//! work that was partly applied, or overtaken by someone else's write, converges without a
//! dead item and without a write during a `Retry-After`.

use std::path::Path;

use guestsync::emulator::{Budget, Knobs, RetryAfterMode};
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use tokio_util::sync::CancellationToken;

use crate::support::world::World;

const QUERY: &str = "SELECT anchor, email, groups FROM member_rows";

async fn write_rows(path: &Path, n: usize, groups: &str) {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("CREATE TABLE member_rows (anchor TEXT, email TEXT, groups TEXT)")
        .execute(&mut conn)
        .await
        .unwrap();
    for i in 0..n {
        sqlx::query("INSERT INTO member_rows VALUES (?, ?, ?)")
            .bind(format!("r{i:02}"))
            .bind(format!("r{i:02}@partner.example"))
            .bind(groups)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
}

/// A world with `n` rows, all in one managed group; the first cycle has invited them.
async fn invited_world(n: usize) -> (World, String) {
    let mut world = World::start(Knobs::default(), Vec::new(), &[]).await;
    let group = world.emulator.create_group();
    let path = world.dir.path().join("members.db");
    write_rows(&path, n, &group).await;
    world.extra_env = vec![
        (
            "GUESTSYNC__SOURCE__URL".into(),
            format!("sqlite://{}", path.display()),
        ),
        ("GUESTSYNC__SOURCE__QUERY".into(), QUERY.into()),
        ("GUESTSYNC__GROUPS__MANAGED".into(), group.clone()),
    ];
    let (report, drained) = world.sync_once().await;
    assert_eq!((report.counts.invites, drained.dead()), (n as u64, 0));
    (world, group)
}

fn guest_ids(world: &World) -> Vec<String> {
    let mut ids: Vec<String> = world
        .emulator
        .users()
        .iter()
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn members(world: &World, group: &str) -> Vec<String> {
    let mut ids = world.emulator.group_members(group).unwrap();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn additions_converge_under_throttling_without_writing_during_retry_after() {
    let (world, group) = invited_world(45).await;
    world.emulator.set_knobs(Knobs {
        write_budget: Some(Budget {
            per_second: 1.0,
            burst: 1,
        }),
        retry_after: RetryAfterMode::Fixed(1),
        ..Knobs::default()
    });
    let (_, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0, "{:?}", drained.counts);
    assert_eq!(members(&world, &group), guest_ids(&world));
    let counters = world.emulator.counters();
    assert!(counters.throttled > 0, "the budget knob did nothing");
    assert_eq!(counters.during_retry_after, 0, "{counters:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_added_meanwhile_are_not_added_again() {
    let (world, group) = invited_world(25).await;
    let parts = world.parts().await;
    parts.engine.run_cycle("test").await.unwrap();
    // Between the plan and the worker, someone adds five of the planned members.
    for id in guest_ids(&world).iter().take(5) {
        assert!(world.emulator.add_group_member_as_admin(&group, id));
    }
    let patches_before = world
        .emulator
        .counters()
        .requests_by_route
        .get("PATCH /groups/{id}")
        .copied();
    let drained = parts
        .pool
        .drain(CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(drained.dead(), 0, "{:?}", drained.counts);
    assert_eq!(members(&world, &group), guest_ids(&world));
    let counters = world.emulator.counters();
    assert_eq!(patches_before, None);
    assert_eq!(
        counters.requests_by_route["PATCH /groups/{id}"], 1,
        "20 left: one write"
    );
}
