//! Backups from the environment (`BACKUP_*`), and the two commands that use them: a backup
//! (with its retention) and a restore into an empty database.

use crate::config::{ConfigError, Source, in_range, optional, required};
use chrono::{NaiveTime, Utc};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Duration;
pub use tisseco_backup::{BackupReport, BackupSettings};
use tisseco_backup::{Encryption, Retention, StorageSettings};

/// Reads the `BACKUP_*` variables.
///
/// # Errors
/// The first one missing or invalid, by name.
pub fn backup_settings(source: &dyn Source) -> Result<BackupSettings, ConfigError> {
    let endpoint: String = required(
        source,
        "BACKUP_S3_ENDPOINT",
        "the storage's URL, like https://s3.fr-par.scw.cloud",
    )?;
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        return Err(ConfigError {
            variable: "BACKUP_S3_ENDPOINT".into(),
            problem: "expected a URL starting with https:// (or http:// on a private network)"
                .into(),
        });
    }
    let mut prefix: String = optional(source, "BACKUP_S3_PREFIX", String::new(), "a key prefix")?;
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    let storage = StorageSettings {
        endpoint,
        region: optional(
            source,
            "BACKUP_S3_REGION",
            "us-east-1".into(),
            "a region name",
        )?,
        bucket: required(source, "BACKUP_S3_BUCKET", "a bucket name")?,
        prefix,
        access_key_id: required(source, "BACKUP_S3_ACCESS_KEY_ID", "an access key id")?,
        secret_access_key: SecretString::from(required::<String>(
            source,
            "BACKUP_S3_SECRET_ACCESS_KEY",
            "the secret access key",
        )?),
        path_style: optional(source, "BACKUP_S3_PATH_STYLE", true, "true or false")?,
    };
    let retention = Retention {
        daily: in_range(
            "BACKUP_KEEP_DAILY",
            optional(source, "BACKUP_KEEP_DAILY", 7, "a number of days")?,
            1..=3660,
        )?,
        weekly: in_range(
            "BACKUP_KEEP_WEEKLY",
            optional(source, "BACKUP_KEEP_WEEKLY", 8, "a number of weeks")?,
            0..=520,
        )?,
    };
    let recipients: Vec<String> = source
        .get("BACKUP_AGE_RECIPIENTS")
        .map(|list| {
            list.split([',', ' ', '\n'])
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(bad) = recipients.iter().find(|r| !r.starts_with("age1")) {
        return Err(ConfigError {
            variable: "BACKUP_AGE_RECIPIENTS".into(),
            problem: format!("'{bad}' is not an age public key (age1…, from age-keygen)"),
        });
    }
    Ok(BackupSettings {
        storage,
        retention,
        encryption: Encryption {
            recipients,
            identity_file: source.get("BACKUP_AGE_IDENTITY_FILE").map(PathBuf::from),
        },
        pg_bin_dir: source.get("BACKUP_PG_BIN_DIR").map(PathBuf::from),
        age_program: source.get("BACKUP_AGE_PROGRAM").map(PathBuf::from),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum BackupCommandError {
    #[error(transparent)]
    Backup(#[from] tisseco_backup::BackupError),
    #[error("the database is not empty ({0} and others): restore only into a new database")]
    NotEmpty(String),
    #[error("cannot inspect the target database: {0}")]
    Database(String),
}

/// Takes one backup now and prunes old copies.
///
/// # Errors
/// When the dump, the encryption or the storage fails.
pub async fn take_backup(
    settings: &BackupSettings,
    database_url: &SecretString,
) -> Result<BackupReport, BackupCommandError> {
    Ok(tisseco_backup::backup(settings, database_url, Utc::now()).await?)
}

/// Takes a backup every day at `at` (UTC), forever; a failed one is logged and the next
/// day's still runs. For one scheduler process (the compose `backup` service, a CronJob).
pub async fn backup_daily(settings: &BackupSettings, database_url: &SecretString, at: NaiveTime) {
    loop {
        let now = Utc::now();
        let next = tisseco_backup::schedule::next_run(now, at);
        tracing::info!(backup.next = %next, "next backup scheduled");
        let wait = (next - now).to_std().unwrap_or(Duration::from_secs(1));
        tokio::time::sleep(wait).await;
        match take_backup(settings, database_url).await {
            Ok(report) => log_report(&report),
            Err(error) => tracing::error!(error = %error, "backup failed"),
        }
    }
}

pub fn log_report(report: &BackupReport) {
    tracing::info!(
        backup.key = %report.key,
        backup.bytes = report.bytes,
        backup.seconds = report.took.as_secs_f64(),
        backup.deleted = report.deleted.len(),
        "backup stored"
    );
}

/// Restores the backup `key` into the database at `database_url`, which must be empty.
///
/// # Errors
/// When the database holds tables, or the download or `pg_restore` fails.
pub async fn restore_backup(
    settings: &BackupSettings,
    database_url: &SecretString,
    key: &str,
) -> Result<Duration, BackupCommandError> {
    let tables = tisseco_adapter_postgres::user_tables(database_url)
        .await
        .map_err(|e| BackupCommandError::Database(e.to_string()))?;
    if let Some(first) = tables.first() {
        return Err(BackupCommandError::NotEmpty(first.clone()));
    }
    Ok(tisseco_backup::restore(settings, database_url, key).await?)
}

/// The backups in the bucket (key, time taken), newest first.
///
/// # Errors
/// When the storage fails.
pub async fn list_backups(
    settings: &BackupSettings,
) -> Result<Vec<(String, chrono::DateTime<Utc>)>, BackupCommandError> {
    let store = tisseco_backup::Store::new(&settings.storage)?;
    Ok(tisseco_backup::list(&store).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: [(&str, &str); 4] = [
        ("BACKUP_S3_ENDPOINT", "http://127.0.0.1:9000"),
        ("BACKUP_S3_BUCKET", "backups"),
        ("BACKUP_S3_ACCESS_KEY_ID", "id"),
        ("BACKUP_S3_SECRET_ACCESS_KEY", "secret"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        BASE.iter().chain(extra).copied().collect()
    }

    #[test]
    fn defaults_keep_a_week_of_days_and_two_months_of_weeks_unencrypted() {
        let settings = backup_settings(&with(&[("BACKUP_S3_PREFIX", "prod")])).unwrap();
        assert_eq!(settings.storage.prefix, "prod/");
        assert_eq!(
            settings.retention,
            Retention {
                daily: 7,
                weekly: 8
            }
        );
        assert!(settings.encryption.recipients.is_empty());
        assert!(settings.storage.path_style);
    }

    #[test]
    fn bad_values_are_named() {
        for (name, value) in [
            ("BACKUP_S3_ENDPOINT", "s3.example.com"),
            ("BACKUP_KEEP_DAILY", "0"),
            ("BACKUP_AGE_RECIPIENTS", "ssh-ed25519 AAAA"),
            ("BACKUP_S3_PATH_STYLE", "maybe"),
        ] {
            let mut source = with(&[]);
            source.retain(|(key, _)| *key != name);
            source.push((name, value));
            assert_eq!(backup_settings(&source).unwrap_err().variable, name);
        }
        let missing = backup_settings(&[]).unwrap_err();
        assert_eq!(missing.variable, "BACKUP_S3_ENDPOINT");
    }

    #[test]
    fn several_recipients_can_decrypt() {
        let settings =
            backup_settings(&with(&[("BACKUP_AGE_RECIPIENTS", "age1aaa, age1bbb")])).unwrap();
        assert_eq!(settings.encryption.recipients, ["age1aaa", "age1bbb"]);
    }
}
