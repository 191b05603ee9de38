//! The invitation-mail outbox: one row per anchor, written in the transaction that records an
//! invitation (so a crash between the invitation and the mail loses nothing), claimed under a
//! lease by the mailer, marked sent once the SMTP server accepted the message.

use chrono::{DateTime, Utc};

use super::RedeemUrl;

/// The mail an invitation asks for; stored with the link in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct InvitationMail {
    /// The recipient (the invited address).
    pub email: String,
    /// The invitee's display name, when known.
    pub display_name: Option<String>,
    /// The redeem URL of this invitation (redacted in `Debug`).
    pub redeem_url: RedeemUrl,
}

/// Where a mail stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MailState {
    /// Waiting to be sent (from `run_after` on).
    Pending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up (a permanent SMTP error or attempts exhausted).
    Failed,
}

impl MailState {
    /// Every state, in order.
    pub const ALL: [MailState; 3] = [MailState::Pending, MailState::Sent, MailState::Failed];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MailState::Pending => "pending",
            MailState::Sent => "sent",
            MailState::Failed => "failed",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// A mail the mailer claimed; settle it with its `anchor` and `generation`.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMail {
    /// The anchor.
    pub anchor: String,
    /// The invitation generation (bumped by every new invitation of the anchor).
    pub generation: i64,
    /// The guest's object id.
    pub object_id: String,
    /// The recipient.
    pub email: String,
    /// The display name, when known.
    pub display_name: Option<String>,
    /// The redeem URL.
    pub redeem_url: RedeemUrl,
    /// When the invitation was recorded.
    pub invited_at: DateTime<Utc>,
    /// Failed sends so far.
    pub attempts: u32,
}

/// A mail as stored, for operators and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct MailRecord {
    /// The anchor.
    pub anchor: String,
    /// The invitation generation.
    pub generation: i64,
    /// The state.
    pub state: MailState,
    /// Failed sends since the invitation.
    pub attempts: u32,
    /// Not sent before this time.
    pub run_after: DateTime<Utc>,
    /// The last SMTP failure (never the redeem URL).
    pub last_error: Option<String>,
    /// When the SMTP server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
}
