//! guestsync's own invitation mail (`[notify.smtp]`): the templates ([`template`]), the SMTP
//! transport ([`smtp`], lettre over rustls) and the [`Mailer`] that delivers the outbox the
//! state store keeps (one mail per invitation, recorded in the transaction that records the
//! invitation; see [`crate::store::InvitationMail`]).

mod mailer;
pub mod smtp;
pub mod template;

pub use mailer::{DeliveryReport, Mailer, MailerConfig};
pub use smtp::{OutgoingMail, SendError, SmtpSender};
pub use template::{MailFields, MailTemplate, PLACEHOLDERS};
