//! The worker's part of an import (job `import.uploaded`): validate the staged rows in
//! batches with the domain rules, merge the valid ones in batches, then queue the report
//! e-mail. Every step resumes from the stored state, so a re-run finishes the same import.

use super::{ImportState, ImportStore, ImportSummary, RejectedCell, ValidRow, ValidatedBatch};
use crate::cache::{CONTAINERS, Cache};
use crate::jobs::{Job, JobError, JobHandler, JobQueue, MAIL_QUEUE};
use crate::links::DownloadLinks;
use crate::mail::{EmailJob, MailMessage, Recipient, RejectedRow};
use crate::ports::RepoError;
use async_trait::async_trait;
use std::collections::HashSet;
use std::sync::Arc;
use tisseco_domain::PublicCode;
use tisseco_domain::import::{ImportHeader, RowError};
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
}

impl std::fmt::Debug for ImportRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportRunner")
            .field("batch", &self.batch)
            .finish_non_exhaustive()
    }
}

fn retry(error: &RepoError) -> JobError {
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
                    self.store
                        .transition(id, ImportState::Uploaded, ImportState::Validating)
                        .await
                        .map_err(|e| retry(&e))?;
                }
                ImportState::Validating => self.validate_next(&import).await?,
                ImportState::Merging => {
                    if self
                        .store
                        .merge_batch(id, self.batch)
                        .await
                        .map_err(|e| retry(&e))?
                    {
                        self.cache.bump(CONTAINERS).await;
                    } else {
                        self.store.complete(id).await.map_err(|e| retry(&e))?;
                    }
                }
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

    async fn validate_next(&self, import: &ImportSummary) -> Result<(), JobError> {
        let rows = self
            .store
            .staged_after(import.id, import.validated_through, self.batch)
            .await
            .map_err(|e| retry(&e))?;
        let Some(last) = rows.last().map(|r| r.line) else {
            return self
                .store
                .finish_validation(import.id)
                .await
                .map_err(|e| retry(&e));
        };
        let header = ImportHeader::from_checked(import.columns.clone());
        let parsed: Vec<_> = rows
            .iter()
            .map(|r| (r.line, header.row(&r.fields)))
            .collect();
        let site_codes: HashSet<String> = parsed
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok().map(|r| r.site.as_str().to_owned()))
            .collect();
        let sites = self
            .store
            .site_ids(&site_codes.into_iter().collect::<Vec<_>>())
            .await
            .map_err(|e| retry(&e))?;
        let area_pairs: HashSet<(Uuid, String)> = parsed
            .iter()
            .filter_map(|(_, r)| {
                let row = r.as_ref().ok()?;
                Some((
                    *sites.get(row.site.as_str())?,
                    row.area.as_ref()?.as_str().to_owned(),
                ))
            })
            .collect();
        let areas = self
            .store
            .area_ids(&area_pairs.into_iter().collect::<Vec<_>>())
            .await
            .map_err(|e| retry(&e))?;
        let mut batch = ValidatedBatch {
            from: import.validated_through,
            through: last,
            ..ValidatedBatch::default()
        };
        for (line, result) in parsed {
            let row = result.and_then(|row| {
                let site_id = *sites.get(row.site.as_str()).ok_or_else(|| {
                    vec![RowError::new(
                        "site_code",
                        row.site.as_str(),
                        "unknown-site",
                    )]
                })?;
                let area_id =
                    match &row.area {
                        None => None,
                        Some(code) => {
                            Some(*areas.get(&(site_id, code.as_str().to_owned())).ok_or_else(
                                || vec![RowError::new("area_code", code.as_str(), "unknown-area")],
                            )?)
                        }
                    };
                Ok(ValidRow {
                    line,
                    container_id: Uuid::now_v7(),
                    public_code: new_public_code(),
                    site_id,
                    area_id,
                    external_ref: row.external_ref.as_str().to_owned(),
                    kind: row.kind.as_str().to_owned(),
                    status: row.status.as_str().to_owned(),
                    capacity_litres: row.capacity.and_then(|c| i32::try_from(c.get()).ok()),
                    latitude: row.location.latitude(),
                    longitude: row.location.longitude(),
                    address: row.address.map(|a| a.as_str().to_owned()),
                    installed_on: row.installed_on,
                })
            });
            match row {
                Ok(valid) => batch.valid.push(valid),
                Err(errors) => {
                    batch.rejected_lines += 1;
                    batch
                        .rejected
                        .extend(errors.into_iter().map(|error| RejectedCell { line, error }));
                }
            }
        }
        // false: another run saved this batch first; the loop re-reads the state
        self.store
            .save_validated(import.id, &batch)
            .await
            .map(drop)
            .map_err(|e| retry(&e))
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

fn new_public_code() -> String {
    let random = *Uuid::new_v4().as_bytes();
    let mut bytes = [0_u8; 12];
    bytes.copy_from_slice(&random[..12]);
    PublicCode::long_from_random(bytes).as_str().to_owned()
}

#[async_trait]
impl JobHandler for ImportRunner {
    async fn handle(&self, job: &Job) -> Result<(), JobError> {
        let id = job
            .payload
            .get("aggregate_id")
            .and_then(|v| v.as_str())
            .and_then(|v| Uuid::parse_str(v).ok())
            .ok_or_else(|| JobError::Permanent("import job without an import id".into()))?;
        self.run(id).await
    }
}
