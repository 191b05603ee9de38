//! Hostile input end to end (issue 8 §3): the generated corpus of `hostile/corpus.rs` as a
//! SQLite source → one cycle → workers → the strict emulator. Every row is invited with the
//! right normalised values, or rejected or held with a reason that names the problem; the
//! emulator answered no 400 (nothing was sent that Graph would refuse, every `$filter` parsed);
//! the counts add up; a second cycle writes nothing.

mod corpus;
mod properties;
mod source;

use std::collections::{BTreeMap, HashMap};

use guestsync::app::build::Parts;
use guestsync::emulator::Knobs;
use guestsync::sync::OnePlan;

use crate::support::world::World;
use corpus::{Expect, Row};

/// Per category: rows, invited, rejected, held.
type Tally = BTreeMap<&'static str, [usize; 4]>;

fn print_tally(tally: &Tally) {
    println!("| category | rows | invited | rejected | held |\n|---|---:|---:|---:|---:|");
    let mut total = [0; 4];
    for (category, counts) in tally {
        println!(
            "| {category} | {} | {} | {} | {} |",
            counts[0], counts[1], counts[2], counts[3]
        );
        for (t, c) in total.iter_mut().zip(counts) {
            *t += c;
        }
    }
    println!(
        "| **total** | {} | {} | {} | {} |",
        total[0], total[1], total[2], total[3]
    );
}

/// Checks the one guest holding `mail`; returns what was wrong, if anything.
fn check_guest(world: &World, mail: &str, attributes: &[(&str, String)]) -> Option<String> {
    let users = world.users_with_mail(mail);
    let [user] = users.as_slice() else {
        return Some(format!("{} guests hold {mail:?}", users.len()));
    };
    if user["mail"] != mail {
        return Some(format!("mail is {} instead of {mail:?}", user["mail"]));
    }
    attributes
        .iter()
        .find(|(property, want)| user[*property] != want.as_str())
        .map(|(property, want)| {
            let got = user[*property].to_string();
            let got: String = got.chars().take(120).collect();
            format!("{property} is {got} instead of {want:?}")
        })
}

/// What one end-to-end run of a corpus left behind.
struct Outcome {
    world: World,
    parts: Parts,
    tally: Tally,
}

/// Writes `rows` as the source, runs one cycle and drains the queue, then checks every row
/// against its expectation, the counts and the emulator's 400 counter.
async fn run_corpus(rows: &[Row]) -> Outcome {
    let mut world = World::start(Knobs::default(), Vec::new(), &[]).await;
    source::write(&world.source_db, rows).await;
    world.extra_env.extend(
        [
            ("GUESTSYNC__SOURCE__QUERY", source::QUERY),
            // No pacing: this test is about content, not throughput.
            ("GUESTSYNC__GRAPH__WRITE_BUDGET_PER_SECOND", "10000"),
            ("GUESTSYNC__GRAPH__READ_BUDGET_PER_SECOND", "10000"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string())),
    );

    let (report, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0, "{:?}", drained.counts);
    let parts = world.parts().await;
    let rejected: HashMap<u64, String> = parts
        .store
        .run_rejections(report.run_id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.row_number, r.reason))
        .collect();
    let held: HashMap<String, String> = parts
        .store
        .run_conflicts(report.run_id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.anchor, c.reason))
        .collect();

    let mut tally = Tally::new();
    let mut wrong = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let number = u64::try_from(index + 1).unwrap();
        let counts = tally.entry(row.category).or_default();
        counts[0] += 1;
        let problem = match &row.expect {
            Expect::Invite { mail, attributes } => {
                counts[1] += 1;
                match rejected.get(&number) {
                    Some(reason) => Some(format!("rejected: {reason}")),
                    None => check_guest(&world, mail, attributes),
                }
            }
            Expect::Reject(want) => {
                counts[2] += 1;
                match rejected.get(&number) {
                    Some(reason) if reason.contains(want.as_str()) => None,
                    Some(reason) => Some(format!("reason {reason:?} lacks {want:?}")),
                    None => Some(format!("not rejected (wanted {want:?})")),
                }
            }
            Expect::Held => {
                counts[3] += 1;
                let corpus::Cell::Text(anchor) = &row.anchor else {
                    panic!("held rows have text anchors")
                };
                match held.get(anchor) {
                    Some(reason) if reason.contains("shared") => None,
                    Some(reason) => Some(format!("held for {reason:?}")),
                    None => Some("not held".to_string()),
                }
            }
        };
        if let Some(problem) = problem {
            let shown: String = format!("{:?}", row.email).chars().take(80).collect();
            wrong.push(format!(
                "row {number} ({}, {shown}): {problem}",
                row.category
            ));
        }
    }
    print_tally(&tally);
    assert!(
        wrong.is_empty(),
        "{} rows went wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );

    let invited = tally.values().map(|c| c[1]).sum::<usize>();
    let counts = &report.counts;
    assert_eq!(counts.read, u64::try_from(rows.len()).unwrap());
    assert_eq!(
        (counts.invites, counts.rejected, counts.held_conflicts),
        (
            u64::try_from(invited).unwrap(),
            u64::try_from(rejected.len()).unwrap(),
            u64::try_from(held.len()).unwrap()
        ),
    );
    assert_eq!(
        counts.invites + counts.rejected + counts.held_conflicts,
        counts.read,
        "rows = invited + rejected + held"
    );
    let emulator = world.emulator.counters();
    assert_eq!(
        emulator.bad_requests, 0,
        "Graph would have refused: {:?}",
        emulator.bad_request_samples
    );
    Outcome {
        world,
        parts,
        tally,
    }
}

