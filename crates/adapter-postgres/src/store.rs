//! The PostgreSQL store: the pool every repository of this crate reads and writes through,
//! and its health check.

use crate::errors::{from_diesel, from_pool};
use crate::pool::PgPool;
use crate::session::{Plans, PooledSession};
use async_trait::async_trait;
use diesel_async::RunQueryDsl;
use secrecy::SecretString;
use tisseco_application::ports::{HealthCheck, RepoError};

/// The PostgreSQL store behind every registry port.
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    /// Where to open connections outside the pool, for `COPY`.
    bulk_url: Option<SecretString>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("pool", &self.pool.status())
            .finish()
    }
}

impl PgStore {
    #[must_use]
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            bulk_url: None,
        }
    }

    /// Lets bulk work open connections of its own at `url`, outside the pool: import staging
    /// for `COPY` (without it, through the pool, more slowly) and the `VACUUM` after an
    /// import (without it, left to autovacuum).
    #[must_use]
    pub fn with_bulk_url(mut self, url: SecretString) -> Self {
        self.bulk_url = Some(url);
        self
    }

    pub(crate) fn bulk_url(&self) -> Option<&SecretString> {
        self.bulk_url.as_ref()
    }

    pub(crate) async fn conn(&self) -> Result<PooledSession, RepoError> {
        self.pool.get().await.map_err(from_pool)
    }

    /// A connection whose session plans as `plans` says (`session.rs`).
    pub(crate) async fn conn_planning(&self, plans: Plans) -> Result<PooledSession, RepoError> {
        self.pool.get_planning(plans).await.map_err(from_pool)
    }
}

#[async_trait]
impl HealthCheck for PgStore {
    async fn ping(&self) -> Result<(), RepoError> {
        let mut conn = self.conn().await?;
        diesel::sql_query("SELECT 1")
            .execute(&mut conn)
            .await
            .map(drop)
            .map_err(from_diesel)
    }
}
