//! The S3-compatible bucket backups go to (rust-s3): a streaming multipart upload, a
//! streaming download, listing and deleting under the configured prefix.

use crate::BackupError;
use crate::settings::StorageSettings;
use s3::creds::Credentials;
use s3::{Bucket, Region};
use secrecy::ExposeSecret;
use tokio::io::AsyncRead;

/// Parts uploaded at once. rust-s3 reads 8 MiB parts, so an upload holds about
/// (this + 1) × 8 MiB whatever the size of the dump.
const PARTS_IN_FLIGHT: usize = 2;

#[derive(Debug)]
pub struct Store {
    bucket: Box<Bucket>,
    prefix: String,
}

fn storage(error: impl std::fmt::Display) -> BackupError {
    BackupError::Storage(error.to_string())
}

impl Store {
    /// # Errors
    /// When the credentials or the endpoint are unusable.
    pub fn new(settings: &StorageSettings) -> Result<Self, BackupError> {
        let region = Region::Custom {
            region: settings.region.clone(),
            endpoint: settings.endpoint.trim_end_matches('/').to_owned(),
        };
        let credentials = Credentials::new(
            Some(&settings.access_key_id),
            Some(settings.secret_access_key.expose_secret()),
            None,
            None,
            None,
        )
        .map_err(storage)?;
        let bucket = Bucket::new(&settings.bucket, region, credentials).map_err(storage)?;
        let bucket = if settings.path_style {
            bucket.with_path_style()
        } else {
            bucket
        };
        Ok(Self {
            bucket,
            prefix: settings.prefix.clone(),
        })
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Uploads everything `reader` gives until its end; returns the bytes stored.
    ///
    /// # Errors
    /// When reading or the storage fails (an unfinished multipart upload is aborted).
    pub async fn upload<R: AsyncRead + Unpin + ?Sized>(
        &self,
        key: &str,
        reader: &mut R,
    ) -> Result<u64, BackupError> {
        let response = self
            .bucket
            .put_object_stream_builder(key)
            .with_content_type("application/octet-stream")
            .with_max_concurrent_chunks(PARTS_IN_FLIGHT)
            .execute_stream(reader)
            .await
            .map_err(storage)?;
        Ok(response.uploaded_bytes() as u64)
    }

    /// The object's content, read as it arrives.
    ///
    /// # Errors
    /// When the object does not exist or the storage fails.
    pub async fn download(&self, key: &str) -> Result<impl AsyncRead + Unpin + use<>, BackupError> {
        self.bucket
            .get_object_stream(key)
            .await
            .map_err(|error| BackupError::Storage(format!("cannot read {key}: {error}")))
    }

    /// Every key under the prefix.
    ///
    /// # Errors
    /// When the storage fails.
    pub async fn keys(&self) -> Result<Vec<String>, BackupError> {
        let pages = self
            .bucket
            .list(self.prefix.clone(), None)
            .await
            .map_err(storage)?;
        Ok(pages
            .into_iter()
            .flat_map(|page| page.contents)
            .map(|object| object.key)
            .collect())
    }

    /// # Errors
    /// When the storage fails.
    pub async fn delete(&self, key: &str) -> Result<(), BackupError> {
        self.bucket.delete_object(key).await.map_err(storage)?;
        Ok(())
    }
}
