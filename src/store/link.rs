//! Links: the stored pairs anchor ↔ guest object id, i.e. what guestsync owns.

use chrono::{DateTime, Utc};

/// A redeem URL. Sensitive: `Debug` redacts it, and it has no `Display` or `Serialize`.
#[derive(Clone, PartialEq, Eq)]
pub struct RedeemUrl(String);

impl RedeemUrl {
    /// Wraps a redeem URL.
    pub fn new(url: impl Into<String>) -> Self {
        RedeemUrl(url.into())
    }

    /// The URL itself; only for the write-back to the source, never for logs.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for RedeemUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedeemUrl(<redacted>)")
    }
}

/// A link between an anchor and the guest guestsync created or adopted for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The identity's anchor.
    pub anchor: String,
    /// The guest's Entra object id.
    pub object_id: String,
    /// The guest's user principal name, when known.
    pub user_principal_name: Option<String>,
    /// The e-mail address the guest was invited or adopted with.
    pub email: String,
    /// When guestsync invited the guest (`None` for adopted guests).
    pub invited_at: Option<DateTime<Utc>>,
    /// The redeem URL of the last invitation.
    pub redeem_url: Option<RedeemUrl>,
    /// Whether guestsync disabled the account (and may enable it again).
    pub disabled_by_us: bool,
    /// The attributes guestsync last wrote (what the planner compares with).
    pub last_applied: serde_json::Value,
    /// When guestsync last wrote them.
    pub last_applied_at: DateTime<Utc>,
    /// When guestsync deleted the guest (the link keeps the deleted object id, for a restore).
    pub deleted_at: Option<DateTime<Utc>>,
    /// The redemption state the last cycle saw (`None` until a cycle saw the guest).
    pub redemption_state: Option<super::RedemptionState>,
    /// Graph's `externalUserStateChangeDateTime`, as last seen.
    pub redemption_changed_at: Option<DateTime<Utc>>,
    /// When guestsync first saw the current redemption state (e.g. pending since).
    pub redemption_seen_at: Option<DateTime<Utc>>,
    /// How often guestsync re-invited the guest while it was pending; back to 0 when the
    /// object id or the address changes.
    pub reinvites: u32,
    /// When guestsync last re-invited it (reset with `reinvites`).
    pub reinvited_at: Option<DateTime<Utc>>,
    /// When guestsync disabled it; kept while `disabled_by_us` stays true, cleared otherwise.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When guestsync expired it (pending acceptance too long); cleared with `disabled_at`.
    pub expired_at: Option<DateTime<Utc>>,
}

/// The fields a successful item writes to its link.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkFields {
    /// The guest's Entra object id.
    pub object_id: String,
    /// The user principal name; `None` keeps the stored one.
    pub user_principal_name: Option<String>,
    /// The e-mail address.
    pub email: String,
    /// When invited; `None` keeps the stored one.
    pub invited_at: Option<DateTime<Utc>>,
    /// The redeem URL; `None` keeps the stored one.
    pub redeem_url: Option<RedeemUrl>,
    /// Whether guestsync disabled the account.
    pub disabled_by_us: bool,
    /// The attributes just written.
    pub last_applied: serde_json::Value,
}

/// How `item_complete` changes the link of its anchor, in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkUpdate {
    /// Leave the link as it is.
    Keep,
    /// Insert or update the link; `last_applied_at` becomes `now`, `deleted_at` is cleared.
    /// `disabled_at` becomes `now` when `disabled_by_us` turns true (kept while it stays true,
    /// cleared when false, and `expired_at` with it); `reinvites` and `reinvited_at` restart when the object id or the
    /// e-mail changes.
    Upsert(LinkFields),
    /// The guest was deleted: set `deleted_at = now`, keep the row for history.
    MarkDeleted,
    /// Remove the link row.
    Remove,
    /// An invitation: upsert the link as [`LinkUpdate::Upsert`] and queue the invitation mail
    /// in the same transaction (replacing an older one of the anchor).
    UpsertAndMail(LinkFields, super::InvitationMail),
    /// As `Upsert`, after a re-invitation of a pending guest: `reinvites + 1` and
    /// `reinvited_at = now`; with guestsync's own mail, the new redeem URL is queued as in
    /// [`LinkUpdate::UpsertAndMail`].
    Renewed(LinkFields, Option<super::InvitationMail>),
    /// An expiry: `Upsert` of the fields (the guest was disabled) or, without fields,
    /// `MarkDeleted` (it was deleted); then `expired_at = now`.
    Expired(Option<LinkFields>),
}

#[cfg(test)]
mod tests {
    use super::RedeemUrl;

    #[test]
    fn redeem_url_debug_is_redacted() {
        let url = RedeemUrl::new("https://login.example/redeem?ticket=SECRET");
        assert!(!format!("{url:?}").contains("SECRET"));
        assert!(!format!("{:?}", Some(url.clone())).contains("ticket"));
        assert_eq!(url.expose(), "https://login.example/redeem?ticket=SECRET");
    }
}
