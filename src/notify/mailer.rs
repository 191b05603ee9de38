//! The mailer: delivers the invitation-mail outbox. It claims due mails under a lease, renders
//! them, sends them, and marks each sent once the SMTP server accepted it; a failure is recorded
//! on the mail and on its item and retried with exponential backoff, a permanent one (or the
//! last attempt) gives the mail up. A crash between the invitation and the mail loses nothing:
//! the outbox row was written with the invitation, and the next mailer to run sends it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::smtp::{OutgoingMail, SendError, SmtpSender};
use super::template::{MailFields, MailTemplate};
use crate::clock::Clock;
use crate::settings::SmtpSettings;
use crate::store::{ItemError, PendingMail, Store, StoreError};

/// Mails claimed at once.
const BATCH: u32 = 10;

/// What the mailer needs besides its store, clock and transport.
#[derive(Debug, Clone)]
pub struct MailerConfig {
    /// The subject template.
    pub subject: MailTemplate,
    /// The body template.
    pub body: MailTemplate,
    /// The value of `{inviting_organisation}`.
    pub inviting_organisation: String,
    /// First wait after a failure; doubles per attempt up to `retry_cap`.
    pub retry_base: Duration,
    /// Longest wait.
    pub retry_cap: Duration,
    /// Sends of one mail before it is given up.
    pub max_attempts: u32,
    /// How long a claimed mail stays with this mailer.
    pub lease: Duration,
    /// How often the outbox is looked at.
    pub poll: Duration,
}

impl MailerConfig {
    /// From `[notify.smtp]`.
    pub fn from_settings(settings: &SmtpSettings) -> Self {
        Self {
            subject: settings.subject.clone(),
            body: settings.body.clone(),
            inviting_organisation: settings.inviting_organisation.clone(),
            retry_base: settings.retry_base,
            retry_cap: settings.retry_cap,
            max_attempts: settings.max_attempts,
            lease: settings.timeout * 2 * BATCH,
            poll: Duration::from_secs(1),
        }
    }

    /// The wait after the `attempt`-th failure (1-based): base × 2^(attempt-1), capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(30));
        self.retry_base.saturating_mul(factor).min(self.retry_cap)
    }
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Mails the SMTP server accepted.
    pub sent: u64,
    /// Failed sends that will be retried.
    pub retried: u64,
    /// Mails given up.
    pub given_up: u64,
}

/// Delivers the outbox. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Mailer {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    sender: SmtpSender,
    config: MailerConfig,
}

impl Mailer {
    /// A mailer over its parts.
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        sender: SmtpSender,
        config: MailerConfig,
    ) -> Self {
        Self {
            store,
            clock,
            sender,
            config,
        }
    }

    /// Sends every mail due now, until none is left.
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        loop {
            let now = self.clock.now();
            let batch = self.store.mail_claim(now, self.config.lease, BATCH).await?;
            if batch.is_empty() {
                return Ok(report);
            }
            for mail in batch {
                self.deliver(mail, &mut report).await?;
            }
        }
    }

    /// Delivers due mails every `poll` until `cancel` fires.
    pub async fn run(&self, cancel: CancellationToken) {
        while !cancel.is_cancelled() {
            if let Err(error) = self.deliver_due().await {
                tracing::error!(%error, "cannot read the invitation-mail outbox");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.config.poll) => {}
                _ = cancel.cancelled() => {}
            }
        }
    }

    #[tracing::instrument(skip_all, fields(item.anchor = %mail.anchor, mail.generation = mail.generation))]
    async fn deliver(
        &self,
        mail: PendingMail,
        report: &mut DeliveryReport,
    ) -> Result<(), StoreError> {
        let outgoing = self.render(&mail);
        let result = self.sender.send(outgoing).await;
        let now = self.clock.now();
        match result {
            Ok(()) => {
                self.store
                    .mail_sent(&mail.anchor, mail.generation, now)
                    .await?;
                tracing::info!("invitation mail sent");
                metrics::counter!("guestsync_invitation_mails_total", "outcome" => "sent")
                    .increment(1);
                report.sent += 1;
            }
            Err(error) => {
                let retry_at = self.retry_at(&mail, &error, now);
                let stored = mail_error(&error);
                self.store
                    .mail_failed(&mail.anchor, mail.generation, &stored, retry_at)
                    .await?;
                let outcome = if retry_at.is_some() {
                    report.retried += 1;
                    "retry"
                } else {
                    report.given_up += 1;
                    "failed"
                };
                tracing::warn!(code = %error.code, message = %error.message, outcome, "invitation mail not sent");
                metrics::counter!("guestsync_invitation_mails_total", "outcome" => outcome)
                    .increment(1);
            }
        }
        Ok(())
    }

    fn retry_at(
        &self,
        mail: &PendingMail,
        error: &SendError,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let attempt = mail.attempts + 1;
        if error.permanent || attempt >= self.config.max_attempts {
            return None;
        }
        let wait = chrono::Duration::from_std(self.config.backoff(attempt))
            .unwrap_or_else(|_| chrono::Duration::hours(1));
        Some(now + wait)
    }

    fn render(&self, mail: &PendingMail) -> OutgoingMail {
        let fields = MailFields {
            display_name: mail.display_name.as_deref().unwrap_or(&mail.email),
            redeem_url: mail.redeem_url.expose(),
            inviting_organisation: &self.config.inviting_organisation,
            anchor: &mail.anchor,
        };
        OutgoingMail {
            to_name: mail.display_name.clone(),
            to: mail.email.clone(),
            subject: self.config.subject.render(&fields),
            body: self.config.body.render(&fields),
        }
    }
}

/// A send failure as the item's last error (class `mail`).
fn mail_error(error: &SendError) -> ItemError {
    ItemError {
        class: "mail".into(),
        code: error.code.clone(),
        message: format!("invitation mail not sent: {}", error.message),
        request_id: None,
        status: None,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::MailerConfig;
    use crate::notify::MailTemplate;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = MailerConfig {
            subject: MailTemplate::parse("s").unwrap(),
            body: MailTemplate::parse("b").unwrap(),
            inviting_organisation: String::new(),
            retry_base: Duration::from_secs(30),
            retry_cap: Duration::from_secs(100),
            max_attempts: 5,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(1),
        };
        let waits: Vec<u64> = (1..=4).map(|a| config.backoff(a).as_secs()).collect();
        assert_eq!(waits, [30, 60, 100, 100]);
    }
}
