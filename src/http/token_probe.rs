//! The token check of the readiness probe, rate-limited: the token source is asked at most once
//! per [`TokenProbe::EVERY`] (it answers from its cache while the token is fresh), and the
//! answer is remembered in between, so probes never hammer the token endpoint.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::graph::TokenSource;

/// The remembered answer of the last token check.
type Answer = Result<(), String>;

/// A rate-limited, single-flight check that a Graph token is obtainable.
pub struct TokenProbe {
    tokens: Arc<dyn TokenSource>,
    last: Mutex<Option<(Instant, Answer)>>,
}

impl std::fmt::Debug for TokenProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProbe").finish_non_exhaustive()
    }
}

impl TokenProbe {
    /// The least time between two questions to the token source.
    pub const EVERY: Duration = Duration::from_secs(60);
    /// How long one question may take.
    const TIMEOUT: Duration = Duration::from_secs(10);

    /// A probe over `tokens` (the Graph client's cached token source).
    pub fn new(tokens: Arc<dyn TokenSource>) -> Self {
        Self {
            tokens,
            last: Mutex::new(None),
        }
    }

    /// Whether a token is obtainable; the reason when not (never the token itself).
    pub async fn check(&self) -> Answer {
        let mut last = self.last.lock().await;
        if let Some((at, answer)) = last.as_ref()
            && at.elapsed() < Self::EVERY
        {
            return answer.clone();
        }
        let answer = match tokio::time::timeout(Self::TIMEOUT, self.tokens.token()).await {
            Ok(Ok(_token)) => Ok(()),
            Ok(Err(error)) => Err(format!("cannot obtain a token: {error}")),
            Err(_) => Err("the token endpoint did not answer in time".to_string()),
        };
        *last = Some((Instant::now(), answer.clone()));
        answer
    }
}
