//! Typed calls on group membership.

use reqwest::Method;
use serde_json::json;

use super::client::GraphClient;
use super::error::GraphError;
use super::odata::path_segment;

impl GraphClient {
    /// Adds `user_id` to `group_id` (`POST /groups/{id}/members/$ref`).
    pub async fn add_group_member(&self, group_id: &str, user_id: &str) -> Result<(), GraphError> {
        let body = json!({ "@odata.id": self.directory_object_ref(user_id) });
        let path = format!("/groups/{}/members/$ref", path_segment(group_id));
        self.write(
            "POST /groups/{id}/members/$ref",
            Method::POST,
            &path,
            Some(&body),
        )
        .await
        .map(drop)
    }

    /// Removes `user_id` from `group_id` (`DELETE /groups/{gid}/members/{uid}/$ref`).
    pub async fn remove_group_member(
        &self,
        group_id: &str,
        user_id: &str,
    ) -> Result<(), GraphError> {
        let path = format!(
            "/groups/{}/members/{}/$ref",
            path_segment(group_id),
            path_segment(user_id)
        );
        self.write(
            "DELETE /groups/{id}/members/{id}/$ref",
            Method::DELETE,
            &path,
            None,
        )
        .await
        .map(drop)
    }

    /// `{base_url}/directoryObjects/{id}`, the reference Graph expects in `@odata.id`.
    pub(crate) fn directory_object_ref(&self, id: &str) -> String {
        format!("{}/directoryObjects/{}", self.base_url(), path_segment(id))
    }
}
