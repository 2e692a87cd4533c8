//! CSV imports of containers: the upload streamed into staging, then validation and merge in
//! batches by the worker, each batch committed with its progress cursor so that re-running
//! any step (after a crash, or a job delivered twice) gives the same result.

mod body;
mod runner;
mod stale;
mod steps;
mod upload;

pub use runner::ImportRunner;
pub use stale::StaleUploads;
pub use upload::{Imports, Upload, UploadError};

use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tisseco_domain::Container;
use tisseco_domain::import::{RawRecord, Resolved, RowError, RowKeys};
use uuid::Uuid;

/// The outbox event (and job type) that starts the worker's part of an import.
pub const IMPORT_UPLOADED: &str = "import.uploaded";

pub use tisseco_domain::import::{ImportState, ValidRow};

/// A move of an import's state that the domain allows: from any of `from` to `to`. The
/// store writes it only if the import is still in one of `from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub from: Vec<ImportState>,
    pub to: ImportState,
}

impl Transition {
    /// To `next` from wherever the domain allows it.
    #[must_use]
    pub fn to(next: ImportState) -> Self {
        Self {
            from: ImportState::sources_of(next),
            to: next,
        }
    }

    /// From `from` alone to `to`, when the domain allows it.
    #[must_use]
    pub fn between(from: ImportState, to: ImportState) -> Option<Self> {
        from.can_become(to).then(|| Self {
            from: vec![from],
            to,
        })
    }
}

/// An import as its uploader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    pub id: Uuid,
    pub file_name: String,
    pub uploaded_by: Option<Uuid>,
    pub uploader_email: Option<String>,
    /// The uploader's language, for the report e-mail.
    pub uploader_locale: Option<tisseco_domain::Locale>,
    pub state: ImportState,
    /// Why a failed import failed.
    pub failure: Option<String>,
    pub dry_run: bool,
    pub columns: Vec<String>,
    /// The encoding the file was read in, once uploaded.
    pub encoding: Option<String>,
    pub staged: u64,
    pub valid: u64,
    pub rejected: u64,
    pub inserted: u64,
    pub updated: u64,
    /// Valid rows equal to their container: nothing written, its version kept.
    pub unchanged: u64,
    /// The last staged line validated.
    pub validated_through: u64,
    /// The last valid line merged.
    pub merged_through: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ImportSummary {
    /// Rows handled so far out of the work to do (validation then merge), 0 to 100.
    #[must_use]
    pub fn percent(&self) -> u8 {
        #[expect(
            clippy::cast_precision_loss,
            reason = "a percentage needs no exact row counts"
        )]
        let done = |part: u64, of: u64| {
            if of == 0 {
                1.0
            } else {
                part as f64 / of as f64
            }
        };
        let value = match self.state {
            ImportState::Receiving | ImportState::Uploaded => 0.0,
            ImportState::Validating | ImportState::Failed | ImportState::Cancelled => {
                50.0 * done(self.valid + self.rejected, self.staged)
            }
            ImportState::Merging => {
                50.0 + 50.0 * done(self.inserted + self.updated + self.unchanged, self.valid)
            }
            ImportState::Completed => 100.0,
        };
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "clamped to 0..=100 first"
        )]
        let percent = value.clamp(0.0, 100.0).round() as u8;
        percent
    }
}

/// A new import, before its body arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    pub id: Uuid,
    pub uploaded_by: Option<Uuid>,
    pub file_name: String,
    pub dry_run: bool,
}

/// What the upload learned about the file once it all arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    pub columns: Vec<String>,
    pub delimiter: char,
    /// The encoding the file was read in (`utf-8`, `windows-1252`…).
    pub encoding: String,
    /// SHA-256 of the bytes, hex.
    pub checksum: String,
    pub staged: u64,
    pub correlation_id: Option<String>,
}

/// One rejected column of one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedCell {
    pub line: u64,
    pub error: RowError,
}

/// The outcome of validating the staged lines after `from` up to `through`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ValidatedBatch {
    pub from: u64,
    pub through: u64,
    pub valid: Vec<ValidRow>,
    pub rejected: Vec<RejectedCell>,
    /// Lines rejected (a line may have several rejected cells).
    pub rejected_lines: u64,
}

/// What the domain decided for the valid lines after `from` up to `through`: the store
/// writes it, with each changed container's audit record, if the import is still merging
/// at `from` and no container changed since it was read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergePlan {
    pub from: u64,
    pub through: u64,
    pub created: Vec<Container>,
    /// Each container as it was read, and as it becomes.
    pub updated: Vec<(Container, Container)>,
    pub unchanged: u64,
    pub rejected: Vec<RejectedCell>,
    pub rejected_lines: u64,
}

/// A valid row and the container with its site and reference, if there is one.
pub type MergeCandidate = (ValidRow, Option<Container>);

/// The rows of one upload on their way into staging. Dropped before [`Staging::commit`],
/// it stages nothing: a cut-off upload leaves no partial file behind.
#[async_trait]
pub trait Staging: Send {
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn write(&mut self, rows: &[RawRecord]) -> Result<(), RepoError>;

