//! The upload: the body is read as it arrives, checked (size, encoding, delimiter, quoting),
//! parsed by csv-async and staged in batches, so memory holds one batch whatever the file
//! size.

use super::body::{CheckedBody, file_error_of, refused};
use super::{
    ImportState, ImportStore, ImportSummary, NewImport, RejectedCell, Staging, Transition,
    UploadedFile,
};
use crate::AppError;
use csv_async::{AsyncReaderBuilder, ByteRecord};
use futures_util::Stream;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tisseco_domain::ValidationError;
use tisseco_domain::import::{FileError, ImportHeader, RawRecord, TextEncoding};
use tokio_util::io::StreamReader;
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
            encoding,
            header: None,
            records: Vec::with_capacity(STAGE_BATCH),
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

/// The line ends inside a record's quoted fields.
fn newlines_in(record: &ByteRecord) -> u64 {
    record
        .iter()
        .map(|field| field.iter().filter(|b| **b == b'\n').count() as u64)
        .sum()
}

/// One upload about to be read.
pub struct Upload {
    store: Arc<dyn ImportStore>,
    /// Opened with the first rows.
    staging: Option<Box<dyn Staging>>,
    id: Uuid,
    max_bytes: u64,
    encoding: Option<TextEncoding>,
    header: Option<ImportHeader>,
    records: Vec<RawRecord>,
    staged: u64,
    /// When the import was last marked alive.
    touched: Instant,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("id", &self.id)
            .field("staged", &self.staged)
            .finish_non_exhaustive()
    }
}

/// Why an upload ended without an import to run; either way the import is failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file is refused (field `file`), or the store failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// The body could not be read to its end (a stall, a lost connection): the import is
    /// failed with this error's words.
    #[error("{0}")]
    Body(std::io::Error),
}

impl From<crate::ports::RepoError> for UploadError {
    fn from(error: crate::ports::RepoError) -> Self {
        Self::App(error.into())
    }
}

impl Upload {
    #[must_use]
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// Reads the whole body as it arrives (CSV, through csv-async), stages its rows in
    /// batches and hands the import to the worker.
    ///
    /// # Errors
    /// `App(Invalid)` on field `file` for a file-level problem, `App(Conflict)` when the same
    /// file is already imported or importing, `App(Unavailable)` when the store is down,
    /// `Body` when the body fails; the import is then failed with the reason.
    pub async fn read<S, B>(
        mut self,
        body: S,
        correlation_id: Option<String>,
    ) -> Result<Uuid, UploadError>
    where
        S: Stream<Item = std::io::Result<B>> + Unpin + Send,
        B: AsRef<[u8]>,
    {
        let mut body = CheckedBody::new(body, self.max_bytes, self.encoding);
        let delimiter = match body.read_header().await {
            Ok(delimiter) => delimiter,
            Err(error) => return Err(self.stop(error).await),
        };
        let mut reader = AsyncReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            // a row with too few or too many cells is rejected with a reason, not the file
            .flexible(true)
            .create_reader(StreamReader::new(body));
        let mut record = ByteRecord::new();
        loop {
            match reader.read_byte_record(&mut record).await {
                Ok(false) => break,
                Ok(true) => {}
                Err(error) => {
                    let error = match error.into_kind() {
                        csv_async::ErrorKind::Io(error) => error,
                        other => std::io::Error::other(format!("{other:?}")),
                    };
                    return Err(self.stop(error).await);
                }
            }
            // The reader's own record position counts the blank lines before a record; where
            // the record ends (FileCheck ends the file with a line end) does not.
            let line = reader
                .position()
                .line()
                .saturating_sub(1 + newlines_in(&record));
            if let Err(error) = self.take(&record, line) {
                return Err(self.stop(refused(error)).await);
            }
            if self.records.len() >= STAGE_BATCH {
                self.flush().await?;
            }
            if self.touched.elapsed() >= TOUCH_EVERY {
                self.touched = Instant::now();
                self.store.touch(self.id).await?;
            }
        }
        let mut body = reader.into_inner().into_inner();
        if self.header.is_none() || self.staged + self.records.len() as u64 == 0 {
            let error = if self.header.is_none() {
                FileError::Empty
            } else {
                FileError::HeaderOnly
            };
            return Err(self.stop(refused(error)).await);
        }
        self.flush().await?;
        if let Some(staging) = self.staging.take() {
            staging.commit().await?;
        }
        let file = UploadedFile {
            columns: self
                .header
                .as_ref()
                .map(|h| h.columns().to_vec())
                .unwrap_or_default(),
            delimiter: char::from(delimiter),
            encoding: body.encoding().as_str().to_owned(),
            checksum: body.checksum(),
            staged: self.staged,
            correlation_id,
        };
        let uploaded = Transition::between(ImportState::Receiving, ImportState::Uploaded)
            .ok_or_else(|| AppError::Unexpected("an upload cannot end".into()))?;
        if let Err(error) = self.store.finish_upload(self.id, &file, &uploaded).await {
            self.store
                .fail(self.id, &failed(), &error.to_string())
                .await?;
            return Err(AppError::from(error).into());
        }
        Ok(self.id)
    }

    /// The record, as the header or as a row; its text must be UTF-8 by now.
    fn take(&mut self, record: &ByteRecord, line: u64) -> Result<(), FileError> {
        let fields = record
            .iter()
            .map(|field| String::from_utf8(field.to_vec()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| FileError::NotUtf8 { line })?;
        if self.header.is_none() {
            self.header = Some(ImportHeader::parse(&fields)?);
        } else {
            self.records.push(RawRecord { line, fields });
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

    /// Fails the import with the reason the body or the file gave, its rows dropped.
    async fn stop(&mut self, error: std::io::Error) -> UploadError {
        self.records.clear();
        self.staging = None;
        let (reason, answer) = match file_error_of(&error) {
            Some(file) => (file.to_string(), UploadError::App(file_error(file))),
            None => (error.to_string(), UploadError::Body(error)),
        };
        match self.store.fail(self.id, &failed(), &reason).await {
            Ok(()) => answer,
            Err(store) => UploadError::App(store.into()),
        }
    }
}
