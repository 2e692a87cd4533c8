//! Download links in memory, with the downloads they recorded.

use crate::links::{DownloadLink, LinkStore};
use crate::ports::{AuditContext, RepoError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use tisseco_domain::UserId;
use uuid::Uuid;

#[derive(Debug, Default)]
pub struct InMemoryLinks {
    links: Mutex<HashMap<Vec<u8>, DownloadLink>>,
    downloads: Mutex<Vec<(Uuid, Option<UserId>)>>,
}

impl InMemoryLinks {
    fn links(&self) -> MutexGuard<'_, HashMap<Vec<u8>, DownloadLink>> {
        self.links
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Each recorded download: the link and who it stood for.
    #[must_use]
    pub fn downloads(&self) -> Vec<(Uuid, Option<UserId>)> {
        self.downloads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[async_trait]
impl LinkStore for InMemoryLinks {
    async fn insert(&self, digest: &[u8], link: &DownloadLink) -> Result<(), RepoError> {
        self.links().insert(digest.to_vec(), link.clone());
        Ok(())
    }

    async fn find(&self, digest: &[u8]) -> Result<Option<DownloadLink>, RepoError> {
        Ok(self.links().get(digest).cloned())
    }

    async fn void_sessions(&self, sessions: &[Uuid]) -> Result<(), RepoError> {
        for link in self.links().values_mut() {
            if link.session_id.is_some_and(|s| sessions.contains(&s)) {
                link.voided = true;
            }
        }
        Ok(())
    }

    async fn void_user(&self, user: UserId) -> Result<(), RepoError> {
        for link in self.links().values_mut() {
            if link.user_id == user {
                link.voided = true;
            }
        }
        Ok(())
    }

    async fn record_download(
        &self,
        link: &DownloadLink,
        context: &AuditContext,
    ) -> Result<(), RepoError> {
        self.downloads
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((link.id, context.actor));
        Ok(())
    }
}
