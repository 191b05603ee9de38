//! Reading a response body with a bound: a body longer than the limit (announced by
//! `Content-Length` or found while reading) is abandoned, so a broken or hostile answer can never
//! make the daemon buffer gigabytes.

use super::error::{ErrorClass, GraphError};

/// `error.code` of a body over the limit (guestsync's own code, not Graph's).
pub const TOO_LARGE: &str = "ResponseTooLarge";
/// `error.code` of a 2xx body that is not the JSON Graph documents (guestsync's own code).
pub const MALFORMED: &str = "MalformedResponse";

/// The body of `response`, at most `limit` bytes; a longer one is a transient error
/// [`TOO_LARGE`] (the next attempt may get a sane answer; attempts are bounded). A connection
/// cut mid-body is a transport error.
pub async fn read_bounded(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    let announced = response.content_length().unwrap_or(0);
    if announced > u64::try_from(limit).unwrap_or(u64::MAX) {
        return Err(BodyError::TooLarge { limit });
    }
    let mut body = Vec::with_capacity(usize::try_from(announced).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The body is longer than `limit` bytes.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The connection failed while reading (cut, reset, timed out).
    Transport(reqwest::Error),
}

impl BodyError {
    /// The failure as a transient [`GraphError`] (no URL, no body in the message).
    pub fn into_graph_error(self, status: u16) -> GraphError {
        match self {
            Self::TooLarge { limit } => GraphError {
                status: Some(status),
                code: Some(TOO_LARGE.to_owned()),
                ..GraphError::new(
                    ErrorClass::Transient,
                    format!("response body longer than {limit} bytes; abandoned unread"),
                )
            },
            Self::Transport(e) => {
                let kind = if e.is_timeout() {
                    "timeout"
                } else {
                    "transport error"
                };
                GraphError::transport(format!(
                    "{kind} while reading the response body (HTTP {status}): {}",
                    e.without_url()
                ))
            }
        }
    }
}

/// A 2xx body that does not decode: transient [`MALFORMED`] (the write may have happened; a
/// retry of an invitation finds the same guest, graph.md §1), bounded by the item's attempts.
pub fn malformed(detail: &serde_json::Error) -> GraphError {
    GraphError {
        code: Some(MALFORMED.to_owned()),
        ..GraphError::new(
            ErrorClass::Transient,
            format!("unexpected Graph response shape: {detail}"),
        )
    }
}
