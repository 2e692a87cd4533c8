//! The upload: chunks are read as they arrive, checked (encoding, delimiter, header, size)
//! and staged in batches, so memory holds one batch whatever the file size.

use super::{
    ImportState, ImportStore, ImportSummary, NewImport, RejectedCell, Staging, Transition,
    UploadedFile,
};
use crate::AppError;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tisseco_domain::ValidationError;
use tisseco_domain::import::{
    CsvStream, FileError, ImportHeader, RawRecord, TextEncoding, Transcoder,
};
use uuid::Uuid;

/// Rows handed to staging at a time.
const STAGE_BATCH: usize = 1_000;

/// How often a `receiving` import is marked alive while bytes arrive; the worker fails
/// uploads idle far longer than this (`IMPORT_STALE_AFTER_SECS`, at least a minute).
const TOUCH_EVERY: Duration = Duration::from_secs(20);

/// The imports seen from the API.
#[derive(Clone)]
pub struct Imports {
    store: Arc<dyn ImportStore>,
    max_bytes: u64,
}

impl std::fmt::Debug for Imports {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Imports")
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

/// Failing an import, from wherever the domain allows it.
fn failed() -> Transition {
    Transition::to(ImportState::Failed)
}

fn file_error(error: &FileError) -> AppError {
    AppError::Invalid(ValidationError::new("file", error.to_string()))
}

impl Imports {
    #[must_use]
    pub fn new(store: Arc<dyn ImportStore>, max_bytes: u64) -> Self {
        Self { store, max_bytes }
    }

    /// The largest file accepted, in bytes.
    #[must_use]
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Starts an upload.
    ///
    /// # Errors
    /// `Invalid` for a bad file name, `Unavailable` when the store is down.
    pub async fn begin(
        &self,
        uploaded_by: Option<Uuid>,
        file_name: &str,
        dry_run: bool,
        encoding: Option<TextEncoding>,
    ) -> Result<Upload, AppError> {
        let file_name = file_name.trim();
        if file_name.is_empty()
            || file_name.chars().count() > 200
            || file_name.contains(char::is_control)
        {
            return Err(AppError::Invalid(ValidationError::new(
                "file_name",
                "must be 1 to 200 characters without control characters",
            )));
        }
        let new = NewImport {
            id: Uuid::now_v7(),
            uploaded_by,
            file_name: file_name.to_owned(),
            dry_run,
        };
        self.store.create(&new).await?;
        Ok(Upload {
            store: self.store.clone(),
            staging: None,
            id: new.id,
            max_bytes: self.max_bytes,
            bytes: 0,
            transcoder: Transcoder::new(encoding),
            stream: CsvStream::new(),
            header: None,
            records: Vec::with_capacity(STAGE_BATCH),
            hasher: Sha256::new(),
            staged: 0,
            touched: Instant::now(),
        })
    }

    /// # Errors
    /// `NotFound`, or `Unavailable` when the store is down.
    pub async fn get(&self, id: Uuid) -> Result<ImportSummary, AppError> {
        self.store
            .get(id)
            .await?
            .ok_or_else(|| AppError::not_found("import", id))
    }

    /// Imports newest first, a page of `limit` (1 to 100, default 20) after the cursor.
    ///
    /// # Errors
    /// `Invalid` for a limit out of range, `Unavailable` when the store is down.
    pub async fn list(
        &self,
        before: Option<Uuid>,
        limit: Option<u32>,
    ) -> Result<crate::use_cases::Page<ImportSummary, Uuid>, AppError> {
        let limit = match limit {
            None => 20,
            Some(n @ 1..=100) => n,
            Some(_) => {
                return Err(tisseco_domain::ValidationError::new(
                    "limit",
                    "must be between 1 and 100",
                )
                .into());
            }
        };
        let mut items = self.store.list(before, limit + 1).await?;
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next = more.then(|| items.last().map(|i| i.id)).flatten();
        Ok(crate::use_cases::Page { items, next })
    }

    /// Cancels an import that has not started merging.
    ///
    /// # Errors
    /// `NotFound`; `Conflict` once merging started or the import ended.
    pub async fn cancel(&self, id: Uuid) -> Result<ImportSummary, AppError> {
        let to = Transition::to(ImportState::Cancelled);
        if !self.store.transition(id, &to, None).await? {
            let current = self.get(id).await?;
            return Err(AppError::Conflict {
                field: Some("state".into()),
                message: format!(
                    "an import can be cancelled before merging; this one is {}",
                    current.state.as_str()
                ),
            });
        }
        self.get(id).await
    }

