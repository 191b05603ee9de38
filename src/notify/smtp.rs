//! The SMTP side of the invitation mail: a lettre transport (tokio, rustls; STARTTLS, TLS or
//! plain) built from `[notify.smtp]`, and [`SendError`], which says whether a failure is worth
//! retrying. Neither the message body nor the redeem URL ever reaches an error or a log.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::settings::{SmtpSecurity, SmtpSettings};

/// A failed send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SendError {
    /// Whether sending again cannot help (a 5xx answer, a bad address).
    pub permanent: bool,
    /// A short code: `smtp_550`, `smtp_connection`, `bad_address`, …
    pub code: String,
    /// What went wrong (the server's answer or the connection error).
    pub message: String,
}

impl SendError {
    fn permanent(code: &str, message: impl Into<String>) -> Self {
        Self {
            permanent: true,
            code: code.into(),
            message: message.into(),
        }
    }

    fn from_smtp(error: &lettre::transport::smtp::Error) -> Self {
        let code = match error.status() {
            Some(status) => format!("smtp_{status}"),
            None if error.is_timeout() => "smtp_timeout".into(),
            None if error.is_tls() => "smtp_tls".into(),
            None => "smtp_connection".into(),
        };
        Self {
            permanent: error.is_permanent(),
            code,
            message: error.to_string(),
        }
    }
}

/// One rendered mail. `Debug` shows the recipient's anchor-free parts only.
pub struct OutgoingMail {
    /// The recipient's display name, when known.
    pub to_name: Option<String>,
    /// The recipient's address.
    pub to: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body (holds the redeem URL).
    pub body: String,
}

impl std::fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OutgoingMail(<redacted>)")
    }
}

/// Sends mails through the configured SMTP server (one connection per mail).
#[derive(Clone)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("from", &self.from.email.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// A sender for `settings`; the error names what is wrong (the sender or the host).
    pub fn new(settings: &SmtpSettings) -> Result<Self, String> {
        let from: Mailbox = settings.from.parse().map_err(|e| {
            format!(
                "notify.smtp.from: \"{}\" is not a mailbox: {e}",
                settings.from
            )
        })?;
        let host = settings.host.as_str();
        let builder = match settings.security {
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                host,
            )),
        }
        .map_err(|e| format!("notify.smtp.host: {e}"))?;
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        if let Some((user, password)) = &settings.credentials {
            let credentials = Credentials::new(user.clone(), password.expose_secret().to_string());
            builder = builder.credentials(credentials);
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Sends `mail`; `Ok` once the server accepted it.
    pub async fn send(&self, mail: OutgoingMail) -> Result<(), SendError> {
        let address: Address = mail
            .to
            .parse()
            .map_err(|e| SendError::permanent("bad_address", format!("recipient: {e}")))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(mail.to_name, address))
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)
            .map_err(|e| SendError::permanent("bad_message", e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError::from_smtp(&e))
    }
}
