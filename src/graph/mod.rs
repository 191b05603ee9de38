//! The Microsoft Graph client: one reqwest client, the token source, the shared throttle, typed
//! calls, paging, `$batch` and the classification of every response.
//!
//! - [`config`]: [`GraphConfig`], [`Credential`], [`RetryPolicy`].
//! - [`token`], [`certificate`], [`http_client`]: client-credentials tokens via `oauth2`.
//! - [`throttle`], [`slowdown`], [`backoff`], [`error`]: pacing, pauses, retries and
//!   classification;
//!   [`body`]: bounded reading of response bodies and malformed answers;
//!   [`tally`]: what the throttle let through.
//! - [`client`]: [`GraphClient`], the request loop; [`users`], [`invitations`], [`paging`],
//!   [`batch`]: the typed calls; [`odata`]: literals and filters; [`model`]: payloads.

pub mod backoff;
pub mod batch;
pub mod body;
pub mod certificate;
pub mod client;
pub mod config;
pub mod error;
pub mod groups;
pub mod http_client;
pub mod invitations;
mod metrics;
pub mod model;
pub mod odata;
pub mod paging;
mod request;
pub mod slowdown;
pub mod tally;
pub mod throttle;
pub mod token;
mod token_error;
pub mod users;

pub use batch::{BatchItemResult, BatchRequest};
pub use client::{CallObserver, GraphClient, WriteRetry};
pub use config::{Credential, GraphConfig, RetryPolicy};
pub use error::{ErrorClass, GraphError, classify};
pub use model::{GraphUser, Invitation, InvitationRequest, InvitedUser, RedeemUrl};
pub use tally::ThrottleTally;
pub use throttle::{LocalThrottleState, OpKind, Pacing, Throttle, ThrottleState};
pub use token::{AccessToken, OAuthTokenSource, TokenSource};
