//! Uploads that stopped: an import still `receiving` with no bytes for a while (its API
//! died, or a multipart body never closed) is failed with a reason by the worker and its
//! staged rows dropped, instead of staying `receiving` until someone cancels it.

use super::{ImportState, ImportStore, Transition};
use crate::ports::RepoError;
use std::sync::Arc;
use std::time::Duration;

/// Fails stale uploads; the worker runs [`StaleUploads::sweep`] every `every()`.
#[derive(Clone)]
pub struct StaleUploads {
    store: Arc<dyn ImportStore>,
    /// No bytes for this long and an upload is given up (`IMPORT_STALE_AFTER_SECS`).
    pub after: Duration,
}

impl std::fmt::Debug for StaleUploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaleUploads")
            .field("after", &self.after)
            .finish_non_exhaustive()
    }
}

impl StaleUploads {
    #[must_use]
    pub fn new(store: Arc<dyn ImportStore>, after: Duration) -> Self {
        Self { store, after }
    }

    /// How often to sweep: a tenth of `after`, between a second and a minute.
    #[must_use]
    pub fn every(&self) -> Duration {
        (self.after / 10).clamp(Duration::from_secs(1), Duration::from_secs(60))
    }

    /// Fails the uploads idle past `after`; returns how many.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` from the store.
    pub async fn sweep(&self) -> Result<usize, RepoError> {
        // a code, put in the reader's words when read (i18n's `import_failure`)
        let reason = format!("upload-stopped:{}", self.after.as_secs());
        let Some(to) = Transition::between(ImportState::Receiving, ImportState::Failed) else {
            return Ok(0);
        };
        let failed = self
            .store
            .fail_stale_uploads(self.after, &to, &reason)
            .await?;
        for id in &failed {
            tracing::warn!(import.id = %id, "upload stopped arriving; import failed");
        }
        Ok(failed.len())
    }
}
