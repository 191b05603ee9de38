//! The whole engine on the PostgreSQL state store: source → plan → queue → workers →
//! emulator, with the brake holding a run until an operator approves it.

use guestsync::demo::sample::partner_rows;
use guestsync::emulator::Knobs;
use guestsync::store::{HeldStatus, ItemState};

use crate::support::world::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_converges_and_holds_a_run_on_postgres() {
    let Some(url) = crate::support::db::fresh_postgres().await else {
        return;
    };
    let rows: Vec<_> = partner_rows(100).into_iter().take(100).collect();
    let mut world = World::start(Knobs::default(), Vec::new(), &rows).await;
    world
        .extra_env
        .push(("GUESTSYNC__STATE__URL".into(), url.clone()));
    let (report, drained) = world.sync_once().await;
    assert_eq!(report.counts.invites, 100);
    assert_eq!(drained.dead(), 0, "{:?}", drained.counts);
    for row in &rows {
        assert_eq!(world.users_with_mail(&row.email).len(), 1, "{}", row.email);
    }

    world.set_rows(&rows[..90]).await;
    let (report, _) = world.sync_once().await;
    assert!(report.is_held(), "{:?}", report.outcome);
    assert_eq!(report.held_disables, 10);
    let parts = world.parts().await;
    let held = parts.store.held_runs().await.unwrap();
    assert_eq!(
        held.iter().map(|r| r.id).collect::<Vec<_>>(),
        [report.run_id]
    );
    for row in &rows[90..] {
        assert_eq!(world.users_with_mail(&row.email)[0]["accountEnabled"], true);
    }

    parts
        .store
        .run_approve(report.run_id, chrono::Utc::now())
        .await
        .unwrap();
    let drained = parts
        .pool
        .drain(tokio_util::sync::CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(drained.dead(), 0);
    for row in &rows[90..] {
        let user = &world.users_with_mail(&row.email)[0];
        assert_eq!(user["accountEnabled"], false, "{}", row.email);
    }
    for row in &rows[..90] {
        assert_eq!(world.users_with_mail(&row.email)[0]["accountEnabled"], true);
    }
    let run = parts.store.run_get(report.run_id).await.unwrap();
    assert_eq!(run.held, Some(HeldStatus::Approved));
    let counts = parts.store.item_counts().await.unwrap();
    assert_eq!(counts[&ItemState::Done], 100, "{counts:?}");
    assert!(
        world
            .dir
            .path()
            .read_dir()
            .unwrap()
            .all(|e| { e.unwrap().file_name() != "state.db" }),
        "the SQLite state store was used"
    );
}
