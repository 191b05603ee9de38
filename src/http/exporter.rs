//! The Prometheus exporter: one [`PrometheusRecorder`] per [`MetricsExporter`], rendered by
//! `GET /metrics`. The daemon installs it as the process recorder once ([`install_global`]);
//! tests keep theirs local. The gauges read from the store and the throttle (items by state,
//! the pause in force) are refreshed here, straight into this exporter's recorder.
//!
//! [`install_global`]: MetricsExporter::install_global

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::{
    BuildError, Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};

use super::ready::pause_left;
use crate::graph::Throttle;
use crate::store::{Store, StoreError};
use crate::sync::metrics as names;

/// Buckets of the cycle duration histogram, in seconds.
const CYCLE_BUCKETS: [f64; 10] = [0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0];

/// Buckets of the cycle phase histogram, in seconds (phases run from milliseconds to minutes).
const PHASE_BUCKETS: [f64; 12] = [
    0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// A Prometheus recorder and the handle that renders it.
#[derive(Clone)]
pub struct MetricsExporter {
    recorder: Arc<PrometheusRecorder>,
    handle: PrometheusHandle,
}

impl std::fmt::Debug for MetricsExporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsExporter").finish_non_exhaustive()
    }
}

impl MetricsExporter {
    /// A fresh recorder with guestsync's histogram buckets; not installed anywhere.
    pub fn new() -> Result<Self, BuildError> {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(names::CYCLE_DURATION.into()), &CYCLE_BUCKETS)?
            .set_buckets_for_metric(Matcher::Full(names::CYCLE_PHASE.into()), &PHASE_BUCKETS)?
            .build_recorder();
        let handle = recorder.handle();
        metrics::with_local_recorder(&recorder, super::metric_help::describe_all);
        Ok(Self {
            recorder: Arc::new(recorder),
            handle,
        })
    }

    /// Makes this the process-wide recorder of the `metrics` facade. Once per process (the
    /// daemon); fails if a recorder is already installed.
    pub fn install_global(&self) -> anyhow::Result<()> {
        metrics::set_global_recorder(self.recorder.clone())
            .map_err(|_| anyhow::anyhow!("a metrics recorder is already installed"))
    }

    /// The recorder, for `metrics::set_default_local_recorder` in tests.
    pub fn recorder(&self) -> &PrometheusRecorder {
        &self.recorder
    }

    /// The Prometheus text exposition of every series.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// Drains histogram buckets; call periodically (the daemon does, with the gauges).
    pub fn run_upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// Sets the gauges read from the store (items by state, owned guests by redemption state)
    /// and the throttle (pause seconds).
    /// Each read is bounded by [`SCRAPE_READ_TIMEOUT`], so a scrape answers in time while the
    /// store is down (the gauges then keep their last values and the error says why).
    pub async fn refresh(
        &self,
        store: &dyn Store,
        throttle: &Throttle,
    ) -> Result<(), RefreshError> {
        let (pause, counts, guests) = tokio::join!(
            bounded(async { Ok(pause_left(throttle).await) }),
            bounded(store.item_counts()),
            bounded(store.link_redemption_counts()),
        );
        metrics::with_local_recorder(&*self.recorder, || {
            if let Ok(guests) = &guests {
                for (state, n) in guests {
                    metrics::gauge!(names::GUESTS, "redemption" => state.as_str()).set(*n as f64);
                }
            }
            if let Ok(pause) = &pause {
                metrics::gauge!(names::THROTTLE_PAUSE).set(pause.as_secs_f64());
            }
            if let Ok(counts) = &counts {
                for (state, n) in counts {
                    metrics::gauge!(names::ITEMS, "state" => state.as_str()).set(*n as f64);
                }
            }
        });
        pause.and(counts).and(guests).map(|_| ())
    }
}

/// How long one store or throttle read of a scrape may take: well under Prometheus's default
/// scrape timeout of 10 s.
pub const SCRAPE_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the gauges read from the store could not all be refreshed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// The store answered with an error.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store (or the shared throttle kept in it) did not answer in time.
    #[error("the state store did not answer within {}s", SCRAPE_READ_TIMEOUT.as_secs())]
    Timeout,
}

async fn bounded<T>(
    read: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Result<T, RefreshError> {
    match tokio::time::timeout(SCRAPE_READ_TIMEOUT, read).await {
        Ok(answer) => Ok(answer?),
        Err(_) => Err(RefreshError::Timeout),
    }
}
