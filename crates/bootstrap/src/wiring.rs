//! The wiring: the adapters built from the settings and handed to the use cases, as the
//! [`Services`] the API serves (the worker's are in `jobs.rs`).

use crate::{Settings, metrics};
use std::sync::Arc;
use tisseco_adapter_auth::{Argon2Hasher, BiscuitTokens};
use tisseco_adapter_cache::{RedisCache, RedisClient, RedisRateLimiter, RedisRevocationCache};
use tisseco_adapter_postgres::{PgPool, PgStore, PoolMode, build_pool, build_pool_per_thread};
use tisseco_adapter_queue::RedisQueue;
use tisseco_application::Registry;
use tisseco_application::auth::ports::RateLimiter;
use tisseco_application::auth::{Auth, AuthPolicy, AuthPorts, PasswordReset, Revocations};
use tisseco_application::cache::{Cache, CachedReads};
use tisseco_application::imports::Imports;
use tisseco_application::jobs::{JobQueue, QueueDashboard};
use tisseco_application::links::DownloadLinks;
use tisseco_application::ports::{Clock, HealthCheck, SystemClock};
use tisseco_application::reports::Reports;
use tisseco_application::search::GeoSearchService;
use tisseco_application::stats::{Predictions, Stats};
use tisseco_application::tiles::Tiles;
use tisseco_application::tours::Tours;
use tisseco_application::use_cases::RegistryPorts;
use tisseco_domain::fill::FillModel;

/// Everything a binary needs, as ports and use cases.
#[derive(Clone)]
pub struct Services {
    pub registry: Registry,
    pub search: GeoSearchService,
    /// Container map tiles (MVT), named by the containers' cache version.
    pub tiles: Tiles,
    pub tours: Tours,
    pub auth: Auth,
    pub password_reset: PasswordReset,
    pub limiter: Arc<dyn RateLimiter>,
    pub database: Arc<dyn HealthCheck>,
    /// Redis (rate limits, revocations): down, the API is degraded but still serves.
    pub redis: Arc<dyn HealthCheck>,
    /// The job queues, for the dashboard.
    pub queues: QueueDashboard,
    /// Public reports and their moderation.
    pub reports: Reports,
    /// CSV imports: upload, progress, rejected rows.
    pub imports: Imports,
    /// Collection and report figures, timelines, the declaration export.
    pub stats: Stats,
    /// Predicted fill dates (computed by the worker, read here).
    pub predictions: Predictions,
    /// Download links that open without signing in (errors.csv, label sheets).
    pub links: DownloadLinks,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services")
    }
}

/// Builds the services on PostgreSQL and Redis. Opens no connection yet: an unreachable
/// Redis later makes the cache pass through, the rate limits fail open (sign-in closed)
/// and the queue dashboard answer 503.
///
/// # Errors
/// When a pool, key, Redis or queue setting is invalid.
pub fn build_services(settings: &Settings, mode: PoolMode) -> Result<Services, String> {
    build_on(settings, build_pool(&settings.database, mode)?, mode)
}

fn build_on(settings: &Settings, pool: PgPool, mode: PoolMode) -> Result<Services, String> {
    let mut store = PgStore::new(pool);
    if mode == PoolMode::Normal {
        // a test transaction's rows are invisible to other connections: no COPY there
        store = store.with_bulk_url(settings.database.url.clone());
    }
    let store = Arc::new(store);
    metrics::watch_pool(&store);
    let cache: Arc<dyn Cache> =
        Arc::new(RedisCache::new(&settings.redis).map_err(|e| e.to_string())?);
    wire(settings, store, cache)
}

/// Builds the API's services, as a running API uses them.
///
/// # Errors
/// As [`build_services`].
pub fn build_api(settings: &Settings) -> Result<Services, String> {
    // each HTTP worker's requests on connections its own runtime drives (`thread_pools`)
    let pool = build_pool_per_thread(&settings.database, settings.http.workers)?;
    build_on(settings, pool, PoolMode::Normal)
}

/// Builds the services over a given store and cache (tests that hold their own store use it).
///
/// # Errors
/// As [`build_services`].
pub fn wire(
    settings: &Settings,
    store: Arc<PgStore>,
    cache: Arc<dyn Cache>,
) -> Result<Services, String> {
    let queue: Arc<dyn JobQueue> =
        Arc::new(RedisQueue::connect(&settings.queue).map_err(|e| e.to_string())?);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let search = GeoSearchService::new(
        store.clone(),
        store.clone(),
        CachedReads::new(cache.clone()),
        settings.cache.ttls,
    );
    let tiles = Tiles::new(store.clone(), cache.clone(), settings.cache.tiles_ttl);
    let registry = Registry::new(RegistryPorts {
        sites: store.clone(),
        areas: store.clone(),
        containers: store.clone(),
        queries: store.clone(),
        audit_log: store.clone(),
        clock: clock.clone(),
    })
    .with_cache(cache.clone())
    .with_area_tolerance(settings.http.area_tolerance);
    let predictions = Predictions::new(store.clone(), clock.clone(), FillModel::default());
    let tours = Tours::new(
        store.clone(),
        store.clone(),
        registry.clone(),
        clock.clone(),
        store.clone(),
    )
    .with_max_stops(settings.http.tour_max_stops)
    .with_predictions(predictions.clone());
    let redis = RedisClient::new(&settings.redis)?;
    let redis_health: Arc<dyn HealthCheck> = Arc::new(redis.clone());
    let limiter: Arc<dyn RateLimiter> = Arc::new(RedisRateLimiter::new(redis.clone()));
    let keys = settings.auth.signing_keys().map_err(|e| e.to_string())?;
    let ports = AuthPorts {
        users: store.clone(),
        directory: store.clone(),
        hasher: Arc::new(Argon2Hasher::new().map_err(|e| e.to_string())?),
        tokens: Arc::new(BiscuitTokens::with_cache(
            keys,
            settings.auth.token_cache_size,
            settings.auth.token_cache_ttl,
        )),
        sessions: store.clone(),
        revocations: Revocations::new(store.clone(), Arc::new(RedisRevocationCache::new(redis))),
        limiter: limiter.clone(),
        clock: clock.clone(),
        links: store.clone(),
    };
    let policy = AuthPolicy {
        access_ttl: settings.auth.access_ttl,
        refresh_ttl: settings.auth.refresh_ttl,
        login_failures: settings.auth.login_failures,
    };
    let reports = Reports::new(
        store.clone(),
        limiter.clone(),
        cache,
        settings.http.rate_limits.reports_per_container,
        store.clone(),
        clock.clone(),
    );
    let auth = Auth::new(ports, policy);
    let password_reset = PasswordReset::new(
        auth.clone(),
        store.clone(),
        queue.clone(),
        format!(
            "{}/reset-password",
            settings.http.public_base_url.trim_end_matches('/')
        ),
    );
    let stats = Stats::new(store.clone(), registry.clone(), clock.clone());
    let links = DownloadLinks::new(store.clone(), store.clone(), clock.clone());
    Ok(Services {
        links,
        stats,
        predictions,
        reports,
        password_reset,
        registry,
        search,
        tiles,
        tours,
        auth,
        limiter,
        database: store.clone(),
        redis: redis_health,
        queues: QueueDashboard::new(queue),
        imports: Imports::new(store, settings.http.import_limit_bytes),
    })
}
