//! Typed calls on users and deleted users: list (guests, filtered), find by e-mail, get,
//! update, delete, list deleted, restore.

use reqwest::Method;
use serde_json::{Map, Value};

use super::client::{Call, GraphClient};
use super::error::GraphError;
use super::model::GraphUser;
use super::odata::{email_filter, guests_filter, path_segment, query_value};
use super::paging::decode;

/// Properties fetched when the caller names none (what matching and planning need).
pub const DEFAULT_SELECT: &[&str] = &[
    "id",
    "mail",
    "otherMails",
    "userPrincipalName",
    "userType",
    "accountEnabled",
    "creationType",
    "externalUserState",
    "externalUserStateChangeDateTime",
    "displayName",
];

/// Largest page Graph serves for users.
const MAX_TOP: u32 = 999;

/// `?$filter=…&$select=…&$top=…` with every value percent-encoded.
pub fn users_query(filter: Option<&str>, select: &[&str], top: Option<u32>) -> String {
    let mut parts = Vec::new();
    if let Some(filter) = filter {
        parts.push(format!("$filter={}", query_value(filter)));
    }
    if !select.is_empty() {
        parts.push(format!("$select={}", query_value(&select.join(","))));
    }
    if let Some(top) = top {
        parts.push(format!("$top={top}"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

impl GraphClient {
    /// Every guest (`userType eq 'Guest'`), all pages of 999, with `select`.
    pub async fn list_guests(&self, select: &[&str]) -> Result<Vec<GraphUser>, GraphError> {
        self.list_users(Some(&guests_filter()), select).await
    }

    /// Every guest, handed to `on_page` one page at a time (for large tenants).
    pub async fn for_each_guest_page<F>(
        &self,
        select: &[&str],
        on_page: F,
    ) -> Result<(), GraphError>
    where
        F: FnMut(Vec<GraphUser>) -> Result<(), GraphError>,
    {
        let url = self.url(&format!(
            "/users{}",
            users_query(Some(&guests_filter()), select, Some(MAX_TOP))
        ))?;
        self.for_each_page("GET /users", url, on_page).await
    }

    /// Every user matching `filter` (an OData expression built with [`super::odata`]).
    pub async fn list_users(
        &self,
        filter: Option<&str>,
        select: &[&str],
    ) -> Result<Vec<GraphUser>, GraphError> {
        let url = self.url(&format!(
            "/users{}",
            users_query(filter, select, Some(MAX_TOP))
        ))?;
        self.collect_pages("GET /users", url).await
    }

    /// Users holding `email` as `mail` or in `otherMails` (quotes in the address are doubled).
    pub async fn find_users_by_email(&self, email: &str) -> Result<Vec<GraphUser>, GraphError> {
        self.list_users(Some(&email_filter(email)), DEFAULT_SELECT)
            .await
    }

    /// One user by object id or UPN.
    pub async fn get_user(&self, id: &str, select: &[&str]) -> Result<GraphUser, GraphError> {
        let url = self.url(&format!(
            "/users/{}{}",
            path_segment(id),
            users_query(None, select, None)
        ))?;
        self.get_json("GET /users/{id}", url).await
    }

    /// PATCHes the given properties (only those that change); Graph answers 204.
    pub async fn update_user(
        &self,
        id: &str,
        patch: &Map<String, Value>,
    ) -> Result<(), GraphError> {
        let body = Value::Object(patch.clone());
        self.write(
            "PATCH /users/{id}",
            Method::PATCH,
            &format!("/users/{}", path_segment(id)),
            Some(&body),
        )
        .await
        .map(drop)
    }

    /// Soft-deletes a user (restorable for 30 days).
    pub async fn delete_user(&self, id: &str) -> Result<(), GraphError> {
        self.write(
            "DELETE /users/{id}",
            Method::DELETE,
            &format!("/users/{}", path_segment(id)),
            None,
        )
        .await
        .map(drop)
    }

    /// Every soft-deleted user.
    pub async fn list_deleted_users(&self) -> Result<Vec<GraphUser>, GraphError> {
        let path = format!(
            "/directory/deletedItems/microsoft.graph.user{}",
            users_query(None, DEFAULT_SELECT, None)
        );
        self.collect_pages(
            "GET /directory/deletedItems/microsoft.graph.user",
            self.url(&path)?,
        )
        .await
    }

    /// Restores a soft-deleted user and returns it.
    pub async fn restore_deleted_user(&self, id: &str) -> Result<GraphUser, GraphError> {
        let path = format!("/directory/deletedItems/{}/restore", path_segment(id));
        let body = self
            .write(
                "POST /directory/deletedItems/{id}/restore",
                Method::POST,
                &path,
                None,
            )
            .await?;
        decode(&body)
    }

    /// Sends a write and returns the response body (empty for 204).
    pub(crate) async fn write(
        &self,
        operation: &'static str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Vec<u8>, GraphError> {
        let call = Call {
            operation,
            method,
            url: self.url(path)?,
            body,
        };
        Ok(self.execute(&call).await?.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_an_encoded_users_query() {
        let q = users_query(Some(&email_filter("o'b#x@y.z")), &["id", "mail"], Some(999));
        assert_eq!(
            q,
            "?$filter=mail%20eq%20'o''b%23x@y.z'%20or%20otherMails/any(x:x%20eq%20'o''b%23x@y.z')&$select=id,mail&$top=999"
        );
        assert_eq!(users_query(None, &[], None), "");
    }
}
