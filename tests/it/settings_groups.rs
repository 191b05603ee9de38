//! `[groups]` settings: managed ids (array or separated string), `[groups.names]` (keys the
//! operator chooses), and errors naming the key.

use std::io::Write;

use guestsync::settings::Settings;

const A: &str = "0b6e0d4c-3f7e-4a51-9a55-1c3c2a8f1a01";
const B: &str = "7d1f6c2e-8b0a-4e6f-b1a2-9c8d7e6f5a40";

fn load(toml: &str, env: &[(&str, &str)]) -> Result<Settings, String> {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(toml.as_bytes()).unwrap();
    let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Settings::load_with_env(Some(file.path()), env).map_err(|e| e.to_string())
}

#[test]
fn groups_are_off_by_default() {
    let settings = load("", &[]).unwrap();
    assert!(!settings.groups.is_enabled());
}

#[test]
fn managed_groups_and_names_load_from_file_and_environment() {
    let toml = format!("[groups]\nmanaged = [\"{A}\"]\n\n[groups.names]\nPartners = \"{A}\"\n");
    let settings = load(&toml, &[]).unwrap();
    assert_eq!(settings.groups.managed().len(), 1);
    assert_eq!(settings.groups.by_name("partners").unwrap().as_str(), A);

    let managed = format!("{A}; {}", B.to_uppercase());
    let env = [
        ("GUESTSYNC__GROUPS__MANAGED", managed.as_str()),
        ("GUESTSYNC__GROUPS__NAMES__VENDORS", B),
    ];
    let settings = load("", &env).unwrap();
    assert_eq!(settings.groups.managed().len(), 2);
    assert_eq!(settings.groups.by_name("Vendors").unwrap().as_str(), B);
}

#[test]
fn bad_ids_and_unmanaged_names_are_named() {
    let toml = format!("[groups]\nmanaged = [\"{A}\", \"sales\"]\n\n[groups.names]\nx = \"{B}\"\n");
    let error = load(&toml, &[]).unwrap_err();
    assert!(
        error.contains("groups.managed: 'sales' is not a group object id"),
        "{error}"
    );
    assert!(
        error.contains(&format!("groups.names.x: {B} is not in groups.managed")),
        "{error}"
    );
    let error = load("[groups]\nmanged = []\n", &[]).unwrap_err();
    assert!(error.contains("groups.manged"), "{error}");
}
