//! `guestsync demo`: the embedded default end to end — a SQLite source with sample partners,
//! the emulator in-process with throttling and faults, the sync engine, and a summary.

pub mod sample;
pub mod source;

use crate::emulator::{Budget, Knobs, SeedUser};

/// The emulator knobs of the demo: Graph's real write budget, a read budget, 5 % random 5xx,
/// a little latency and up to 3 s of replication lag.
pub fn demo_knobs() -> Knobs {
    Knobs {
        write_budget: Some(Budget {
            per_second: 20.0,
            burst: 20,
        }),
        read_budget: Some(Budget {
            per_second: 50.0,
            burst: 50,
        }),
        fault_rate: 0.05,
        fault_seed: 7,
        latency_ms: 20,
        replication_lag_max_ms: 3_000,
        ..Knobs::default()
    }
}

/// Guests an administrator created by hand: guestsync must never touch them.
pub fn hand_made_guests() -> Vec<SeedUser> {
    [
        "auditor@external-audit.example",
        "ceo.assistant@fabrikam.example",
    ]
    .into_iter()
    .map(|mail| SeedUser {
        mail: mail.to_string(),
        display_name: format!("{mail} (invited by hand)"),
        user_type: "Guest".into(),
        creation_type: Some("Invitation".into()),
        account_enabled: true,
        other_mails: Vec::new(),
        extra: serde_json::Map::new(),
    })
    .collect()
}
