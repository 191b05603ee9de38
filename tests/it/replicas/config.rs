//! `[replicas]`: the defaults, and the values refused by name.

use std::time::Duration;

use guestsync::settings::Settings;

fn load(pairs: &[(&str, &str)]) -> Result<Settings, String> {
    let env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Settings::load_with_env(None, env).map_err(|e| e.to_string())
}

#[test]
fn defaults_are_a_30s_lease_and_no_fixed_id() {
    let settings = load(&[]).unwrap();
    assert_eq!(settings.replicas.id, None);
    assert_eq!(settings.replicas.leader_lease, Duration::from_secs(30));
    let settings = load(&[
        ("GUESTSYNC__REPLICAS__ID", "node-2"),
        ("GUESTSYNC__REPLICAS__LEADER_LEASE", "10s"),
    ])
    .unwrap();
    assert_eq!(settings.replicas.id.as_deref(), Some("node-2"));
    assert_eq!(settings.replicas.leader_lease, Duration::from_secs(10));
}

#[test]
fn a_short_lease_and_a_long_id_are_refused_by_name() {
    let error = load(&[("GUESTSYNC__REPLICAS__LEADER_LEASE", "2s")]).unwrap_err();
    assert!(error.contains("replicas.leader_lease"), "{error}");
    let long = "x".repeat(65);
    let error = load(&[("GUESTSYNC__REPLICAS__ID", long.as_str())]).unwrap_err();
    assert!(error.contains("replicas.id"), "{error}");
}
