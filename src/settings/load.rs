//! Layering: the embedded defaults (`config/default.toml`), then the operator's file, then the
//! `GUESTSYNC__SECTION__KEY` environment. Any key the defaults do not know is refused by name.

use std::collections::BTreeSet;
use std::path::Path;

use config::builder::DefaultState;
use config::{Config, ConfigBuilder, Environment, File, FileFormat, Map, Value, ValueKind};

use super::error::SettingsError;
use super::raw::RawSettings;

/// The defaults, embedded in the binary; they document every key.
pub const DEFAULT_TOML: &str = include_str!("../../config/default.toml");

/// Merges the layers and deserialises them, refusing unknown keys.
pub fn load_raw(
    file: Option<&Path>,
    env: Map<String, String>,
) -> Result<RawSettings, SettingsError> {
    let mut builder = defaults();
    if let Some(path) = file {
        if !path.is_file() {
            return Err(SettingsError::single(
                "--config",
                format!("{} is not a readable file", path.display()),
            ));
        }
        builder = builder.add_source(File::from(path).format(FileFormat::Toml));
    }
    finish(builder, env)
}

/// As [`load_raw`], with the operator's file given as TOML text.
pub fn load_raw_str(toml: &str, env: Map<String, String>) -> Result<RawSettings, SettingsError> {
    finish(
        defaults().add_source(File::from_str(toml, FileFormat::Toml)),
        env,
    )
}

fn defaults() -> ConfigBuilder<DefaultState> {
    Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml))
}

/// Adds the environment layer, builds, refuses unknown keys and deserialises.
fn finish(
    builder: ConfigBuilder<DefaultState>,
    env: Map<String, String>,
) -> Result<RawSettings, SettingsError> {
    let merged = builder
        .add_source(
            Environment::with_prefix("GUESTSYNC")
                .prefix_separator("__")
                .separator("__")
                .source(Some(env)),
        )
        .build()
        .map_err(|e| SettingsError::single("configuration", e.to_string()))?;
    refuse_unknown_keys(&merged)?;
    merged
        .try_deserialize()
        .map_err(|e| SettingsError::single("configuration", e.to_string()))
}

/// The `GUESTSYNC__…` variables of this process, for [`load_raw`].
pub fn process_env() -> Map<String, String> {
    std::env::vars()
        .filter(|(name, _)| name.starts_with("GUESTSYNC__"))
        .collect()
}

/// Sections whose keys are not fixed (property names, rule lists): their own parsers refuse
/// what they do not know, by name.
const OPEN_SECTIONS: [&str; 3] = ["mapping", "scope", "groups.names"];

fn is_open(key: &str) -> bool {
    OPEN_SECTIONS.iter().any(|section| {
        key.strip_prefix(section)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

fn refuse_unknown_keys(merged: &Config) -> Result<(), SettingsError> {
    let known = default_keys()?;
    let table: Map<String, Value> = merged
        .clone()
        .try_deserialize()
        .map_err(|e| SettingsError::single("configuration", e.to_string()))?;
    let mut unknown = Vec::new();
    collect_keys("", &table, &mut |key| {
        if !known.contains(key) && !is_open(key) {
            unknown.push(key.to_string());
        }
    });
    if unknown.is_empty() {
        return Ok(());
    }
    Err(SettingsError::many(unknown.into_iter().map(|key| {
        (
            key,
            "unknown key (see config/default.toml for every key)".to_string(),
        )
    })))
}

fn default_keys() -> Result<BTreeSet<String>, SettingsError> {
    let defaults = Config::builder()
        .add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml))
        .build()
        .and_then(|c| c.try_deserialize::<Map<String, Value>>())
        .map_err(|e| SettingsError::single("config/default.toml", e.to_string()))?;
    let mut keys = BTreeSet::new();
    collect_keys("", &defaults, &mut |key| {
        keys.insert(key.to_string());
    });
    Ok(keys)
}

fn collect_keys(prefix: &str, table: &Map<String, Value>, found: &mut dyn FnMut(&str)) {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match &value.kind {
            ValueKind::Table(inner) => collect_keys(&key, inner, found),
            _ => found(&key),
        }
    }
}
