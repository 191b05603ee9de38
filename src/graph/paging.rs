//! Paging: follows `@odata.nextLink` verbatim until it is absent; empty pages are normal.
//! Every page goes through the same request loop, so headers are sent again on each page.

use reqwest::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use super::client::{Call, GraphClient};
use super::error::{ErrorClass, GraphError};

/// One page of a collection. `value` is required: an empty page is `"value": []`; a page
/// without it is malformed, never an empty tenant.
#[derive(Deserialize)]
struct Page<T> {
    value: Vec<T>,
    #[serde(rename = "@odata.nextLink")]
    next_link: Option<String>,
}

/// Decodes a 2xx body into `T`; a body of the wrong shape is [`super::body::malformed`].
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, GraphError> {
    serde_json::from_slice(body).map_err(|e| super::body::malformed(&e))
}

impl GraphClient {
    /// GETs `url` and decodes the JSON body.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        url: Url,
    ) -> Result<T, GraphError> {
        let call = Call {
            operation,
            method: Method::GET,
            url,
            body: None,
        };
        decode(&self.execute(&call).await?.body)
    }

    /// Calls `on_page` with every page of the collection at `first`, following
    /// `@odata.nextLink` exactly as Graph returned it. Stops at the first error (from Graph or
    /// from `on_page`). A nextLink to another host is refused (it would receive our token).
    pub async fn for_each_page<T, F>(
        &self,
        operation: &'static str,
        first: Url,
        mut on_page: F,
    ) -> Result<(), GraphError>
    where
        T: DeserializeOwned,
        F: FnMut(Vec<T>) -> Result<(), GraphError>,
    {
        let mut next = Some(first);
        while let Some(url) = next.take() {
            let page: Page<T> = self.get_json(operation, url).await?;
            on_page(page.value)?;
            next = page
                .next_link
                .map(|link| self.next_url(&link))
                .transpose()?;
        }
        Ok(())
    }

    /// Every item of the collection at `first`, all pages.
    pub(crate) async fn collect_pages<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        first: Url,
    ) -> Result<Vec<T>, GraphError> {
        let mut all = Vec::new();
        self.for_each_page(operation, first, |page| {
            all.extend(page);
            Ok(())
        })
        .await?;
        Ok(all)
    }

    fn next_url(&self, link: &str) -> Result<Url, GraphError> {
        let url = Url::parse(link)
            .map_err(|_| GraphError::new(ErrorClass::Permanent, "unparsable @odata.nextLink"))?;
        if self.is_own_origin(&url) {
            Ok(url)
        } else {
            Err(GraphError::new(
                ErrorClass::Permanent,
                "@odata.nextLink points to another host",
            ))
        }
    }
}
