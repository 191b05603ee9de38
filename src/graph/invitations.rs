//! `POST /invitations`: creates (or finds) the guest and returns its object id and a redeem URL.

use reqwest::Method;

use super::client::GraphClient;
use super::error::{ErrorClass, GraphError};
use super::model::{Invitation, InvitationRequest};
use super::paging::decode;

impl GraphClient {
    /// Invites `request.invited_user_email_address`. The returned redeem URL is redacted in
    /// `Debug`; the invited user's id is the key for every later call.
    pub async fn invite(&self, request: &InvitationRequest) -> Result<Invitation, GraphError> {
        let body = serde_json::to_value(request)
            .map_err(|e| GraphError::new(ErrorClass::Permanent, format!("invitation body: {e}")))?;
        let response = self
            .write(
                "POST /invitations",
                Method::POST,
                "/invitations",
                Some(&body),
            )
            .await?;
        decode(&response)
    }
}
