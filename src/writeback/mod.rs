//! The write-back (`[writeback]`): a table in the source database (or another database) that
//! guestsync upserts per anchor with its results, for the IDM's own mail merge and reports:
//! object id, UPN, user type, redeem URL, redemption state and its time, last sync time, last
//! error. Written after each cycle (only rows that changed since this process last wrote them)
//! and after each invitation (the new redeem URL).
//!
//! The redeem URL lives in the state store's link until it is written here; it is never
//! logged, and [`WriteBackRow`]'s `Debug` redacts it.

mod rows;
mod sql;

use std::collections::HashMap;
use std::sync::Mutex;

use secrecy::SecretString;

pub use rows::{WriteBackRow, row_for};
pub use sql::Dialect;

use crate::source::config::Backend;

/// Why a write-back failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteBackError {
    /// The URL names no supported database.
    #[error("writeback.url: {0}")]
    Url(String),
    /// The database failed.
    #[error("write-back database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Writes result rows to the write-back table.
pub struct WriteBack {
    target: sql::Target,
    /// Hash of the row last written per anchor by this process (rows that did not change are
    /// not written again).
    written: Mutex<HashMap<String, u64>>,
}

impl std::fmt::Debug for WriteBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteBack")
            .field("dialect", &self.target.dialect())
            .finish_non_exhaustive()
    }
}

impl WriteBack {
    /// Connects to `url` (sqlite:, postgres:, mysql:/mariadb:) and, with `create_table`,
    /// creates `table` when it is missing.
    pub async fn connect(
        url: &SecretString,
        table: &str,
        create_table: bool,
    ) -> Result<Self, WriteBackError> {
        let (backend, url) =
            Backend::from_url(url).map_err(|e| WriteBackError::Url(e.to_string()))?;
        let target = sql::Target::connect(backend, &url, table).await?;
        if create_table {
            target.create_table().await?;
        }
        Ok(Self {
            target,
            written: Mutex::new(HashMap::new()),
        })
    }

    /// Upserts the rows that differ from what this process last wrote, in batches; returns
    /// how many were written.
    pub async fn write(&self, rows: Vec<WriteBackRow>) -> Result<u64, WriteBackError> {
        let changed: Vec<(u64, WriteBackRow)> = {
            let written = self.lock();
            rows.into_iter()
                .map(|row| (row.digest(), row))
                .filter(|(digest, row)| written.get(&row.anchor) != Some(digest))
                .collect()
        };
        let mut total = 0;
        for chunk in changed.chunks(sql::BATCH) {
            let batch: Vec<&WriteBackRow> = chunk.iter().map(|(_, row)| row).collect();
            self.target.upsert(&batch).await?;
            let mut written = self.lock();
            for (digest, row) in chunk {
                written.insert(row.anchor.clone(), *digest);
            }
            total += chunk.len() as u64;
        }
        Ok(total)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.written.lock().unwrap_or_else(|p| p.into_inner())
    }
}