    /// Makes every written row visible, at once.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn commit(self: Box<Self>) -> Result<(), RepoError>;
}

/// The import tables.
#[async_trait]
pub trait ImportStore: Send + Sync {
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn create(&self, new: &NewImport) -> Result<(), RepoError>;

    /// Opens the staging of an upload's rows.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn stage(&self, id: Uuid) -> Result<Box<dyn Staging>, RepoError>;

    /// Marks the upload complete and, in the same transaction, writes the outbox event that
    /// starts the worker.
    ///
    /// # Errors
    /// `Conflict` on field `file` naming the live import with the same checksum;
    /// `Unavailable` or `Unexpected`.
    async fn finish_upload(
        &self,
        id: Uuid,
        file: &UploadedFile,
        to: &Transition,
    ) -> Result<(), RepoError>;

    /// Fails the import (`to`) with `reason` and drops what was staged.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn fail(&self, id: Uuid, to: &Transition, reason: &str) -> Result<(), RepoError>;

    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn get(&self, id: Uuid) -> Result<Option<ImportSummary>, RepoError>;

    /// Imports newest first, those older than `before` (an import id) when given; at
    /// most `limit`.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn list(&self, before: Option<Uuid>, limit: u32)
    -> Result<Vec<ImportSummary>, RepoError>;

    /// Makes `to` when the import is in one of its sources, noting `failure` when given;
    /// false otherwise.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn transition(
        &self,
        id: Uuid,
        to: &Transition,
        failure: Option<&str>,
    ) -> Result<bool, RepoError>;

    /// Up to `limit` staged rows after line `after`, in line order.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn staged_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RawRecord>, RepoError>;

    /// What the store knows of each row's codes: its live site, the live area of that site,
    /// the distance from the row's point (and from the point swapped) to that area's
    /// boundary, and an earlier line of this import with the same (site, reference).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn resolve(
        &self,
        id: Uuid,
        keys: &[RowKeys],
    ) -> Result<HashMap<u64, Resolved>, RepoError>;

    /// Saves a validated batch and advances the cursor, in one transaction, only if the
    /// import is still validating at `batch.from`; false when another run got there first.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn save_validated(&self, id: Uuid, batch: &ValidatedBatch) -> Result<bool, RepoError>;

    /// Up to `limit` valid rows after line `after`, in line order, each with the container
    /// it names.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn merge_candidates(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<MergeCandidate>, RepoError>;

    /// Writes `plan` and advances the cursor, in one transaction: creations, updates (each
    /// only if the container still has the version read), an audit record per changed
    /// container (its uploader, this import), rejections and counts. False, writing nothing,
    /// when the import moved on or a container changed meanwhile: read and decide again.
    /// Takes the plan, so that the store may serialise it on another thread while it writes.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` (a public code clash).
    async fn apply_merge(&self, id: Uuid, plan: MergePlan) -> Result<bool, RepoError>;

    /// Makes `to` (completed) from merging and writes the import's audit record, in one
    /// transaction.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn complete(&self, id: Uuid, to: &Transition) -> Result<(), RepoError>;

    /// Drops the staged and validated rows of an ended import; its rejected rows and
    /// per-row changes stay.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn discard_rows(&self, id: Uuid) -> Result<(), RepoError>;

    /// Notes that bytes of a `receiving` upload arrived (its API is alive).
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn touch(&self, id: Uuid) -> Result<(), RepoError>;

    /// Makes `to` (failed) of every import still `receiving` (the transition's source) with no
    /// bytes for `idle` (its API died, or its body never ended), with `reason`, and drops what
    /// it staged; returns their ids.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn fail_stale_uploads(
        &self,
        idle: std::time::Duration,
        to: &Transition,
        reason: &str,
    ) -> Result<Vec<Uuid>, RepoError>;

    /// Up to `limit` rejected cells after line `after`, in line order.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn errors_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RejectedCell>, RepoError>;
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod upload_tests;

#[cfg(test)]
mod summary_tests {
    use super::*;

    fn summary(state: ImportState) -> ImportSummary {
        ImportSummary {
            id: Uuid::nil(),
            file_name: "f.csv".into(),
            uploaded_by: None,
            uploader_email: None,
            uploader_locale: None,
            encoding: None,
            state,
            failure: None,
            dry_run: false,
            columns: Vec::new(),
            staged: 100,
            valid: 30,
            rejected: 10,
            inserted: 15,
            updated: 0,
            unchanged: 0,
            validated_through: 41,
            merged_through: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn the_percentage_covers_validation_then_merge() {
        assert_eq!(summary(ImportState::Uploaded).percent(), 0);
        assert_eq!(summary(ImportState::Validating).percent(), 20);
        let mut merging = summary(ImportState::Merging);
        merging.valid = 30;
        assert_eq!(merging.percent(), 75);
        assert_eq!(summary(ImportState::Completed).percent(), 100);
    }
}
