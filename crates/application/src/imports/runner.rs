//! The worker's part of an import (job `import.uploaded`): validate the staged rows in
//! batches with the domain rules, merge the valid ones in batches as the domain decides, then
//! queue the report e-mail. Every step resumes from the stored state, so a re-run finishes
//! the same import; every move of the import's state is the domain's (`ImportState`).

use super::{ImportState, ImportStore, ImportSummary, Transition};
use crate::cache::Cache;
use crate::jobs::{Job, JobError, JobHandler, JobQueue, MAIL_QUEUE};
use crate::links::DownloadLinks;
use crate::mail::{EmailJob, MailMessage, Recipient, RejectedRow};
use crate::ports::{Clock, RepoError};
use async_trait::async_trait;
use std::sync::Arc;
use tisseco_domain::placement::AreaTolerance;
use uuid::Uuid;

/// Rejected lines listed in the report e-mail (the rest are in `errors.csv`).
const REPORTED_ERRORS: u32 = 20;

/// Runs imports; also the handler of `import.uploaded` jobs.
#[derive(Clone)]
pub struct ImportRunner {
    pub store: Arc<dyn ImportStore>,
    pub queue: Arc<dyn JobQueue>,
    /// Bumped after each merged batch, so that searches see the imported containers.
    pub cache: Arc<dyn Cache>,
    /// Where the API answers (`PUBLIC_BASE_URL`), for the link to the rejected rows.
    pub public_base_url: String,
    /// Rows validated, then merged, per transaction.
    pub batch: u32,
    /// Makes the report's link to the rejected rows open without signing in; without it,
    /// the link needs a bearer token.
    pub links: Option<DownloadLinks>,
    /// What "now" is for the containers an import creates or changes.
    pub clock: Arc<dyn Clock>,
    /// How far outside its area's boundary a row's point may lie (`AREA_TOLERANCE_METRES`).
    pub area_tolerance: AreaTolerance,
}

impl std::fmt::Debug for ImportRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportRunner")
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

pub(super) fn retry(error: &RepoError) -> JobError {
    JobError::from(error.clone())
}

impl ImportRunner {
    /// Takes the import from wherever it stands to its end.
    ///
    /// # Errors
    /// `Retry` when a store or the queue fails; `Permanent` for an unknown import.
    pub async fn run(&self, id: Uuid) -> Result<(), JobError> {
        loop {
            let import = self
                .store
                .get(id)
                .await
                .map_err(|e| retry(&e))?
                .ok_or_else(|| JobError::Permanent(format!("no import {id}")))?;
            match import.state {
                ImportState::Receiving => return Ok(()),
                ImportState::Cancelled => {
                    return self.store.discard_rows(id).await.map_err(|e| retry(&e));
                }
                ImportState::Uploaded => {
                    let to = Transition::between(ImportState::Uploaded, ImportState::Validating);
                    if let Some(to) = to {
                        self.store
                            .transition(id, &to, None)
                            .await
                            .map_err(|e| retry(&e))?;
                    }
                }
                ImportState::Validating => self.validate_all(&import).await?,
                ImportState::Merging => self.merge_all(&import).await?,
                ImportState::Completed | ImportState::Failed => {
                    tracing::info!(import.id = %id, import.state = import.state.as_str(),
                        import.inserted = import.inserted, import.updated = import.updated,
                        import.rejected = import.rejected, "import finished");
                    self.store.discard_rows(id).await.map_err(|e| retry(&e))?;
                    return self.report(&import).await;
                }
            }
        }
    }

    /// The address of the rejected rows, with a download link for the uploader when
    /// there is one (7 days, no sign-in needed).
    async fn errors_url(&self, import: &ImportSummary) -> Result<String, JobError> {
        let path = format!("/api/v1/imports/{}/errors.csv", import.id);
        let relative = match (&self.links, import.uploaded_by) {
            (Some(links), Some(user)) => {
                let (url, _) =
                    links
                        .issue(user.into(), None, &path, "")
                        .await
                        .map_err(|e| match e {
                            crate::AppError::Unavailable(why) => JobError::Unavailable(why),
                            other => JobError::Retry(other.to_string()),
                        })?;
                url
            }
            _ => path,
        };
        Ok(format!(
            "{}{relative}",
            self.public_base_url.trim_end_matches('/')
        ))
    }

    async fn report(&self, import: &ImportSummary) -> Result<(), JobError> {
        let Some(email) = import.uploader_email.clone() else {
            return Ok(());
        };
        let errors = self
            .store
            .errors_after(import.id, 0, REPORTED_ERRORS)
            .await
            .map_err(|e| retry(&e))?;
        let mut rejected: Vec<RejectedRow> = errors
            .into_iter()
            .map(|cell| RejectedRow {
                line: cell.line,
                reason: cell.error.reason,
                column: cell.error.column,
                value: cell.error.value,
            })
            .collect();
        if let Some(failure) = &import.failure {
            rejected.insert(
                0,
                RejectedRow {
                    line: 0,
                    reason: failure.clone(),
                    column: String::new(),
                    value: String::new(),
                },
            );
        }
        let email = EmailJob {
            dedup_key: format!("import-report-{}", import.id),
            to: Recipient {
                email,
                name: None,
                locale: import.uploader_locale,
            },
            message: MailMessage::ImportReport {
                file_name: import.file_name.clone(),
                rows_total: import.staged,
                rows_imported: import.inserted + import.updated,
                rejected,
                rows_rejected: Some(import.rejected),
                errors_url: Some(self.errors_url(import).await?),
            },
        };
        let job: Job = email
            .to_job(None)
            .map_err(|e| JobError::Permanent(e.to_string()))?;
        self.queue
            .enqueue(MAIL_QUEUE, &[job])
            .await
            .map_err(JobError::from)
    }
}

#[async_trait]
impl JobHandler for ImportRunner {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let (_, envelope) = job.event::<serde_json::Value>()?;
        if envelope.aggregate_id.is_nil() {
            return Err(JobError::Permanent(
                "import job without an import id".into(),
            ));
        }
        self.run(envelope.aggregate_id).await
    }
}
