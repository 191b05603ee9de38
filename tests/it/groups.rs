//! Group memberships end to end (issue 4, item 7): source `groups` column → group planner →
//! queue → worker → emulator. Only `groups.managed` is touched, and only owned guests in it;
//! additions go by 20 per `PATCH /groups/{id}`, removals through `$batch`.

use std::path::{Path, PathBuf};

use guestsync::emulator::{Knobs, SeedUser};
use guestsync::store::ItemState;
use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

use crate::support::world::World;

const QUERY: &str = "SELECT anchor, email, display_name, groups FROM member_rows";

/// A member source row: anchor, e-mail, groups cell.
type Row<'a> = (&'a str, String, Option<String>);

async fn write_rows(path: &Path, rows: &[Row<'_>]) {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let mut conn = SqliteConnection::connect_with(&options).await.unwrap();
    sqlx::query("DROP TABLE IF EXISTS member_rows")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "CREATE TABLE member_rows (anchor TEXT, email TEXT, display_name TEXT, groups TEXT)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    for (anchor, email, groups) in rows {
        sqlx::query("INSERT INTO member_rows VALUES (?, ?, ?, ?)")
            .bind(anchor)
            .bind(email)
            .bind(format!("Partner {anchor}"))
            .bind(groups)
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
}

/// A world whose source is `member_rows` (empty so far).
async fn world() -> (World, PathBuf) {
    let mut world = World::start(Knobs::default(), Vec::new(), &[]).await;
    let path = world.dir.path().join("members.db");
    write_rows(&path, &[]).await;
    world.extra_env = vec![
        (
            "GUESTSYNC__SOURCE__URL".into(),
            format!("sqlite://{}", path.display()),
        ),
        ("GUESTSYNC__SOURCE__QUERY".into(), QUERY.into()),
    ];
    (world, path)
}

/// Manages `groups` (in the environment's string form); `partners` names the first.
fn manage(world: &mut World, groups: &[&str]) {
    world.extra_env.extend([
        ("GUESTSYNC__GROUPS__MANAGED".into(), groups.join(", ")),
        (
            "GUESTSYNC__GROUPS__NAMES__PARTNERS".into(),
            groups[0].into(),
        ),
    ]);
}

fn mail(anchor: &str) -> String {
    format!("{anchor}@partner.example")
}

fn object_id(world: &World, anchor: &str) -> String {
    let users = world.users_with_mail(&mail(anchor));
    assert_eq!(users.len(), 1, "{anchor}");
    users[0]["id"].as_str().unwrap().to_owned()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

fn route(world: &World, route: &str) -> u64 {
    let counters = world.emulator.counters();
    counters.requests_by_route.get(route).copied().unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn membership_converges_and_only_managed_groups_are_touched() {
    let (mut world, path) = world().await;
    let new_group = || world.emulator.create_group();
    let (g1, g2, g3) = (new_group(), new_group(), new_group());
    manage(&mut world, &[&g1, &g2]);
    let stranger = world
        .emulator
        .add_user(SeedUser::guest("stranger@partner.example"));
    assert!(world.emulator.add_group_member_as_admin(&g1, &stranger));
    let rows = |a: &str| {
        vec![
            ("a", mail("a"), Some(a.to_string())),
            ("b", mail("b"), Some(" PARTNERS ".to_string())),
            ("c", mail("c"), None),
        ]
    };
    write_rows(&path, &rows(&format!("partners;{g2}"))).await;

    let (report, drained) = world.sync_once().await;
    assert_eq!((report.counts.invites, drained.dead()), (3, 0));
    assert_eq!(
        world.emulator.group_members(&g1).unwrap(),
        vec![stranger.clone()]
    );
    let (a, b, c) = (
        object_id(&world, "a"),
        object_id(&world, "b"),
        object_id(&world, "c"),
    );
    // c is in a managed group it should not be in, and in an unmanaged one.
    assert!(world.emulator.add_group_member_as_admin(&g1, &c));
    assert!(world.emulator.add_group_member_as_admin(&g3, &c));

    let (_, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0, "{:?}", drained.counts);
    let members = |g: &str| sorted(world.emulator.group_members(g).unwrap());
    assert_eq!(
        members(&g1),
        sorted(vec![stranger.clone(), a.clone(), b.clone()])
    );
    assert_eq!(members(&g2), vec![a.clone()]);
    assert_eq!(
        members(&g3),
        vec![c.clone()],
        "an unmanaged group was touched"
    );
    assert_eq!(route(&world, "PATCH /groups/{id}"), 2);
    assert_eq!(route(&world, "DELETE /groups/{id}/members/{id}/$ref"), 1);
    assert_eq!(route(&world, "POST /$batch"), 1);
    assert_eq!(route(&world, "POST /groups/{id}/members/$ref"), 0);

    write_rows(&path, &rows("partners")).await;
    let (_, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0);
    assert!(members(&g2).is_empty());
    assert_eq!(members(&g1), sorted(vec![stranger.clone(), a, b]));

    let writes = world.emulator.counters().writes_total;
    world.sync_once().await;
    assert_eq!(
        world.emulator.counters().writes_total,
        writes,
        "a converged cycle wrote"
    );
    assert_eq!(members(&g3), vec![c]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forty_five_additions_cost_three_writes_once_the_guests_are_known() {
    let (mut world, path) = world().await;
    let group = world.emulator.create_group();
    manage(&mut world, &[&group]);
    let anchors: Vec<String> = (0..45).map(|i| format!("p{i:02}")).collect();
    let rows: Vec<Row<'_>> = anchors
        .iter()
        .map(|a| (a.as_str(), mail(a), Some("partners".to_string())))
        .collect();
    write_rows(&path, &rows).await;

    let (report, drained) = world.sync_once().await;
    assert_eq!((report.counts.invites, drained.dead()), (45, 0));
    // Invited this cycle: the object ids were not known when it planned.
    assert!(world.emulator.group_members(&group).unwrap().is_empty());

    let before = world.emulator.counters().writes_total;
    let (_, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0);
    let after = world.emulator.counters().writes_total;
    assert_eq!(after - before, 3, "45 additions should cost 3 writes");
    assert_eq!(route(&world, "PATCH /groups/{id}"), 3);
    let expected = sorted(anchors.iter().map(|a| object_id(&world, a)).collect());
    assert_eq!(
        sorted(world.emulator.group_members(&group).unwrap()),
        expected
    );

    let parts = world.parts().await;
    let item = parts
        .store
        .item_get(&format!("group:{group}"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (item.action.as_str(), item.state),
        ("group_members", ItemState::Done)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_group_name_rejects_the_row_and_a_missing_column_fails_the_cycle() {
    let (mut world, path) = world().await;
    let group = world.emulator.create_group();
    manage(&mut world, &[&group]);
    let rows = vec![
        ("ok", mail("ok"), Some(group.to_uppercase())),
        ("bad", mail("bad"), Some("partners;vendors".to_string())),
    ];
    write_rows(&path, &rows).await;

    let parts = world.parts().await;
    let report = parts.engine.run_cycle("test").await.unwrap();
    assert_eq!(report.counts.invites, 1);
    let rejected = parts.store.run_rejections(report.run_id).await.unwrap();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].anchor.as_deref(), Some("bad"));
    assert_eq!(rejected[0].row_number, 2);
    assert!(
        rejected[0].reason.contains("'vendors'"),
        "{}",
        rejected[0].reason
    );

    world.extra_env[1].1 = "SELECT anchor, email FROM member_rows".into();
    let parts = world.parts().await;
    let error = parts.engine.run_cycle("test").await.unwrap_err();
    assert!(error.to_string().contains("`groups`"), "{error}");
}
