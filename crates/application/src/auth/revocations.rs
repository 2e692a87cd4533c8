//! The revocation list: durable in the store, answered from the cache when it is warm.
//! A flushed cache is reloaded before it answers; an unreachable one is bypassed.

use super::ports::{Revocation, RevocationCache, RevocationStore};
use crate::ports::RepoError;
use chrono::{DateTime, Utc};
use std::sync::Arc;

#[derive(Clone)]
pub struct Revocations {
    store: Arc<dyn RevocationStore>,
    cache: Arc<dyn RevocationCache>,
}

impl std::fmt::Debug for Revocations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Revocations")
    }
}

impl Revocations {
    #[must_use]
    pub fn new(store: Arc<dyn RevocationStore>, cache: Arc<dyn RevocationCache>) -> Self {
        Self { store, cache }
    }

    /// Records revocations durably, then in the cache (best effort: the cache reloads
    /// from the store regularly).
    ///
    /// # Errors
    /// When the durable store fails: then nothing is revoked and the caller must say so.
    pub async fn revoke(
        &self,
        revocations: &[Revocation],
        now: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        self.store.revoke(revocations).await?;
        if let Err(error) = self.cache.add(revocations, now, false).await {
            tracing::warn!(error = %error, "revocation cache not updated; it will catch up on reload");
        }
        Ok(())
    }

    /// Whether any of `ids` is revoked.
    ///
    /// # Errors
    /// When neither the cache nor the store can answer.
    pub async fn any_revoked(&self, ids: &[String], now: DateTime<Utc>) -> Result<bool, RepoError> {
        match self.cache.any_revoked(ids).await {
            Ok(Some(revoked)) => Ok(revoked),
            Ok(None) => {
                let in_force = self.store.in_force(now).await?;
                if let Err(error) = self.cache.add(&in_force, now, true).await {
                    tracing::warn!(error = %error, "revocation cache could not be reloaded");
                }
                Ok(in_force.iter().any(|r| ids.contains(&r.id)))
            }
            Err(error) => {
                tracing::warn!(error = %error, "revocation cache unavailable; asking the database");
                self.store.any_revoked(ids, now).await
            }
        }
    }
}
