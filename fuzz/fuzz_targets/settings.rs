//! Settings parsing from arbitrary text through the real loader (embedded defaults, the text as
//! the operator's TOML file, then `GUESTSYNC__…` variables): no panic; a refusal is an error
//! that names at least one key and says something; accepted settings answer the start-up checks.
//!
//! Input layout: TOML text, optionally a NUL byte and `NAME=value` lines for the environment.

#![no_main]

use guestsync::settings::Settings;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (toml, env) = text.split_once('\0').unwrap_or((&text, ""));
    let env: Vec<(String, String)> = env
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    match Settings::from_toml_str(toml, env) {
        Ok(settings) => {
            let _ = (settings.require_graph(), settings.require_source());
            let _ = format!("{settings:?}");
        }
        Err(error) => {
            assert!(error.keys().next().is_some(), "an error without a key");
            assert!(
                error.to_string().lines().count() > 1,
                "an error that says nothing"
            );
        }
    }
});
