//! [`SourceConfig`] (mapped from settings by the app) and the choice of backend by URL scheme.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use super::SourceError;

/// How to reach and query the source.
#[derive(Clone)]
pub struct SourceConfig {
    /// The database URL (`sqlite:`, `postgres:`/`postgresql:`, `mysql:`/`mariadb:`); may hold a
    /// password, so it is secret.
    pub url: SecretString,
    /// The operator's query; run as given, read-only.
    pub query: String,
    /// The longest the query may run.
    pub statement_timeout: Duration,
    /// More rows than this fail the read (a runaway query); `None` = no limit.
    pub max_rows: Option<u64>,
}

impl fmt::Debug for SourceConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourceConfig")
            .field("url", &"[redacted]")
            .field("query", &self.query)
            .field("statement_timeout", &self.statement_timeout)
            .field("max_rows", &self.max_rows)
            .finish()
    }
}

/// The database family behind a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (a file).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

impl Backend {
    /// The backend for `url` and the URL as sqlx wants it (`mariadb:` becomes `mysql:`).
    pub fn from_url(url: &SecretString) -> Result<(Self, SecretString), SourceError> {
        let raw = url.expose_secret();
        let Some((scheme, rest)) = raw.split_once(':') else {
            return Err(SourceError::Url(
                "no scheme (expected sqlite:, postgres: or mysql:)".into(),
            ));
        };
        let backend = match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => Self::Sqlite,
            "postgres" | "postgresql" => Self::Postgres,
            "mysql" => Self::MySql,
            "mariadb" => return Ok((Self::MySql, format!("mysql:{rest}").into())),
            other => {
                return Err(SourceError::Url(format!(
                    "unsupported scheme `{other}:` (expected sqlite:, postgres:, postgresql:, \
                     mysql: or mariadb:)"
                )));
            }
        };
        Ok((backend, url.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(url: &str) -> Result<(Backend, String), String> {
        Backend::from_url(&url.to_string().into())
            .map(|(b, u)| (b, u.expose_secret().to_string()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn chooses_backend_by_scheme() {
        assert_eq!(backend("sqlite://x.db").unwrap().0, Backend::Sqlite);
        assert_eq!(backend("postgresql://h/db").unwrap().0, Backend::Postgres);
        assert_eq!(backend("postgres://h/db").unwrap().0, Backend::Postgres);
        assert_eq!(backend("mysql://h/db").unwrap().0, Backend::MySql);
        let (b, url) = backend("mariadb://u:pw@h/db").unwrap();
        assert_eq!((b, url.as_str()), (Backend::MySql, "mysql://u:pw@h/db"));
    }

    #[test]
    fn unknown_scheme_is_named_and_password_is_not() {
        let e = backend("mssql://u:hunter2@h/db").unwrap_err();
        assert!(e.contains("mssql:") && !e.contains("hunter2"), "{e}");
    }

    #[test]
    fn debug_redacts_the_url() {
        let c = SourceConfig {
            url: "postgres://u:hunter2@h/db".to_string().into(),
            query: "SELECT 1".into(),
            statement_timeout: Duration::from_secs(1),
            max_rows: None,
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
