//! The store conformance suite: every case is written once against `Arc<dyn Store>` and run
//! for every adapter through `conformance!`. Each case gets a fresh, migrated database.
//!
//! To add an adapter, write a factory returning `Option<Harness>` (None = skipped) and add one
//! `for_each_case!(conformance, NAME);` line.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap (common rules)

mod control;
mod engine_pg;
mod fixtures;
mod leader;
mod lease;
mod lifecycle;
mod operator;
mod postgres_only;
mod queue;
mod redemption;
mod runs;
mod sqlite_only;

use std::sync::Arc;

use guestsync::store::{PgStore, SqliteStore, Store};

/// A migrated store and whatever must live as long as it (e.g. a temporary directory).
pub struct Harness {
    /// The store under test.
    pub store: Arc<dyn Store>,
    _guard: Box<dyn std::any::Any + Send>,
}

/// SQLite: a fresh file per test.
async fn sqlite() -> Option<Harness> {
    let (dir, url) = crate::support::db::fresh_sqlite();
    let store = SqliteStore::connect(&url).await.expect("connect sqlite");
    store.migrate().await.expect("migrate sqlite");
    Some(Harness {
        store: Arc::new(store),
        _guard: Box::new(dir),
    })
}

/// PostgreSQL: a fresh database per test (skipped without a server, see `support::db`).
async fn postgres() -> Option<Harness> {
    let url = crate::support::db::fresh_postgres().await?;
    let store = PgStore::connect(&url).await.expect("connect postgres");
    store.migrate().await.expect("migrate postgres");
    Some(Harness {
        store: Arc::new(store),
        _guard: Box::new(()),
    })
}

/// Calls `$m!($backend: module::case, ...)` with every conformance case.
macro_rules! for_each_case {
    ($m:ident, $backend:ident) => {
        $m!($backend:
            queue::migrate_on_empty_and_rerun,
            queue::new_items_are_pending,
            queue::same_hash_changes_nothing,
            queue::new_hash_while_pending,
            queue::new_hash_while_running_runs_again,
            queue::new_hash_while_done_revives,
            queue::new_hash_while_dead_revives,
            queue::claim_is_exclusive_under_concurrency,
            queue::batch_claim_leases_and_fences_each_item,
            queue::claim_respects_run_after_and_order,
            queue::plan_record_of_100k_items,
            lease::rescue_fences_out_the_old_token,
            lease::heartbeat_extends_the_lease,
            lease::release_owner_frees_its_items_only,
            lease::snooze_keeps_attempts_retry_counts,
            lease::dead_keeps_error_and_retry_dead_revives,
            lease::attempt_history_is_append_only_and_ordered,
            lease::progress_records_the_link_and_continues_without_an_attempt,
            runs::run_lifecycle_and_records,
            runs::a_cycle_closes_the_cycles_left_open_as_abandoned,
            runs::held_run_approve_queues_actions,
            runs::held_run_reject_discards_actions,
            runs::held_supersede_closes_older_waiting_runs,
            runs::links_follow_complete,
            operator::item_list_filters_and_pages,
            operator::unknown_runs_are_typed_errors,
            leader::leader_lease_is_exclusive_until_it_lapses,
            leader::leader_release_hands_over_at_once,
            leader::leader_lease_race_has_one_winner,
            leader::attempts_keep_their_claim_time,
            redemption::redemption_changes_are_recorded_with_first_seen_time,
            redemption::redemption_of_many_links_is_one_statement,
            redemption::invited_count_is_live_links_made_by_inviting,
            redemption::invitation_mail_is_queued_with_the_invite_and_sent_once,
            redemption::mail_failures_retry_then_give_up_and_show_on_the_item,
            lifecycle::renewals_are_counted_per_guest_and_address,
            lifecycle::disable_expiry_delete_and_restore_are_dated,
            control::pause_and_resume_are_shared_and_idempotent,
            control::quarantine_is_recorded_replaced_and_cleared,
            control::claim_anchor_takes_only_that_pending_item,
        );
    };
}

/// Instantiates every case as a `#[tokio::test]` in a module named after the backend.
macro_rules! conformance {
    ($backend:ident: $($module:ident :: $case:ident),* $(,)?) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    if let Some(harness) = super::$backend().await {
                        super::$module::$case(harness.store.clone()).await;
                    }
                }
            )*
        }
    };
}

for_each_case!(conformance, sqlite);
for_each_case!(conformance, postgres);
