//! Paging of directory collections: `$top` (1..=999, default 100), stable id order, and an
//! opaque, tamper-evident `$skiptoken` inside an absolute `@odata.nextLink`; [`page_of`] builds
//! a page that may be short or empty (the `sparse_pages` knob).

use std::ops::Bound;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::exchange::{GraphRequest, GraphResponse, bad_request, unsupported};

/// Where a page starts and how long it is.
#[derive(Clone, Debug)]
pub(crate) struct PageSpec {
    /// Items with ids after this one (exclusive).
    pub after: Option<String>,
    /// Page size.
    pub top: usize,
}

impl PageSpec {
    /// The ids this page may start at (after the cursor), for `BTreeMap::range`.
    pub fn range(&self) -> (Bound<&str>, Bound<&str>) {
        let start = match &self.after {
            Some(after) => Bound::Excluded(after.as_str()),
            None => Bound::Unbounded,
        };
        (start, Bound::Unbounded)
    }
}

fn mac(key: &str, id: &str) -> String {
    let digest = Sha256::digest(format!("{key}\u{0}{id}").as_bytes());
    digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

/// Encodes a cursor (the last id of a page).
pub(crate) fn encode_token(key: &str, last_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{last_id}|{}", mac(key, last_id)))
}

/// Decodes a cursor; anything not issued by this emulator is a 400.
pub(crate) fn decode_token(key: &str, token: &str) -> Result<String, GraphResponse> {
    // UNCONFIRMED: the exact code Graph gives for a mangled skip token; Request_BadRequest chosen.
    let invalid = || bad_request("The specified page token value is invalid.");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (id, sig) = text.rsplit_once('|').ok_or_else(invalid)?;
    if sig != mac(key, id) {
        return Err(invalid());
    }
    Ok(id.to_owned())
}

/// Reads `$top` and `$skiptoken`; rejects `$skip`, which directory collections do not support.
pub(crate) fn page_spec(req: &GraphRequest, key: &str) -> Result<PageSpec, GraphResponse> {
    if req.param("$skip").is_some() {
        return Err(unsupported("'$skip' is not supported by the service."));
    }
    let top = match req.param("$top") {
        None => 100,
        Some(raw) => {
            let n: i64 = raw.trim().parse().map_err(|_| {
                GraphResponse::error(
                    400,
                    "BadRequest",
                    format!("Invalid value '{raw}' for $top query option found."),
                )
            })?;
            // UNCONFIRMED: Graph's code for an out-of-range page size; message as observed.
            if !(1..=999).contains(&n) {
                return Err(unsupported(format!(
                    "Invalid page size specified: '{n}'. Must be between 1 and 999 inclusive."
                )));
            }
            n as usize
        }
    };
    let after = match req.param("$skiptoken") {
        Some(token) => Some(decode_token(key, token)?),
        None => None,
    };
    Ok(PageSpec { after, top })
}

/// Builds one page from items sorted by id: `@odata.context`, `value`, and `@odata.nextLink`
/// when more items follow.
pub(crate) fn page(
    req: &GraphRequest,
    key: &str,
    link_base: &str,
    context: &str,
    spec: &PageSpec,
    items: Vec<(String, Value)>,
) -> GraphResponse {
    let mut rest = items
        .into_iter()
        .filter(|(id, _)| spec.after.as_ref().is_none_or(|a| id > a))
        .peekable();
    let mut value = Vec::new();
    let mut last = None;
    while value.len() < spec.top {
        let Some((id, item)) = rest.next() else { break };
        value.push(item);
        last = Some(id);
    }
    let after = last.filter(|_| rest.peek().is_some());
    page_of(req, key, (link_base, context), value, after.as_deref())
}

/// One page holding `value`; with a nextLink that continues after the id `after`, if given.
pub(crate) fn page_of(
    req: &GraphRequest,
    key: &str,
    (link_base, context): (&str, &str),
    value: Vec<Value>,
    after: Option<&str>,
) -> GraphResponse {
    let mut body = Map::new();
    body.insert("@odata.context".into(), Value::from(context));
    if let Some(after) = after {
        body.insert(
            "@odata.nextLink".into(),
            Value::from(next_link(req, link_base, &encode_token(key, after))),
        );
    }
    body.insert("value".into(), Value::Array(value));
    GraphResponse::json(200, json!(body))
}

fn next_link(req: &GraphRequest, link_base: &str, token: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in req.query.iter().filter(|(k, _)| k != "$skiptoken") {
        query.append_pair(k, v);
    }
    query.append_pair("$skiptoken", token);
    format!("{link_base}?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_round_trips_and_detects_tampering() {
        let token = encode_token("k", "abc");
        assert_eq!(decode_token("k", &token).unwrap(), "abc");
        assert!(decode_token("other", &token).is_err());
        assert!(decode_token("k", "bm9wZQ").is_err());
    }
}
