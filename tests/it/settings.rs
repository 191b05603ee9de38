//! Settings: layering, typed parsing, errors that name the key, redaction of secrets.

use std::io::Write;

use guestsync::settings::{ClientCredential, Settings};

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn file_with(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

#[test]
fn defaults_alone_give_the_documented_values() {
    let settings = Settings::load_with_env(None, env(&[])).unwrap();
    assert_eq!(
        settings.graph.base_url.as_str(),
        "https://graph.microsoft.com/v1.0"
    );
    assert_eq!(
        settings.graph.token_scope(),
        "https://graph.microsoft.com/.default"
    );
    assert_eq!(
        settings.auth.authority_url.as_str(),
        "https://login.microsoftonline.com/"
    );
    assert_eq!(settings.http.listen.to_string(), "127.0.0.1:8080");
    assert!(!settings.invite.send_invitation_message);
    assert_eq!(settings.graph.write_budget_per_second, 20.0);
    assert_eq!(settings.graph.max_response_bytes, 16 * 1024 * 1024);
    assert_eq!(settings.workers.count, 8);
    assert_eq!(settings.safety.max_disables, 500);
    assert_eq!(settings.sync.interval.as_secs(), 300);
    assert!(settings.auth.credential.is_none());
    assert!(settings.require_graph().is_err());
}

#[test]
fn file_overrides_defaults_and_environment_overrides_file() {
    let file = file_with(
        "[auth]\ntenant_id = \"contoso.onmicrosoft.com\"\nclient_id = \"app\"\nclient_secret = \"from-file\"\n[workers]\ncount = 4\n",
    );
    let settings = Settings::load_with_env(
        Some(file.path()),
        env(&[
            ("GUESTSYNC__WORKERS__COUNT", "12"),
            ("GUESTSYNC__GRAPH__BASE_URL", "http://127.0.0.1:9000/v1.0"),
            ("GUESTSYNC__INVITE__SEND_INVITATION_MESSAGE", "true"),
        ]),
    )
    .unwrap();
    assert_eq!(settings.workers.count, 12);
    assert!(settings.invite.send_invitation_message);
    assert_eq!(
        settings.graph.token_scope(),
        "http://127.0.0.1:9000/.default"
    );
    assert_eq!(
        settings.auth.token_url().unwrap().as_str(),
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert!(settings.require_graph().is_ok());
}

#[test]
fn unknown_keys_are_refused_by_name_from_file_and_environment() {
    let file = file_with("[graph]\nbse_url = \"x\"\n[nonsense]\nkey = 1\n");
    let error =
        Settings::load_with_env(Some(file.path()), env(&[("GUESTSYNC__WORKERS__CONT", "3")]))
            .unwrap_err();
    let keys: Vec<&str> = error.keys().collect();
    assert!(keys.contains(&"graph.bse_url"), "{error}");
    assert!(keys.contains(&"nonsense.key"), "{error}");
    assert!(keys.contains(&"workers.cont"), "{error}");
}

#[test]
fn invalid_values_are_refused_naming_each_key() {
    let error = Settings::load_with_env(
        None,
        env(&[
            ("GUESTSYNC__GRAPH__BASE_URL", "not a url"),
            ("GUESTSYNC__SYNC__INTERVAL", "5 minutes"),
            ("GUESTSYNC__HTTP__LISTEN", "localhost"),
            ("GUESTSYNC__SAFETY__MAX_DISABLE_PERCENT", "150"),
            ("GUESTSYNC__INVITE__INVITED_USER_TYPE", "Admin"),
            ("GUESTSYNC__STATE__URL", "mysql://x"),
            ("GUESTSYNC__GRAPH__MAX_RESPONSE_MIB", "0"),
        ]),
    )
    .unwrap_err();
    let text = error.to_string();
    for key in [
        "graph.base_url",
        "sync.interval",
        "http.listen",
        "safety.max_disable_percent",
        "invite.invited_user_type",
        "state.url",
        "graph.max_response_mib",
    ] {
        assert!(text.contains(key), "{key} not named in: {text}");
    }
}

#[test]
fn a_value_of_the_wrong_type_names_its_key() {
    let error =
        Settings::load_with_env(None, env(&[("GUESTSYNC__WORKERS__COUNT", "many")])).unwrap_err();
    assert!(error.to_string().contains("workers.count"), "{error}");
}

#[test]
fn secrets_are_redacted_in_debug_output() {
    let secret = "s3cr3t-value-that-must-not-leak";
    let settings = Settings::load_with_env(
        None,
        env(&[
            ("GUESTSYNC__AUTH__CLIENT_SECRET", secret),
            ("GUESTSYNC__HTTP__ADMIN_TOKEN", "admin-token-0123456789"),
            ("GUESTSYNC__SOURCE__URL", "postgres://idm:pa55word@db/idm"),
        ]),
    )
    .unwrap();
    assert!(matches!(
        settings.auth.credential,
        Some(ClientCredential::Secret(_))
    ));
    let debug = format!("{settings:?}");
    assert!(!debug.contains(secret));
    assert!(!debug.contains("admin-token-0123456789"));
    assert!(!debug.contains("pa55word"));
}

#[test]
fn client_secret_file_is_read_and_conflicts_are_refused() {
    let secret_file = file_with("from-a-file\n");
    let path = secret_file.path().to_str().unwrap();
    let settings =
        Settings::load_with_env(None, env(&[("GUESTSYNC__AUTH__CLIENT_SECRET_FILE", path)]))
            .unwrap();
    let Some(ClientCredential::Secret(secret)) = settings.auth.credential else {
        panic!("expected a secret");
    };
    assert_eq!(secrecy::ExposeSecret::expose_secret(&secret), "from-a-file");

    let both = Settings::load_with_env(
        None,
        env(&[
            ("GUESTSYNC__AUTH__CLIENT_SECRET_FILE", path),
            ("GUESTSYNC__AUTH__CLIENT_SECRET", "inline"),
        ]),
    )
    .unwrap_err();
    assert!(
        both.to_string().contains("auth.client_secret_file"),
        "{both}"
    );

    let missing = Settings::load_with_env(
        None,
        env(&[("GUESTSYNC__AUTH__CERTIFICATE_PATH", "/nonexistent/cert.pem")]),
    )
    .unwrap_err();
    assert!(
        missing.to_string().contains("auth.private_key_path"),
        "{missing}"
    );
}

#[test]
fn the_response_cap_reaches_the_graph_client() {
    let settings = Settings::load_with_env(
        None,
        env(&[
            ("GUESTSYNC__GRAPH__MAX_RESPONSE_MIB", "2"),
            (
                "GUESTSYNC__AUTH__TENANT_ID",
                "00000000-0000-0000-0000-0000000000aa",
            ),
            (
                "GUESTSYNC__AUTH__CLIENT_ID",
                "11111111-1111-1111-1111-1111111111bb",
            ),
            ("GUESTSYNC__AUTH__CLIENT_SECRET", "s"),
        ]),
    )
    .unwrap();
    let config = guestsync::app::build::graph_config(&settings).unwrap();
    assert_eq!(config.max_response_bytes, 2 * 1024 * 1024);
}
