//! Mapping of token endpoint failures onto [`GraphError`]: a refused credential is
//! `Unauthorised` (named by its OAuth error and AADSTS code, never the secret), a server-side
//! or transport failure is transient.

use oauth2::RequestTokenError;
use oauth2::basic::BasicErrorResponse;

use super::error::{ErrorClass, GraphError};
use super::http_client::OAuthHttpError;

/// Maps a token endpoint failure: transient for 5xx, `temporarily_unavailable` and transport
/// errors; otherwise `Unauthorised`, naming the OAuth error and the AADSTS code only.
pub(super) fn token_error(
    e: RequestTokenError<OAuthHttpError, BasicErrorResponse>,
    status: Option<u16>,
) -> GraphError {
    let server_side = status.is_some_and(|s| s >= 500 || s == 429 || s == 408);
    match e {
        RequestTokenError::ServerResponse(resp) => {
            let code = resp.error().as_ref().to_owned();
            let aadsts = resp.error_description().and_then(|d| aadsts_code(d));
            let class = if server_side || code == "temporarily_unavailable" {
                ErrorClass::Transient
            } else {
                ErrorClass::Unauthorised
            };
            let detail = aadsts.map(|c| format!(" ({c})")).unwrap_or_default();
            GraphError {
                class,
                status,
                message: format!("token endpoint refused the request: {code}{detail}"),
                code: Some(code),
                request_id: None,
                retry_after: None,
            }
        }
        RequestTokenError::Request(e) => GraphError::transport(e.to_string()),
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => GraphError {
            class: if server_side {
                ErrorClass::Transient
            } else {
                ErrorClass::Unauthorised
            },
            status,
            code: None,
            message: "token endpoint gave an unreadable response".to_owned(),
            request_id: None,
            retry_after: None,
        },
    }
}

/// `AADSTS7000215` out of an Entra `error_description`.
fn aadsts_code(description: &str) -> Option<String> {
    let start = description.find("AADSTS")?;
    let digits: String = description[start + 6..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("AADSTS{digits}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_aadsts_code() {
        let d = "AADSTS7000215: Invalid client secret provided. Trace ID: x";
        assert_eq!(aadsts_code(d).as_deref(), Some("AADSTS7000215"));
        assert_eq!(aadsts_code("nothing here"), None);
        assert_eq!(aadsts_code("AADSTS"), None);
    }
}
