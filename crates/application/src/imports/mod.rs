//! CSV imports of containers: the upload streamed into staging, then validation and merge in
//! batches by the worker, each batch committed with its progress cursor so that re-running
//! any step (after a crash, or a job delivered twice) gives the same result.

mod runner;
mod stale;
mod upload;

pub use runner::ImportRunner;
pub use stale::StaleUploads;
pub use upload::{Imports, Upload};

use crate::ports::RepoError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use tisseco_domain::import::{RawRecord, RowError};
use uuid::Uuid;

/// The outbox event (and job type) that starts the worker's part of an import.
pub const IMPORT_UPLOADED: &str = "import.uploaded";

/// Where an import is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportState {
    /// The body is still arriving.
    Receiving,
    Uploaded,
    Validating,
    Merging,
    Completed,
    Failed,
    Cancelled,
}

impl ImportState {
    pub const ALL: [Self; 7] = [
        Self::Receiving,
        Self::Uploaded,
        Self::Validating,
        Self::Merging,
        Self::Completed,
        Self::Failed,
        Self::Cancelled,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Receiving => "receiving",
            Self::Uploaded => "uploaded",
            Self::Validating => "validating",
            Self::Merging => "merging",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// # Errors
    /// The unknown name.
    pub fn parse(value: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == value)
            .ok_or_else(|| format!("unknown import state {value}"))
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
            ImportState::Merging => 50.0 + 50.0 * done(self.inserted + self.updated, self.valid),
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

/// A row that passed validation, its site and area resolved, ready to merge.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidRow {
    pub line: u64,
    /// The id and public code the container gets if the row creates it.
    pub container_id: Uuid,
    pub public_code: String,
    pub site_id: Uuid,
    pub area_id: Option<Uuid>,
    pub external_ref: String,
    pub kind: String,
    pub status: String,
    pub capacity_litres: Option<i32>,
    pub latitude: f64,
    pub longitude: f64,
    pub address: Option<String>,
    pub installed_on: Option<NaiveDate>,
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
    async fn finish_upload(&self, id: Uuid, file: &UploadedFile) -> Result<(), RepoError>;

    /// Fails the import with `reason` and drops what was staged.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn fail(&self, id: Uuid, reason: &str) -> Result<(), RepoError>;

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

    /// Cancels an import not yet merging; false when it is past that point.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn cancel(&self, id: Uuid) -> Result<bool, RepoError>;

    /// Moves `from` to `to` when the import is in `from`; false otherwise.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn transition(
        &self,
        id: Uuid,
        from: ImportState,
        to: ImportState,
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

    /// The ids of the live sites among `codes`.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn site_ids(&self, codes: &[String]) -> Result<HashMap<String, Uuid>, RepoError>;

    /// The ids of the live areas among `(site, code)` pairs.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn area_ids(
        &self,
        pairs: &[(Uuid, String)],
    ) -> Result<HashMap<(Uuid, String), Uuid>, RepoError>;

    /// Saves a validated batch and advances the cursor, in one transaction, only if the
    /// import is still validating at `batch.from`; false when another run got there first.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn save_validated(&self, id: Uuid, batch: &ValidatedBatch) -> Result<bool, RepoError>;

    /// Rejects every valid row whose (site, external reference) an earlier line already
    /// has, then moves the import to merging (or completed for a dry run), in one transaction.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn finish_validation(&self, id: Uuid) -> Result<(), RepoError>;

    /// Merges the next `limit` valid rows into the containers and advances the cursor, in
    /// one transaction; false when nothing was left to merge.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected` (a public code clash: the batch is retried).
    async fn merge_batch(&self, id: Uuid, limit: u32) -> Result<bool, RepoError>;

    /// Completes a merging import and writes its audit record, in one transaction.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn complete(&self, id: Uuid) -> Result<(), RepoError>;

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

    /// Fails every import still `receiving` with no bytes for `idle` (its API died, or its
    /// body never ended), with `reason`, and drops what it staged; returns their ids.
    ///
    /// # Errors
    /// `Unavailable` or `Unexpected`.
    async fn fail_stale_uploads(
        &self,
        idle: std::time::Duration,
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
mod tests {
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
            validated_through: 41,
            merged_through: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn states_round_trip_by_name() {
        for state in ImportState::ALL {
            assert_eq!(ImportState::parse(state.as_str()), Ok(state));
        }
        assert!(ImportState::parse("done").is_err());
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
