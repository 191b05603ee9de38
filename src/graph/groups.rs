//! Typed calls on group membership: single adds and removes, the member list of a group
//! (`$select=id`, all pages), up to 20 additions in one `PATCH /groups/{id}` with
//! `members@odata.bind` (one write), and removals through `$batch`.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::batch::{BatchItemResult, BatchRequest};
use super::client::GraphClient;
use super::error::{ErrorClass, GraphError};
use super::odata::path_segment;

/// The most members one `members@odata.bind` PATCH may add (Graph's limit).
pub const MAX_MEMBERS_PER_PATCH: usize = 20;

#[derive(Deserialize)]
struct MemberRef {
    id: String,
}

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

    /// The object ids of every member of `group_id` (`GET /groups/{id}/members?$select=id`,
    /// 999 per page, every page).
    pub async fn list_group_member_ids(&self, group_id: &str) -> Result<Vec<String>, GraphError> {
        let url = self.url(&format!(
            "/groups/{}/members?$select=id&$top=999",
            path_segment(group_id)
        ))?;
        let members: Vec<MemberRef> = self.collect_pages("GET /groups/{id}/members", url).await?;
        Ok(members.into_iter().map(|m| m.id).collect())
    }

    /// Adds up to [`MAX_MEMBERS_PER_PATCH`] users to `group_id` in one write
    /// (`PATCH /groups/{id}` with `members@odata.bind`). Graph adds all or none: one that is
    /// already a member fails the request with 400, one that does not exist with 404.
    pub async fn add_group_members(
        &self,
        group_id: &str,
        user_ids: &[String],
    ) -> Result<(), GraphError> {
        if user_ids.len() > MAX_MEMBERS_PER_PATCH {
            return Err(GraphError::new(
                ErrorClass::Permanent,
                format!(
                    "{} members in one request; Graph accepts at most {MAX_MEMBERS_PER_PATCH}",
                    user_ids.len()
                ),
            ));
        }
        let refs: Vec<String> = user_ids
            .iter()
            .map(|id| self.directory_object_ref(id))
            .collect();
        let body = json!({ "members@odata.bind": refs });
        let path = format!("/groups/{}", path_segment(group_id));
        self.write("PATCH /groups/{id}", Method::PATCH, &path, Some(&body))
            .await
            .map(drop)
    }

    /// Removes users from `group_id` through `$batch` (20 removals per batch); one result per
    /// user, in input order.
    pub async fn remove_group_members(
        &self,
        group_id: &str,
        user_ids: &[String],
    ) -> Result<Vec<BatchItemResult>, GraphError> {
        let requests = user_ids
            .iter()
            .enumerate()
            .map(|(i, uid)| BatchRequest::remove_group_member(i.to_string(), group_id, uid))
            .collect();
        self.batch(requests).await
    }

    /// `{base_url}/directoryObjects/{id}`, the reference Graph expects in `@odata.id`.
    pub(crate) fn directory_object_ref(&self, id: &str) -> String {
        format!("{}/directoryObjects/{}", self.base_url(), path_segment(id))
    }
}
