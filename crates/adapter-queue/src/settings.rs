//! How to reach Redis and how consumers behave.

use std::time::Duration;

/// Where the queues live.
#[derive(Debug, Clone)]
pub struct QueueSettings {
    /// `redis://host:port/db` (or `rediss://` for TLS).
    pub url: String,
    /// Every key starts with this (tests use one per test).
    pub prefix: String,
    /// The queues this platform uses.
    pub queues: Vec<String>,
    /// Longest a Redis command may take before it fails.
    pub command_timeout: Duration,
    /// How long an enqueued job id is remembered: enqueueing it again within this time
    /// (a relay retry, a command replayed after a reconnect) adds nothing.
    pub dedup_ttl: Duration,
    /// `REDIS_CA_FILE`: the PEM roots a `rediss://` server's certificate must chain to;
    /// `None`: the system's roots.
    pub ca_file: Option<String>,
}

impl QueueSettings {
    /// The default `dedup_ttl`: an hour, far longer than any relay retry.
    pub const DEDUP_TTL: Duration = Duration::from_secs(3_600);
}

/// How a worker consumes one queue.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    /// Jobs handled at the same time by this worker.
    pub concurrency: usize,
    /// Most entries read in one round trip.
    pub batch: u64,
    /// Attempts before a job goes to the dead letters.
    pub max_attempts: u32,
    /// Delay before the second attempt; doubles with each attempt, up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Longest wait between two tries of a job whose dependency (PostgreSQL, Redis, SMTP)
    /// is down; those tries are not attempts and never bury the job.
    pub outage_backoff_max: Duration,
    /// How often a worker says it is alive; silent for five of these, it is taken for dead
    /// and its jobs are taken over at once (the visibility timeout is for live workers
    /// that stopped renewing a claim).
    pub heartbeat: Duration,
    /// A job in flight longer than this is taken over by another worker (its worker died).
    pub visibility_timeout: Duration,
    /// How often due retries are moved back to the stream; also the longest a read waits
    /// for new jobs, so it bounds how long shutdown takes to begin.
    pub promote_every: Duration,
}

impl Default for ConsumerSettings {
    fn default() -> Self {
        Self {
            concurrency: 64,
            batch: 256,
            max_attempts: 5,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
            outage_backoff_max: Duration::from_secs(30),
            heartbeat: Duration::from_secs(2),
            visibility_timeout: Duration::from_secs(60),
            promote_every: Duration::from_millis(200),
        }
    }
}

impl ConsumerSettings {
    /// Delay before attempt `attempt + 1`: exponential, minus a random jitter of up to a
    /// quarter, so workers retrying together spread out while each delay stays clearly
    /// longer than the one before (at most 1, then at least 1.5 times the base…).
    #[must_use]
    pub fn backoff(&self, attempt: u32, random: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let full = self
            .backoff_base
            .saturating_mul(1_u32 << exponent)
            .min(self.backoff_max);
        full.mul_f64(0.75 + 0.25 * random.clamp(0.0, 1.0))
    }

    /// Delay before trying again a job whose dependency is down, after `waits` such tries:
    /// the same curve, capped at `outage_backoff_max` so work resumes soon after the outage.
    #[must_use]
    pub fn outage_backoff(&self, waits: u32, random: f64) -> Duration {
        self.backoff(waits.saturating_add(1), random)
            .min(self.outage_backoff_max)
    }

    /// After this long without a heartbeat a consumer is taken for dead.
    #[must_use]
    pub fn presumed_dead_after(&self) -> Duration {
        self.heartbeat.saturating_mul(5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_with_jitter_and_is_capped() {
        let settings = ConsumerSettings {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
            ..ConsumerSettings::default()
        };
        assert_eq!(settings.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(settings.backoff(1, 0.0), Duration::from_millis(75));
        assert_eq!(settings.backoff(2, 0.0), Duration::from_millis(150));
        assert_eq!(settings.backoff(3, 1.0), Duration::from_millis(400));
        assert_eq!(settings.backoff(40, 1.0), Duration::from_secs(1));
    }

    #[test]
    fn an_outage_backoff_is_capped_lower() {
        let settings = ConsumerSettings {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(300),
            outage_backoff_max: Duration::from_secs(2),
            ..ConsumerSettings::default()
        };
        assert_eq!(settings.outage_backoff(0, 1.0), Duration::from_millis(100));
        assert_eq!(settings.outage_backoff(2, 1.0), Duration::from_millis(400));
        assert_eq!(settings.outage_backoff(500, 1.0), Duration::from_secs(2));
    }
}
