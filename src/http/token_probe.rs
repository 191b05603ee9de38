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

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use secrecy::SecretString;

    use super::*;
    use crate::graph::{AccessToken, ErrorClass, GraphError};

    #[derive(Default)]
    struct Counting {
        calls: AtomicUsize,
    }

    #[async_trait]
    impl TokenSource for Counting {
        async fn token(&self) -> Result<AccessToken, GraphError> {
            if self.calls.fetch_add(1, Ordering::SeqCst) == 0 {
                Err(GraphError::new(
                    ErrorClass::Transient,
                    "token endpoint down",
                ))
            } else {
                Ok(AccessToken::new(SecretString::from("t"), Instant::now()))
            }
        }

        fn invalidate(&self, _stale: &AccessToken) {}
    }

    #[tokio::test(start_paused = true)]
    async fn asks_the_token_source_at_most_once_a_minute() {
        let tokens = Arc::new(Counting::default());
        let probe = TokenProbe::new(tokens.clone());
        assert!(probe.check().await.is_err());
        tokio::time::advance(Duration::from_secs(59)).await;
        assert!(probe.check().await.is_err(), "the answer is remembered");
        assert_eq!(tokens.calls.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert_eq!(probe.check().await, Ok(()));
        assert_eq!(tokens.calls.load(Ordering::SeqCst), 2);
    }
}