/// A second cycle over the same source writes nothing: what was sent is what is compared.
async fn second_cycle_writes_nothing(world: &World) {
    let writes = world.emulator.counters().writes_total;
    let (second, drained) = world.sync_once().await;
    assert_eq!(drained.dead(), 0);
    assert_eq!(
        second.counts.invites + second.counts.updates + second.counts.reinvites,
        0,
        "{:?}",
        second.counts
    );
    assert_eq!(
        world.emulator.counters().writes_total,
        writes,
        "the second cycle wrote"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_row_is_invited_right_or_rejected_with_a_reason() {
    let rows: Vec<Row> = corpus::rows();
    let Outcome {
        world,
        parts,
        tally,
    } = run_corpus(&rows).await;
    assert!(tally.len() >= 12, "a category is missing: {tally:?}");

    // Addresses full of OData and SQL metacharacters are looked up on their own with the
    // `mail eq … or otherMails/any(…)` filter: each parses and finds the guest just invited.
    let emulator = world.emulator.counters();
    let lookups_before = emulator.requests_by_route["GET /users"];
    let mut lookups = 0;
    let metacharacter_invites = rows.iter().filter(|r| {
        r.category == "SQL/OData metacharacters"
            && matches!(&r.expect, Expect::Invite { mail, .. } if mail.contains('\''))
    });
    for row in metacharacter_invites.take(8) {
        let corpus::Cell::Text(anchor) = &row.anchor else {
            continue;
        };
        let plan = parts.engine.plan_one(anchor).await.unwrap();
        assert!(matches!(plan, OnePlan::Unchanged), "{anchor}: {plan:?}");
        lookups += 1;
    }
    assert_eq!(lookups, 8);
    let emulator = world.emulator.counters();
    assert!(
        emulator.requests_by_route["GET /users"] >= lookups_before + lookups,
        "{:?}",
        emulator.requests_by_route
    );
    assert_eq!(
        emulator.bad_requests, 0,
        "{:?}",
        emulator.bad_request_samples
    );
    second_cycle_writes_nothing(&world).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_mebibyte_values_are_rejected_by_name_and_the_rest_is_invited() {
    let rows = corpus::huge_rows();
    let outcome = run_corpus(&rows).await;
    assert_eq!(outcome.tally["huge value (1 MiB)"], [8, 3, 5, 0]);
    second_cycle_writes_nothing(&outcome.world).await;
}
