//! Redemption tracking and the write-back, end to end against the emulator: a guest who
//! redeems shows as accepted in the state store and in the write-back table within one cycle,
//! and the write-back table holds each invitation's redeem URL.

pub(crate) mod mail;
mod writeback;

use std::collections::BTreeMap;

use guestsync::demo::sample::{PartnerRow, partner_rows};
use guestsync::emulator::Knobs;
use guestsync::store::{RedeemUrl, RedemptionState};
use sqlx::Row;

use crate::support::world::World;

fn rows(n: usize) -> Vec<PartnerRow> {
    partner_rows(n).into_iter().take(n).collect()
}

/// The write-back table of the world's source database, by anchor.
async fn writeback_rows(world: &World) -> BTreeMap<String, sqlx::sqlite::SqliteRow> {
    let url = format!("sqlite://{}", world.source_db.display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows = sqlx::query("SELECT * FROM guestsync_writeback")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.into_iter()
        .map(|r| (r.get::<String, _>("anchor"), r))
        .collect()
}

fn with_writeback(world: &mut World) {
    world
        .extra_env
        .push(("GUESTSYNC__WRITEBACK__ENABLED".into(), "true".into()));
}

#[tokio::test]
async fn a_redeemed_guest_is_accepted_in_the_store_and_the_writeback_within_one_cycle() {
    let mut world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    with_writeback(&mut world);
    let (report, drained) = world.sync_once().await;
    assert_eq!((report.counts.invites, drained.dead()), (3, 0));

    // After the invitations: each row holds the redeem URL the link holds.
    let parts = world.parts().await;
    let links = parts.store.link_list().await.unwrap();
    assert_eq!(links.len(), 3);
    let written = writeback_rows(&world).await;
    for link in &links {
        let row = &written[&link.anchor];
        let url = link.redeem_url.as_ref().map(RedeemUrl::expose);
        assert!(url.is_some_and(|u| u.contains("/redeem?rd=")), "{link:?}");
        assert_eq!(row.get::<Option<String>, _>("redeem_url").as_deref(), url);
        assert_eq!(row.get::<String, _>("object_id"), link.object_id);
        assert_eq!(
            row.get::<Option<String>, _>("user_type").as_deref(),
            Some("Guest")
        );
    }

    // The next cycle sees them pending; then one guest redeems.
    let (report, _) = world.sync_once().await;
    assert_eq!(report.counts.pending_acceptance, 3);
    let redeemed = &links[1];
    assert!(world.emulator.redeem(&redeemed.object_id));
    let (report, _) = world.sync_once().await;
    assert_eq!(
        (report.counts.accepted, report.counts.pending_acceptance),
        (1, 2)
    );

    let link = parts
        .store
        .link_get(&redeemed.anchor)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(link.redemption_state, Some(RedemptionState::Accepted));
    assert!(link.redemption_changed_at.is_some() && link.redemption_seen_at.is_some());
    let counts = parts.store.link_redemption_counts().await.unwrap();
    assert_eq!(counts[&RedemptionState::Accepted], 1);
    assert_eq!(counts[&RedemptionState::Pending], 2);
    let written = writeback_rows(&world).await;
    let state = |anchor: &str| written[anchor].get::<Option<String>, _>("redemption_state");
    assert_eq!(state(&redeemed.anchor).as_deref(), Some("accepted"));
    assert_eq!(state(&links[0].anchor).as_deref(), Some("pending"));
    let changed: Option<String> = written[&redeemed.anchor].get("redemption_changed_at");
    assert!(changed.is_some());
}

#[tokio::test]
async fn a_stable_tenant_writes_no_redemption_change() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(2)).await;
    world.sync_once().await;
    world.sync_once().await;
    let parts = world.parts().await;
    let before = parts.store.link_list().await.unwrap();
    world.sync_once().await;
    let after = parts.store.link_list().await.unwrap();
    let seen = |links: &[guestsync::store::Link]| -> Vec<_> {
        links.iter().map(|l| l.redemption_seen_at).collect()
    };
    assert_eq!(seen(&before), seen(&after));
    assert!(
        after
            .iter()
            .all(|l| l.redemption_state == Some(RedemptionState::Pending))
    );
}

#[tokio::test]
async fn items_and_runs_show_the_counts_by_redemption_state() {
    let world = World::start(Knobs::default(), Vec::new(), &rows(3)).await;
    world.sync_once().await;
    let links = world.parts().await.store.link_list().await.unwrap();
    assert!(world.emulator.redeem(&links[0].object_id));
    world.sync_once().await;
    let run = |args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_guestsync"))
            .env_clear()
            .envs(world.env())
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let items = run(&["items"]);
    assert!(
        items.contains("guests by redemption: pending 2, accepted 1, unknown 0, other 0"),
        "{items}"
    );
    let runs = run(&["runs"]);
    let header: Vec<&str> = runs
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let newest: Vec<&str> = runs
        .lines()
        .nth(1)
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let column = |name: &str| newest[header.iter().position(|h| *h == name).unwrap() + 1];
    assert_eq!(
        (column("PENDING"), column("ACCEPTED")),
        ("2", "1"),
        "{runs}"
    );
}
