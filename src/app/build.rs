//! Builds the parts from settings: the state store, the Graph client, the source reader, the
//! engine and the worker pool. The only place settings are mapped into the parts' own configs.

use std::sync::Arc;

use anyhow::Context;
use secrecy::ExposeSecret;
use tokio::sync::Notify;
use tokio_util::sync::{CancellationToken, DropGuard};

use crate::clock::{Clock, SystemClock};
use crate::graph::{Credential, GraphClient, GraphConfig, RetryPolicy, Throttle};
use crate::plan::{LifecyclePolicy, PlanPolicy};
use crate::quarantine::CallTally;
use crate::replicas::{Leadership, PgThrottleState, replica_id};
use crate::settings::{ClientCredential, LifecycleSettings, Settings};
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
    config.max_response_bytes = graph.max_response_bytes;
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
    let reader = SourceReader::connect(&config)
        .await
        .context("source.url: cannot connect to the source")?;
    Ok(reader.with_mapping(settings.mapping.clone()))
}

/// The planner's policy from `[sync]` and `[safety]`.
pub fn plan_policy(settings: &Settings) -> PlanPolicy {
    PlanPolicy {
        replication_window: chrono::Duration::from_std(settings.sync.replication_window)
            .unwrap_or_else(|_| chrono::Duration::minutes(2)),
        max_disables: settings.safety.max_disables,
        max_disable_percent: settings.safety.max_disable_percent,
        create_only: settings.mapping.create_only(),
        scope: settings.scope.clone(),
        lifecycle: lifecycle_policy(&settings.lifecycle),
    }
}

/// The housekeeping policy from `[lifecycle]`.
pub fn lifecycle_policy(settings: &LifecycleSettings) -> LifecyclePolicy {
    let duration = |d: Option<std::time::Duration>| {
        d.map(|d| chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX))
    };
    LifecyclePolicy {
        reinvite_pending_after: duration(settings.reinvite_pending_after),
        max_reinvites: settings.max_reinvites,
        expire_pending_after: duration(settings.expire_pending_after),
        expire_action: settings.expire_action,
        delete_after: duration(settings.delete_after),
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
            "{}-{}",
            replica_id(settings.replicas.id.as_deref()),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        ),
        invite: InviteOptions {
            redirect_url: settings.invite.redirect_url.to_string(),
            send_invitation_message: settings.invite.send_invitation_message,
            invited_user_type: settings.invite.invited_user_type.clone(),
            own_mail: settings.notify_smtp.is_some(),
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
    /// The leader election of this replica (not started: see [`Leadership::run`]).
    pub leadership: Arc<Leadership>,
    /// The tally of Graph call outcomes the Graph client feeds (for the quarantine).
    pub tally: CallTally,
    /// Stops the PostgreSQL notification listener when the parts are dropped.
    _listener: Option<DropGuard>,
}

/// Builds store, Graph client, source, engine and pool from settings.
pub async fn parts(settings: &Settings) -> anyhow::Result<Parts> {
    parts_with_clock(settings, Arc::new(SystemClock)).await
}

/// As [`parts`], on the given clock (tests move time with a `ManualClock`).
pub async fn parts_with_clock(settings: &Settings, clock: Arc<dyn Clock>) -> anyhow::Result<Parts> {
    let tally = CallTally::new();
    let source = source_reader(settings).await?;
    let (store, pg) = open(settings).await?;
    let graph = graph_client(settings, pg.as_ref(), &clock)
        .await?
        .with_observer(Arc::new(tally.clone()));
    let leadership = Arc::new(Leadership::new(
        store.clone(),
        clock.clone(),
        replica_id(settings.replicas.id.as_deref()),
        settings.replicas.leader_lease,
    ));
    let wake = Arc::new(Notify::new());
    let listener = listen(pg, &wake).await;
    let mut engine = Engine::new(
        source,
        graph.clone(),
        store.clone(),
        clock.clone(),
        plan_policy(settings),
        wake.clone(),
    )
    .with_invited_members(settings.invite.invited_user_type == "Member")
    .with_groups(settings.groups.clone())
    .with_mapped(settings.mapping.mapped());
    let mut worker = Worker::new(
        store.clone(),
        graph.clone(),
        clock.clone(),
        worker_config(settings),
    );
    if let Some(writeback) = super::outputs::writeback(settings).await? {
        engine = engine.with_writeback(writeback.clone());
        worker = worker.with_writeback(writeback);
    }
    let (engine, worker) = (Arc::new(engine), Arc::new(worker));
    let mut pool = WorkerPool::new(worker, wake);
    if let Some(mailer) = super::outputs::mailer(settings, &store, &clock)? {
        pool = pool.with_mailer(mailer);
    }
    Ok(Parts {
        store,
        graph,
        engine,
        pool,
        clock,
        leadership,
        tally,
        _listener: listener,
    })
}

/// The Graph client; with a PostgreSQL state store its throttle state (budgets and the
/// `Retry-After` pause) is shared with every replica through the database.
async fn graph_client(
    settings: &Settings,
    pg: Option<&PgStore>,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<GraphClient> {
    let config = graph_config(settings)?;
    let graph =
        GraphClient::new(&config, clock.clone()).context("cannot build the Graph client")?;
    let Some(pg) = pg else { return Ok(graph) };
    let tenant = settings.auth.tenant_id.clone().unwrap_or_default();
    let state = PgThrottleState::new(pg.clone(), &tenant, clock.clone())
        .await
        .context("cannot set up the shared Graph throttle in the state store")?;
    let throttle = Throttle::with_state(
        Arc::new(state),
        config.read_budget_per_second,
        config.write_budget_per_second,
    );
    Ok(graph.with_throttle(Arc::new(throttle)))
}
