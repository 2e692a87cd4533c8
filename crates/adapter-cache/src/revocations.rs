//! The revocation cache: one key per revoked id, expiring with what it revokes, and a
//! `loaded` marker that says the cache holds the whole list. After a flush the marker is
//! gone, so the list is reloaded from PostgreSQL before the cache answers again; the
//! marker also expires every minute, which bounds how stale a missed write can leave it.

use crate::client::RedisClient;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_redis::redis::{self, AsyncCommands};
use tisseco_application::auth::ports::{Revocation, RevocationCache};
use tisseco_application::ports::RepoError;

const LOADED_TTL_SECONDS: u64 = 60;

#[derive(Debug, Clone)]
pub struct RedisRevocationCache {
    redis: RedisClient,
}

impl RedisRevocationCache {
    #[must_use]
    pub fn new(redis: RedisClient) -> Self {
        Self { redis }
    }
}

#[async_trait]
impl RevocationCache for RedisRevocationCache {
    async fn any_revoked(&self, ids: &[String]) -> Result<Option<bool>, RepoError> {
        let mut keys = vec![self.redis.key(&["revoked", "loaded"])];
        keys.extend(ids.iter().map(|id| self.redis.key(&["revoked", id])));
        let values: Vec<Option<String>> = self
            .redis
            .run(|mut conn| {
                let keys = keys.clone();
                async move { conn.mget(keys).await }
            })
            .await?;
        match values.split_first() {
            Some((None, _)) | None => Ok(None),
            Some((Some(_), rest)) => Ok(Some(rest.iter().any(Option::is_some))),
        }
    }

    async fn add(
        &self,
        revocations: &[Revocation],
        now: DateTime<Utc>,
        complete: bool,
    ) -> Result<(), RepoError> {
        let mut pipe = redis::pipe();
        for revocation in revocations {
            let ttl_ms = (revocation.until - now).num_milliseconds();
            if let Ok(ttl_ms) = u64::try_from(ttl_ms)
                && ttl_ms > 0
            {
                pipe.set_ex(
                    self.redis.key(&["revoked", &revocation.id]),
                    "1",
                    ttl_ms.div_ceil(1000),
                )
                .ignore();
            }
        }
        if complete {
            pipe.set_ex(
                self.redis.key(&["revoked", "loaded"]),
                "1",
                LOADED_TTL_SECONDS,
            )
            .ignore();
        }
        self.redis
            .run(|mut conn| {
                let pipe = pipe.clone();
                async move { pipe.query_async::<()>(&mut conn).await }
            })
            .await
    }
}