    /// A page of rejected cells after line `after`.
    ///
    /// # Errors
    /// `Unavailable` when the store is down.
    pub async fn errors_after(
        &self,
        id: Uuid,
        after: u64,
        limit: u32,
    ) -> Result<Vec<RejectedCell>, AppError> {
        Ok(self.store.errors_after(id, after, limit).await?)
    }
}

/// One upload in progress.
pub struct Upload {
    store: Arc<dyn ImportStore>,
    /// Opened with the first rows.
    staging: Option<Box<dyn Staging>>,
    id: Uuid,
    max_bytes: u64,
    bytes: u64,
    /// Before the reader: other encodings and CR line endings made UTF-8 and LF.
    transcoder: Transcoder,
    stream: CsvStream,
    header: Option<ImportHeader>,
    records: Vec<RawRecord>,
    hasher: Sha256,
    staged: u64,
    /// When the import was last marked alive.
    touched: Instant,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("id", &self.id)
            .field("bytes", &self.bytes)
            .finish_non_exhaustive()
    }
}

impl Upload {
    #[must_use]
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Reads the next chunk of the body.
    ///
    /// # Errors
    /// `Invalid` on field `file` for a file-level problem (the import is then failed with
    /// that reason); `Unavailable` when the store is down.
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), AppError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > self.max_bytes {
            return self
                .refuse(&FileError::TooLarge {
                    limit: self.max_bytes,
                })
                .await;
        }
        self.hasher.update(chunk);
        let text = self.transcoder.feed(chunk);
        if let Err(error) = self.stream.feed(&text, &mut self.records) {
            return self.refuse(&error).await;
        }
        if let Err(error) = self.take_header() {
            return self.refuse(&error).await;
        }
        if self.records.len() >= STAGE_BATCH {
            self.flush().await?;
        }
        if self.touched.elapsed() >= TOUCH_EVERY {
            self.touched = Instant::now();
            self.store.touch(self.id).await?;
        }
        Ok(())
    }

    /// Ends the upload: stages the last rows and hands the import to the worker.
    ///
    /// # Errors
    /// As [`Upload::push`], and `Conflict` on field `file` when the same file is already
    /// imported or importing.
    pub async fn finish(mut self, correlation_id: Option<String>) -> Result<Uuid, AppError> {
        let rest = self.transcoder.finish();
        if let Err(error) = self
            .stream
            .feed(&rest, &mut self.records)
            .and_then(|()| self.stream.finish(&mut self.records))
        {
            return self.refuse(&error).await.map(|()| self.id);
        }
        if let Err(error) = self.take_header() {
            return self.refuse(&error).await.map(|()| self.id);
        }
        self.flush().await?;
        if let Some(staging) = self.staging.take() {
            staging.commit().await?;
        }
        let digest = std::mem::take(&mut self.hasher).finalize();
        let checksum = digest.iter().fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        let file = UploadedFile {
            columns: self
                .header
                .as_ref()
                .map(|h| h.columns().to_vec())
                .unwrap_or_default(),
            delimiter: char::from(self.stream.delimiter().unwrap_or(b',')),
            encoding: self
                .transcoder
                .encoding()
                .unwrap_or(TextEncoding::Utf8)
                .as_str()
                .to_owned(),
            checksum,
            staged: self.staged,
            correlation_id,
        };
        let uploaded = Transition::between(ImportState::Receiving, ImportState::Uploaded)
            .ok_or_else(|| AppError::Unexpected("an upload cannot end".into()))?;
        if let Err(error) = self.store.finish_upload(self.id, &file, &uploaded).await {
            self.store
                .fail(self.id, &failed(), &error.to_string())
                .await?;
            return Err(error.into());
        }
        Ok(self.id)
    }

    /// Gives the upload up (the body could not be read to its end): the import fails.
    ///
    /// # Errors
    /// `Unavailable` when the store is down.
    pub async fn abort(mut self, reason: &str) -> Result<(), AppError> {
        self.staging = None;
        Ok(self.store.fail(self.id, &failed(), reason).await?)
    }

    fn take_header(&mut self) -> Result<(), FileError> {
        if self.header.is_none() && !self.records.is_empty() {
            let first = self.records.remove(0);
            self.header = Some(ImportHeader::parse(&first.fields)?);
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), AppError> {
        if !self.records.is_empty() {
            let staging = match &mut self.staging {
                Some(staging) => staging,
                None => self.staging.insert(self.store.stage(self.id).await?),
            };
            staging.write(&self.records).await?;
            self.staged += self.records.len() as u64;
            self.records.clear();
        }
        Ok(())
    }

    async fn refuse(&mut self, error: &FileError) -> Result<(), AppError> {
        self.records.clear();
        self.staging = None;
        self.store
            .fail(self.id, &failed(), &error.to_string())
            .await?;
        Err(file_error(error))
    }
}
