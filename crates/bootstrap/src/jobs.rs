//! Settings and wiring of the queue, the outbox relay and mail: what the worker runs, and
//! the queue the API's dashboard reads.

use crate::config::{ConfigError, Source, in_range, optional};
use crate::consumers::JobConsumers;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tisseco_adapter_cache::{RedisCache, RedisSettings};
use tisseco_adapter_mail::{MailSettings, SmtpMailer};
use tisseco_adapter_postgres::{PgOutbox, PgSettings, PgStore, PoolMode, build_pool};
use tisseco_adapter_queue::{ConsumerSettings, QueueSettings, RedisQueue};
use tisseco_application::events::RecordEventHandler;
use tisseco_application::imports::{ImportRunner, StaleUploads};
use tisseco_application::jobs::{EVENTS_QUEUE, Handlers, MAIL_QUEUE};
use tisseco_application::links::DownloadLinks;
use tisseco_application::mail::{EmailJob, SendEmailHandler};
use tisseco_application::outbox::OutboxRelay;
use tisseco_application::ports::{HealthCheck, SystemClock};
use tisseco_application::reports::mail::ReportMailHandler;
use tisseco_application::stats::{PredictAfterVisit, Predictions};
use tisseco_application::tours::TourPlannedHandler;
use tisseco_domain::DomainEvent;
use tisseco_domain::fill::FillModel;

fn number<T>(
    source: &dyn Source,
    name: &str,
    default: T,
    range: std::ops::RangeInclusive<T>,
    expects: &str,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    in_range(name, optional(source, name, default, expects)?, range)
}

fn millis(
    source: &dyn Source,
    name: &str,
    default: u64,
    max: u64,
) -> Result<Duration, ConfigError> {
    number(source, name, default, 1..=max, "a number of milliseconds").map(Duration::from_millis)
}

/// Redis and the queues (read by the API and the worker).
///
/// # Errors
/// The first invalid variable, by name.
pub fn queue_settings(source: &dyn Source) -> Result<QueueSettings, ConfigError> {
    let url: String = optional(
        source,
        "REDIS_URL",
        "redis://127.0.0.1:6379".to_owned(),
        "a URL like redis://127.0.0.1:6379",
    )?;
    if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
        return Err(ConfigError {
            variable: "REDIS_URL".into(),
            problem: "expected a URL starting with redis:// or rediss://".into(),
        });
    }
    let prefix: String = optional(source, "QUEUE_PREFIX", "tisseco".to_owned(), "a key prefix")?;
    if prefix.is_empty() || prefix.contains(['{', '}', ' ']) {
        return Err(ConfigError {
            variable: "QUEUE_PREFIX".into(),
            problem: "expected letters, digits, ':' or '-' (no braces or spaces)".into(),
        });
    }
    Ok(QueueSettings {
        url,
        prefix,
        queues: vec![EVENTS_QUEUE.to_owned(), MAIL_QUEUE.to_owned()],
        command_timeout: millis(source, "REDIS_COMMAND_TIMEOUT_MS", 3_000, 60_000)?,
        dedup_ttl: Duration::from_secs(number(
            source,
            "QUEUE_DEDUP_TTL_SECS",
            QueueSettings::DEDUP_TTL.as_secs(),
            1..=604_800,
            "a number of seconds",
        )?),
        ca_file: source.get("REDIS_CA_FILE"),
    })
}

/// What only the worker reads.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    /// Where `GET /health` answers.
    pub health_bind: SocketAddr,
    pub consumer: ConsumerSettings,
    /// Jobs run at once per queue, when it differs from `consumer.concurrency`.
    pub concurrency_per_queue: Vec<(String, usize)>,
    pub outbox_batch: u32,
    /// Import rows validated, then merged, per transaction.
    pub import_batch: u32,
    /// How far outside its area's boundary an imported container may stand.
    pub area_tolerance: tisseco_domain::placement::AreaTolerance,
    /// A `receiving` import with no bytes for this long is failed by the worker.
    pub import_stale_after: Duration,
    /// How often the relay looks at the outbox when no notification arrives.
    pub outbox_poll: Duration,
    pub mail: MailSettings,
    /// Longest the worker waits for jobs in flight after SIGTERM.
    pub shutdown_timeout: Duration,
    /// `PUBLIC_BASE_URL`: follow-up links in e-mails to reporters.
    pub public_base_url: String,
    /// `REDIS_KEY_PREFIX`: the API's cache keys, whose versions imports bump.
    pub cache_key_prefix: String,
}

