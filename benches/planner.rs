//! Planner benchmark: 1,000,000 identities × 1,000,000 guests and links, 1 % changed
//! (0.5 % attribute drift, 0.25 % new identities to invite, 0.25 % out of scope to disable).
//! Prints the peak RSS (VmHWM) once: after building the input, and during one plan.

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Duration as StdDuration;

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use guestsync::identity::{Anchor, Attributes, Email, Identity, Property};
use guestsync::plan::{LinkState, ObservedGuest, PlanInput, PlanPolicy, plan};

const N: usize = 1_000_000;

fn attributes(i: usize, drift: bool) -> Attributes {
    let mut a = Attributes::new();
    a.set(
        Property::DisplayName,
        if drift {
            format!("Old {i}")
        } else {
            format!("Person {i}")
        },
    );
    a.set(Property::CompanyName, "Partner Ltd");
    a
}

fn world() -> PlanInput {
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).single();
    let applied_at = now.map(|t| t - Duration::hours(1));
    let (mut desired, mut observed, mut links) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..N {
        let anchor = Anchor::parse(&format!("emp-{i:07}")).ok();
        let email = Email::parse(&format!("person.{i}@partner{}.example", i % 97)).ok();
        let (Some(anchor), Some(email)) = (anchor, email) else {
            continue;
        };
        let object_id = format!("00000000-0000-4000-8000-{i:012}");
        let (new, gone, drift) = (i % 400 == 1, i % 400 == 2, i % 200 == 3);
        if !gone {
            let attributes = attributes(i, false);
            desired.push(Identity {
                anchor: anchor.clone(),
                email: email.clone(),
                attributes,
                extras: Default::default(),
            });
        }
        if new {
            continue;
        }
        observed.push(ObservedGuest {
            object_id: object_id.clone(),
            mail: Some(email.as_str().to_string()),
            other_mails: Vec::new(),
            user_type: Some("Guest".into()),
            creation_type: Some("Invitation".into()),
            account_enabled: Some(true),
            external_user_state: Some("Accepted".into()),
            external_user_state_changed_at: None,
            attributes: attributes(i, drift),
        });
        links.push(LinkState {
            anchor,
            object_id,
            email,
            disabled_by_us: false,
            last_applied: attributes(i, false),
            last_applied_at: applied_at,
            invited_at: applied_at,
            lifecycle: Default::default(),
        });
    }
    PlanInput {
        desired,
        present_anchors: BTreeSet::new(),
        observed,
        links,
    }
}

fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// This process's user + system CPU time in clock ticks (1/100 s on Linux), so the figure
/// does not depend on how busy the shared machine is.
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_comm = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn bench_planner(c: &mut Criterion) {
    let input = world();
    let policy = PlanPolicy {
        max_disables: u64::MAX,
        ..PlanPolicy::default()
    };
    let now = Utc
        .with_ymd_and_hms(2026, 11, 27, 12, 0, 0)
        .single()
        .unwrap_or_default();
    let before = vm_hwm_kib();
    // Reset the high-water mark (Linux "5" → clear_refs) so the second figure is the peak of
    // one plan on top of the input.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let cpu_before = cpu_ticks();
    let once = plan(&input, &policy, now);
    let cpu = cpu_ticks().zip(cpu_before).map(|(a, b)| (a - b) * 10);
    println!("planner: one plan used {cpu:?} ms of CPU time (user + system)");
    println!(
        "planner: {} items, counts {:?}; VmHWM after building input: {:?} KiB; during one plan{}: {:?} KiB",
        once.items.len(),
        once.counts,
        before,
        if reset {
            ""
        } else {
            " (reset failed: includes input)"
        },
        vm_hwm_kib()
    );
    drop(once);
    let mut group = c.benchmark_group("planner");
    group.sample_size(10).sampling_mode(SamplingMode::Flat);
    group
        .warm_up_time(StdDuration::from_secs(1))
        .measurement_time(StdDuration::from_secs(10));
    group.bench_function("1M identities, 1% changed", |b| {
        b.iter(|| plan(black_box(&input), &policy, now))
    });
    group.finish();
}

criterion_group!(benches, bench_planner);
criterion_main!(benches);
