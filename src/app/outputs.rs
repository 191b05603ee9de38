//! Builds the optional outputs from settings: the mailer of `[notify.smtp]` and the write-back
//! of `[writeback]`.

use std::sync::Arc;

use anyhow::Context;

use crate::clock::Clock;
use crate::notify::{Mailer, MailerConfig, SmtpSender};
use crate::settings::{Settings, SettingsError};
use crate::store::Store;
use crate::writeback::WriteBack;

/// The mailer, when `[notify.smtp]` is configured.
pub fn mailer(
    settings: &Settings,
    store: &Arc<dyn Store>,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<Option<Arc<Mailer>>> {
    let Some(smtp) = &settings.notify_smtp else {
        return Ok(None);
    };
    let sender = SmtpSender::new(smtp).map_err(|e| SettingsError::single("notify.smtp", e))?;
    let config = MailerConfig::from_settings(smtp);
    Ok(Some(Arc::new(Mailer::new(
        store.clone(),
        clock.clone(),
        sender,
        config,
    ))))
}

/// The write-back, when `[writeback]` is enabled: `writeback.url`, or the source database.
pub async fn writeback(settings: &Settings) -> anyhow::Result<Option<Arc<WriteBack>>> {
    let Some(config) = &settings.writeback else {
        return Ok(None);
    };
    let url = config
        .url
        .clone()
        .or_else(|| settings.source.url.clone())
        .ok_or_else(|| SettingsError::single("writeback.url", "is required without source.url"))?;
    let writeback = WriteBack::connect(&url, &config.table, config.create_table)
        .await
        .context("writeback: cannot open the write-back table")?;
    Ok(Some(Arc::new(writeback)))
}
