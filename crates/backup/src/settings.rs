//! What a backup needs to know: where the storage is, how long copies are kept, whether
//! they are encrypted, and which PostgreSQL client tools to run.

use crate::retention::Retention;
use secrecy::SecretString;
use std::path::PathBuf;

/// An S3-compatible bucket (AWS, Scaleway, OVH, MinIO, Garage, …).
#[derive(Debug, Clone)]
pub struct StorageSettings {
    /// e.g. `https://s3.fr-par.scw.cloud`.
    pub endpoint: String,
    pub region: String,
    pub bucket: String,
    /// Prepended to every key, e.g. `tisseco/prod/`.
    pub prefix: String,
    pub access_key_id: String,
    pub secret_access_key: SecretString,
    /// `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key`: what most
    /// S3-compatible servers expect.
    pub path_style: bool,
}

/// Backups with age (<https://age-encryption.org>): the dump is piped through the `age`
/// program, so the key that decrypts never has to be where backups are taken.
#[derive(Debug, Clone, Default)]
pub struct Encryption {
    /// Public keys (`age1…`) that can decrypt new backups; none: backups are not encrypted.
    pub recipients: Vec<String>,
    /// The file holding the secret key (`AGE-SECRET-KEY-1…`), needed to restore only.
    pub identity_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct BackupSettings {
    pub storage: StorageSettings,
    pub retention: Retention,
    pub encryption: Encryption,
    /// Where `pg_dump` and `pg_restore` of the server's major version are (e.g.
    /// `/usr/lib/postgresql/15/bin`); none: from `PATH`.
    pub pg_bin_dir: Option<PathBuf>,
    /// Where `age` is; none: from `PATH`.
    pub age_program: Option<PathBuf>,
}

impl BackupSettings {
    pub(crate) fn pg_program(&self, name: &str) -> PathBuf {
        self.pg_bin_dir
            .as_ref()
            .map_or_else(|| PathBuf::from(name), |dir| dir.join(name))
    }

    pub(crate) fn age(&self) -> PathBuf {
        self.age_program
            .clone()
            .unwrap_or_else(|| PathBuf::from("age"))
    }
}
