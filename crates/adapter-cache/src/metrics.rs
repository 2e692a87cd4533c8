//! What the Redis adapter tells Prometheus: command latency and errors, cache hits and
//! misses, rate-limit refusals by group.

use std::time::Instant;

/// One command (or script) on the shared connection, failed or not.
pub(crate) fn command(started: Instant, failed: bool) {
    metrics::histogram!("tisseco_redis_command_duration_seconds")
        .record(started.elapsed().as_secs_f64());
    if failed {
        metrics::counter!("tisseco_redis_command_errors_total").increment(1);
    }
}

/// A cache read that Redis answered (an unreachable Redis counts as an error, not a miss).
pub(crate) fn cache_lookup(hit: bool) {
    let result = if hit { "hit" } else { "miss" };
    metrics::counter!("tisseco_cache_requests_total", "result" => result).increment(1);
}

/// A refused request; the group is the key's first segment (`api`, `login-failures`…),
/// a short list fixed by the code, never a user's value.
pub(crate) fn rate_limit_refused(key: &str) {
    let group = key.split(':').next().unwrap_or_default().to_owned();
    metrics::counter!("tisseco_rate_limit_refusals_total", "group" => group).increment(1);
}

/// A command abandoned at its timeout (its future was dropped, so [`command`] never ran).
pub(crate) fn timed_out() {
    metrics::counter!("tisseco_redis_command_errors_total").increment(1);
}
