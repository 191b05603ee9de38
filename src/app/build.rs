//! Builds the parts from settings: the state store, the Graph client, the source reader, the
//! engine and the worker pool. The only place settings are mapped into the parts' own configs.

use std::sync::Arc;

use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::sync::Notify;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::clock::{Clock, SystemClock};
use crate::graph::{Credential, GraphClient, GraphConfig, RetryPolicy};
use crate::plan::PlanPolicy;
use crate::quarantine::CallTally;
use crate::settings::{ClientCredential, Settings};
use crate::source::{SourceConfig, SourceReader};
use crate::store::{PgStore, SqliteStore, Store};
use crate::sync::Engine;
use crate::worker::{InviteOptions, Worker, WorkerConfig, WorkerPool};

/// Opens (and migrates) the state store named by `state.url`.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    Ok(open(settings).await?.0)
}

/// Opens and migrates the state store; for PostgreSQL also returns the concrete store, whose
/// notifications can wake the worker pool.
async fn open(settings: &Settings) -> anyhow::Result<(Arc<dyn Store>, Option<PgStore>)> {
    let url = settings.state.url.expose_secret();
    let (store, pg): (Arc<dyn Store>, _) = if is_postgres(url) {
        let store = PgStore::connect(url)
            .await
            .context("state.url: cannot open the PostgreSQL state store")?;
        (Arc::new(store.clone()), Some(store))
    } else {
        let store = SqliteStore::connect(url)
            .await
            .context("state.url: cannot open the state store")?;
        (Arc::new(store), None)
    };
    store
        .migrate()
        .await
        .context("cannot migrate the state store")?;
    Ok((store, pg))
}

/// Feeds `wake` from the store's notifications (work recorded by another replica or an
/// operator command) until the returned guard is dropped. Without it the pool still polls,
/// so a failure is only logged.
async fn listen(pg: Option<PgStore>, wake: &Arc<Notify>) -> Option<DropGuard> {
    let pg = pg?;
    let cancel = CancellationToken::new();
    match pg.listen(wake.clone(), cancel.clone()).await {
        Ok(_task) => Some(cancel.drop_guard()),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for queue changes; the workers will poll");
            None
        }
    }
}

/// Whether a state URL names PostgreSQL (`postgres://` or `postgresql://`).
fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The Graph client's configuration from `[graph]` and `[auth]`.
pub fn graph_config(settings: &Settings) -> anyhow::Result<GraphConfig> {
    settings.require_graph()?;
    let auth = &settings.auth;
    let credential = match &auth.credential {
        Some(ClientCredential::Secret(secret)) => Credential::Secret(secret.clone()),
        Some(ClientCredential::Certificate {
            certificate_pem,
            private_key_pem,
        }) => Credential::Certificate {
            certificate_pem: certificate_pem.clone(),
            private_key_pem: private_key_pem.clone(),
        },
        None => anyhow::bail!("auth: no credential configured"),
    };
    let graph = &settings.graph;
    let mut config = GraphConfig::new(
        graph.base_url.clone(),
        auth.authority_url.clone(),
        auth.tenant_id.clone().unwrap_or_default(),
        auth.client_id.clone().unwrap_or_default(),
        credential,
    );
    config.request_timeout = graph.request_timeout;
    config.connect_timeout = graph.connect_timeout;
    config.write_budget_per_second = graph.write_budget_per_second;
    config.read_budget_per_second = graph.read_budget_per_second;
    config.retry = RetryPolicy {
        max_attempts: graph.max_attempts,
        base_delay: graph.retry_base,
        max_delay: graph.retry_cap,
        fallback_delay: graph.retry_fallback,
    };
    Ok(config)
}

/// Connects to the source named by `[source]`.
pub async fn source_reader(settings: &Settings) -> anyhow::Result<SourceReader> {
    settings.require_source()?;
    let source = &settings.source;
    let config = SourceConfig {
        url: source.url.clone().unwrap_or_else(|| "".into()),
        query: source.query.clone().unwrap_or_default(),
        statement_timeout: source.statement_timeout,
        max_rows: None,
    };
    SourceReader::connect(&config)
        .await
        .context("source.url: cannot connect to the source")
}

/// The planner's policy from `[sync]` and `[safety]`.
pub fn plan_policy(settings: &Settings) -> PlanPolicy {
    PlanPolicy {
        replication_window: chrono::Duration::from_std(settings.sync.replication_window)
            .unwrap_or_else(|_| chrono::Duration::minutes(2)),
        max_disables: settings.safety.max_disables,
        max_disable_percent: settings.safety.max_disable_percent,
    }
}

/// The worker pool's configuration from `[workers]`, `[invite]` and `[graph]`.
pub fn worker_config(settings: &Settings) -> WorkerConfig {
    WorkerConfig {
        count: settings.workers.count,
        lease: settings.workers.lease,
        max_attempts: settings.workers.max_attempts,
        replication_window: settings.sync.replication_window,
        throttle_fallback: settings.graph.retry_fallback,
        idle_poll: std::time::Duration::from_secs(1),
        owner: format!(
            "pid{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
        invite: InviteOptions {
            redirect_url: settings.invite.redirect_url.to_string(),
            send_invitation_message: settings.invite.send_invitation_message,
            invited_user_type: settings.invite.invited_user_type.clone(),
        },
    }
}

/// Everything a syncing command needs.
#[derive(Debug)]
pub struct Parts {
    /// The state store.
    pub store: Arc<dyn Store>,
    /// The Graph client.
    pub graph: GraphClient,
    /// The cycle engine.
    pub engine: Arc<Engine>,
    /// The worker pool.
    pub pool: WorkerPool,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// The tally of Graph call outcomes the Graph client feeds (for the quarantine).
    pub tally: CallTally,
    /// Stops the PostgreSQL notification listener when the parts are dropped.
    _listener: Option<DropGuard>,
}

/// Builds store, Graph client, source, engine and pool from settings.
pub async fn parts(settings: &Settings) -> anyhow::Result<Parts> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let tally = CallTally::new();
    let graph = GraphClient::new(&graph_config(settings)?, clock.clone())
        .context("cannot build the Graph client")?
        .with_observer(Arc::new(tally.clone()));
    let source = source_reader(settings).await?;
    let (store, pg) = open(settings).await?;
    let wake = Arc::new(Notify::new());
    let listener = listen(pg, &wake).await;
    let engine = Arc::new(
        Engine::new(
            source,
            graph.clone(),
            store.clone(),
            clock.clone(),
            plan_policy(settings),
            wake.clone(),
        )
        .with_invited_members(settings.invite.invited_user_type == "Member"),
    );
    let worker = Arc::new(Worker::new(
        store.clone(),
        graph.clone(),
        clock.clone(),
        worker_config(settings),
    ));
    Ok(Parts {
        store,
        graph,
        engine,
        pool: WorkerPool::new(worker, wake),
        clock,
        tally,
        _listener: listener,
    })
}