impl WorkerSettings {
    /// # Errors
    /// The first invalid variable, by name.
    pub fn from_source(source: &dyn Source) -> Result<Self, ConfigError> {
        let consumer = ConsumerSettings {
            concurrency: number(
                source,
                "WORKER_CONCURRENCY",
                64,
                1..=10_000,
                "a number of jobs",
            )?,
            batch: number(source, "WORKER_BATCH", 256, 1..=10_000, "a number of jobs")?,
            max_attempts: number(
                source,
                "JOB_MAX_ATTEMPTS",
                5,
                1..=100,
                "a number of attempts",
            )?,
            backoff_base: millis(source, "JOB_BACKOFF_BASE_MS", 1_000, 3_600_000)?,
            backoff_max: millis(source, "JOB_BACKOFF_MAX_MS", 300_000, 86_400_000)?,
            outage_backoff_max: millis(source, "JOB_OUTAGE_BACKOFF_MAX_MS", 30_000, 3_600_000)?,
            heartbeat: millis(source, "WORKER_HEARTBEAT_MS", 2_000, 600_000)?,
            visibility_timeout: millis(source, "JOB_VISIBILITY_TIMEOUT_MS", 60_000, 86_400_000)?,
            promote_every: millis(source, "JOB_PROMOTE_EVERY_MS", 200, 60_000)?,
        };
        let from: String = optional(
            source,
            "MAIL_FROM",
            "Tisseco <no-reply@tisseco.localhost>".to_owned(),
            "a sender like Tisseco <no-reply@example.org>",
        )?;
        let mut concurrency_per_queue = Vec::new();
        for (queue, default) in [(EVENTS_QUEUE, consumer.concurrency), (MAIL_QUEUE, 8)] {
            let name = format!("WORKER_CONCURRENCY_{}", queue.to_uppercase());
            let value = number(source, &name, default, 1..=10_000, "a number of jobs")?;
            concurrency_per_queue.push((queue.to_owned(), value));
        }
        Ok(Self {
            concurrency_per_queue,
            health_bind: optional(
                source,
                "WORKER_HEALTH_BIND",
                SocketAddr::from(([127, 0, 0, 1], 8081)),
                "an address like 0.0.0.0:8081",
            )?,
            consumer,
            outbox_batch: number(
                source,
                "OUTBOX_BATCH",
                500,
                1..=10_000,
                "a number of events",
            )?,
            // two batches are in the worker at once (one written, the next decided):
            // 10,000 rows keep it near 135 MB at the speed of 20,000 (270 MB)
            import_batch: number(
                source,
                "IMPORT_BATCH",
                10_000,
                1..=50_000,
                "a number of rows",
            )?,
            area_tolerance: crate::config::area_tolerance(source)?,
            outbox_poll: millis(source, "OUTBOX_POLL_MS", 1_000, 600_000)?,
            // at least a minute: a live upload marks itself alive every 20 s
            import_stale_after: Duration::from_secs(number(
                source,
                "IMPORT_STALE_AFTER_SECS",
                600,
                60..=604_800,
                "a number of seconds",
            )?),
            mail: MailSettings {
                smtp_url: SecretString::from(optional(
                    source,
                    "SMTP_URL",
                    "smtp://127.0.0.1:1025".to_owned(),
                    "a URL like smtp://host:1025 or smtps://user:password@host:465",
                )?),
                from,
                timeout: millis(source, "SMTP_TIMEOUT_MS", 10_000, 600_000)?,
            },
            shutdown_timeout: Duration::from_secs(number(
                source,
                "WORKER_SHUTDOWN_TIMEOUT_SECS",
                30,
                0..=3_600,
                "a number of seconds",
            )?),
            public_base_url: crate::config::public_base_url(source)?,
            cache_key_prefix: optional(
                source,
                "REDIS_KEY_PREFIX",
                "tisseco:".to_owned(),
                "a key prefix",
            )?,
        })
    }
}

/// What the worker runs: its consumers, the handler of every job type and the outbox relay.
#[expect(missing_debug_implementations, reason = "trait objects")]
pub struct WorkerParts {
    pub consumers: JobConsumers,
    pub queue: RedisQueue,
    pub handlers: Handlers,
    pub relay: OutboxRelay,
    pub outbox: Arc<PgOutbox>,
    pub store: PgStore,
    /// Fails uploads that stopped arriving.
    pub stale_uploads: StaleUploads,
}

impl WorkerParts {
    /// The dependencies the worker's `/health` reports (`postgres`, `redis`).
    #[must_use]
    pub fn probes(&self) -> Vec<(&'static str, Arc<dyn HealthCheck>)> {
        crate::consumers::health_probes(&self.store, &self.queue)
    }

    /// Starts sampling the queue, outbox, import and pool gauges every `every`.
    #[must_use]
    pub fn spawn_metrics_sampler(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        crate::consumers::spawn_metrics_sampler(self.store.clone(), self.queue.clone(), every)
    }
}

