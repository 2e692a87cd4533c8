//! What the store tells Prometheus: the pool's connections, the outbox lag and imports by
//! state. Read on demand (at a scrape or by the worker's sampler), never counted per query.

use crate::PgStore;
use crate::errors::from_diesel;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel_async::RunQueryDsl;
use tisseco_application::ports::RepoError;

#[derive(QueryableByName)]
struct Lag {
    #[diesel(sql_type = Nullable<diesel::sql_types::Double>)]
    seconds: Option<f64>,
}

#[derive(QueryableByName)]
struct StateCount {
    #[diesel(sql_type = Text)]
    state: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Import states the gauge always reports, so a phase at zero is a series at 0, not a gap.
const IMPORT_STATES: [&str; 7] = [
    "receiving",
    "uploaded",
    "validating",
    "merging",
    "completed",
    "failed",
    "cancelled",
];

#[expect(
    clippy::cast_precision_loss,
    reason = "a gauge of a few thousand at most"
)]
fn as_gauge(value: usize) -> f64 {
    value as f64
}

impl PgStore {
    /// Sets `tisseco_db_pool_connections{state}` (in use, idle, max) and
    /// `tisseco_db_pool_waiting` from the pool's own counters: no query.
    pub fn record_pool_metrics(&self) {
        let status = self.pool.status();
        let in_use = status.size.saturating_sub(status.available);
        for (state, value) in [
            ("in_use", in_use),
            ("idle", status.available),
            ("max", status.max_size),
        ] {
            metrics::gauge!("tisseco_db_pool_connections", "state" => state).set(as_gauge(value));
        }
        metrics::gauge!("tisseco_db_pool_waiting").set(as_gauge(status.waiting));
    }

    /// Sets `tisseco_outbox_lag_seconds` (age of the oldest event not yet relayed; 0 when
    /// none waits) and `tisseco_imports{state}`: two small queries.
    ///
    /// # Errors
    /// When the database can't be reached.
    pub async fn record_backlog_metrics(&self) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        let lag: Lag = diesel::sql_query(
            "SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS seconds \
             FROM outbox WHERE sent_at IS NULL",
        )
        .get_result(&mut conn)
        .await
        .map_err(from_diesel)?;
        metrics::gauge!("tisseco_outbox_lag_seconds").set(lag.seconds.unwrap_or(0.0).max(0.0));
        let counts: Vec<StateCount> =
            diesel::sql_query("SELECT state, count(*) AS count FROM imports GROUP BY state")
                .load(&mut conn)
                .await
                .map_err(from_diesel)?;
        for state in IMPORT_STATES {
            let count = counts
                .iter()
                .find(|c| c.state == state)
                .map_or(0, |c| c.count);
            #[expect(clippy::cast_precision_loss, reason = "a count of imports")]
            metrics::gauge!("tisseco_imports", "state" => state).set(count as f64);
        }
        Ok(())
    }
}

/// Counts import rows through a phase (`staged`, `valid`, `rejected`): their rate is the
/// import's speed in rows per second.
pub(crate) fn import_rows(phase: &'static str, rows: usize) {
    metrics::counter!("tisseco_import_rows_total", "phase" => phase)
        .increment(u64::try_from(rows).unwrap_or(u64::MAX));
}
