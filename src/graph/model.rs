//! Typed Graph payloads (serde, camelCase): users, invitations and the redacted redeem URL.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize};

/// A Graph user as returned with some `$select`; every field but `id` is optional because
/// `$select` decides what is present. A user without `id` is a malformed answer, never a user
/// with an empty id (it would be matched, linked and patched as `/users/`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphUser {
    /// Object id (required).
    pub id: String,
    /// Primary e-mail.
    pub mail: Option<String>,
    /// Additional e-mail addresses.
    pub other_mails: Option<Vec<String>>,
    /// UPN (guests: `local_domain#EXT#@tenant`).
    pub user_principal_name: Option<String>,
    /// `Guest` or `Member`.
    pub user_type: Option<String>,
    /// Sign-in allowed.
    pub account_enabled: Option<bool>,
    /// `Invitation` for B2B guests.
    pub creation_type: Option<String>,
    /// `PendingAcceptance` or `Accepted`.
    pub external_user_state: Option<String>,
    /// Last change of `externalUserState`.
    pub external_user_state_change_date_time: Option<DateTime<Utc>>,
    /// Display name.
    pub display_name: Option<String>,
    /// Given name.
    pub given_name: Option<String>,
    /// Surname.
    pub surname: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Company name.
    pub company_name: Option<String>,
    /// Office location.
    pub office_location: Option<String>,
    /// Employee id.
    pub employee_id: Option<String>,
    /// Employee type.
    pub employee_type: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state: Option<String>,
    /// Country or region (free text).
    pub country: Option<String>,
    /// Street address.
    pub street_address: Option<String>,
    /// Postal code.
    pub postal_code: Option<String>,
    /// Two-letter usage location.
    pub usage_location: Option<String>,
    /// Mobile phone.
    pub mobile_phone: Option<String>,
    /// `extensionAttribute1..15` by name; Graph returns all fifteen, unset ones `null`.
    pub on_premises_extension_attributes: Option<BTreeMap<String, Option<String>>>,
    /// Creation time.
    pub created_date_time: Option<DateTime<Utc>>,
}

/// The body of `POST /invitations`.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRequest {
    /// The invitee's address (required).
    pub invited_user_email_address: String,
    /// Where the guest lands after redemption (required).
    pub invite_redirect_url: String,
    /// Display name of the new guest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_user_display_name: Option<String>,
    /// `Guest` (default) or `Member`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_user_type: Option<String>,
    /// Whether Microsoft sends the invitation e-mail (guestsync default: false).
    pub send_invitation_message: bool,
    /// Re-invite an existing guest; requires `invited_user`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reset_redemption: bool,
    /// The existing user for a reset of redemption.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_user: Option<InvitedUserRef>,
}

/// `{"id": …}` of an existing user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitedUserRef {
    /// Object id.
    pub id: String,
}

/// A redeem URL. Its `Debug` and `Display` are redacted; read it with [`RedeemUrl::expose`].
#[derive(Clone)]
pub struct RedeemUrl(SecretString);

impl RedeemUrl {
    /// The full URL; only for storing it or handing it to the IDM.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for RedeemUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RedeemUrl([redacted])")
    }
}

impl<'de> Deserialize<'de> for RedeemUrl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Self(SecretString::from(s)))
    }
}

/// The result of `POST /invitations`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    /// The invitation id (not the user's).
    pub id: Option<String>,
    /// The redeem URL; only ever returned here.
    pub invite_redeem_url: RedeemUrl,
    /// The guest user.
    pub invited_user: InvitedUser,
    /// `PendingAcceptance`, `Completed`, …
    pub status: Option<String>,
}

/// The user an invitation created or found.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitedUser {
    /// Object id: the key for everything that follows.
    pub id: String,
    /// The guest's UPN, when returned.
    pub user_principal_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_debug_hides_the_redeem_url() {
        let json = r#"{"id":"i","inviteRedeemUrl":"https://login.microsoftonline.com/redeem?rd=SECRET",
            "invitedUser":{"id":"u","userPrincipalName":"a_b#EXT#@t"},"status":"PendingAcceptance"}"#;
        let inv: Invitation = serde_json::from_str(json).unwrap();
        assert!(!format!("{inv:?}").contains("SECRET"));
        assert!(inv.invite_redeem_url.expose().ends_with("rd=SECRET"));
        assert_eq!(inv.invited_user.id, "u");
    }

    #[test]
    fn users_tolerate_missing_properties_and_request_skips_empties() {
        let u: GraphUser = serde_json::from_str(r#"{"id":"1","otherMails":[]}"#).unwrap();
        assert_eq!(u.other_mails, Some(vec![]));
        let req = InvitationRequest {
            invited_user_email_address: "a@b.c".into(),
            invite_redirect_url: "https://x".into(),
            ..Default::default()
        };
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 3, "{v}");
    }
}
