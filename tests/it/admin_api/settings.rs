//! `[http]` admin token (inline or from a file, not both, 16 characters at least) and
//! `[quarantine]` settings: defaults and errors that name the key.

use std::io::Write;

use guestsync::settings::Settings;
use secrecy::ExposeSecret;

fn load(pairs: &[(&str, &str)]) -> Result<Settings, String> {
    let env = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
    Settings::load_with_env(None, env.collect::<Vec<_>>()).map_err(|e| e.to_string())
}

#[test]
fn quarantine_defaults_and_invalid_values_name_their_key() {
    let settings = load(&[]).unwrap();
    assert_eq!(settings.quarantine.retry_every.as_secs(), 3600);
    assert_eq!(settings.quarantine.error_ratio, 0.5);
    assert_eq!(settings.quarantine.min_failures, 3);
    assert!(settings.http.admin_token.is_none());
    let error = load(&[("GUESTSYNC__QUARANTINE__ERROR_RATIO", "1.5")]).unwrap_err();
    assert!(error.contains("quarantine.error_ratio"), "{error}");
    let error = load(&[("GUESTSYNC__QUARANTINE__RETRY_EVERY", "soon")]).unwrap_err();
    assert!(error.contains("quarantine.retry_every"), "{error}");
    let error = load(&[("GUESTSYNC__QUARANTINE__MIN_FAILURES", "0")]).unwrap_err();
    assert!(error.contains("quarantine.min_failures"), "{error}");
}

#[test]
fn the_admin_token_comes_from_a_file_or_inline_not_both() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "from-the-file-0123456789").unwrap();
    let path = file.path().to_str().unwrap();
    let settings = load(&[("GUESTSYNC__HTTP__ADMIN_TOKEN_FILE", path)]).unwrap();
    let token = settings.http.admin_token.unwrap();
    assert_eq!(token.expose_secret(), "from-the-file-0123456789");
    let both = load(&[
        ("GUESTSYNC__HTTP__ADMIN_TOKEN_FILE", path),
        ("GUESTSYNC__HTTP__ADMIN_TOKEN", "inline-token-0123456789"),
    ])
    .unwrap_err();
    assert!(both.contains("http.admin_token_file"), "{both}");
    let short = load(&[("GUESTSYNC__HTTP__ADMIN_TOKEN", "short")]).unwrap_err();
    assert!(short.contains("http.admin_token"), "{short}");
    assert!(
        !short.contains("short\""),
        "the token is not echoed: {short}"
    );
    let missing = load(&[("GUESTSYNC__HTTP__ADMIN_TOKEN_FILE", "/nonexistent/token")]);
    assert!(missing.unwrap_err().contains("http.admin_token_file"));
}