/// Builds the worker's adapters; checks the mail templates (a broken one fails here).
///
/// # Errors
/// Invalid pool, Redis or mail settings, or a template that does not render.
pub fn build_worker(
    database: &PgSettings,
    queue_settings: &QueueSettings,
    worker: &WorkerSettings,
) -> Result<WorkerParts, String> {
    let store =
        PgStore::new(build_pool(database, PoolMode::Normal)?).with_bulk_url(database.url.clone());
    let queue = RedisQueue::connect(queue_settings).map_err(|e| e.to_string())?;
    let mailer = SmtpMailer::new(&worker.mail).map_err(|e| e.to_string())?;
    // the API's search cache, on the queue's Redis, for imports to bump
    let cache = RedisCache::new(&RedisSettings {
        url: SecretString::from(queue_settings.url.clone()),
        key_prefix: worker.cache_key_prefix.clone(),
        timeout: queue_settings.command_timeout,
        retry_after: Duration::from_secs(1),
        ca_file: queue_settings.ca_file.clone(),
    })
    .map_err(|e| e.to_string())?;
    let report_mail = Arc::new(ReportMailHandler {
        queue: Arc::new(queue.clone()),
        public_base_url: worker.public_base_url.clone(),
    });
    let journal = RecordEventHandler {
        journal: Arc::new(store.clone()),
    };
    let predictions = Predictions::new(
        Arc::new(store.clone()),
        Arc::new(SystemClock),
        FillModel::default(),
    );
    let handlers = Handlers::new()
        .on_event(
            DomainEvent::TourVisited,
            Arc::new(PredictAfterVisit {
                predictions,
                journal: journal.clone(),
            }),
        )
        .on_event(DomainEvent::ReportCreated, report_mail.clone())
        .on_event(DomainEvent::ReportStatusChanged, report_mail)
        .on_job::<EmailJob>(Arc::new(SendEmailHandler {
            // twice the longest SMTP exchange: only a dead sender's record is taken over
            sending_lease: (worker.mail.timeout * 2).max(Duration::from_secs(5)),
            ..SendEmailHandler::new(Arc::new(mailer), Arc::new(store.clone()))
        }))
        .on_event(
            DomainEvent::TourPlanned,
            Arc::new(TourPlannedHandler {
                users: Arc::new(store.clone()),
                queue: Arc::new(queue.clone()),
            }),
        )
        .on_event(
            DomainEvent::ImportUploaded,
            Arc::new(ImportRunner {
                store: Arc::new(store.clone()),
                queue: Arc::new(queue.clone()),
                cache: Arc::new(cache),
                public_base_url: worker.public_base_url.clone(),
                batch: worker.import_batch,
                links: Some(DownloadLinks::new(
                    Arc::new(store.clone()),
                    Arc::new(store.clone()),
                    Arc::new(SystemClock),
                )),
                clock: Arc::new(tisseco_application::ports::SystemClock),
                area_tolerance: worker.area_tolerance,
            }),
        )
        .otherwise(Arc::new(journal));
    let outbox = Arc::new(PgOutbox::new(store.clone(), database.url.clone()));
    let relay = OutboxRelay::new(outbox.clone(), Arc::new(queue.clone()), worker.outbox_batch);
    let stale_uploads = StaleUploads::new(Arc::new(store.clone()), worker.import_stale_after);
    Ok(WorkerParts {
        consumers: JobConsumers::new(
            queue.clone(),
            worker.consumer.clone(),
            worker.concurrency_per_queue.clone(),
        ),
        queue,
        handlers,
        relay,
        outbox,
        store,
        stale_uploads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_defaults_and_per_queue_concurrency() {
        let worker = WorkerSettings::from_source(&[("WORKER_CONCURRENCY", "10")]).unwrap();
        assert_eq!(worker.consumer.concurrency, 10);
        assert_eq!(
            worker.concurrency_per_queue,
            vec![("events".to_owned(), 10), ("mail".to_owned(), 8)]
        );
        assert_eq!(worker.health_bind.to_string(), "127.0.0.1:8081");
    }

    #[test]
    fn bad_worker_variables_are_named() {
        for (name, value) in [
            ("JOB_MAX_ATTEMPTS", "0"),
            ("WORKER_CONCURRENCY_MAIL", "x"),
            ("OUTBOX_POLL_MS", "-1"),
            ("WORKER_HEALTH_BIND", "localhost"),
        ] {
            let error = WorkerSettings::from_source(&[(name, value)]).unwrap_err();
            assert_eq!(error.variable, name);
        }
    }

    #[test]
    fn redis_url_and_prefix_are_checked() {
        let error = queue_settings(&[("REDIS_URL", "http://x")]).unwrap_err();
        assert_eq!(error.variable, "REDIS_URL");
        let error = queue_settings(&[("QUEUE_PREFIX", "a{b}")]).unwrap_err();
        assert_eq!(error.variable, "QUEUE_PREFIX");
        let settings = queue_settings(&[]).unwrap();
        assert_eq!(settings.queues, vec!["events", "mail"]);
    }

    #[test]
    fn the_smtp_password_never_shows_in_debug_output() {
        let worker =
            WorkerSettings::from_source(&[("SMTP_URL", "smtps://u:hunter2@h:465")]).unwrap();
        assert!(!format!("{worker:?}").contains("hunter2"));
    }
}
