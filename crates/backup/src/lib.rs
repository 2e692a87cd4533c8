//! Database backups. `pg_dump -Fc` is piped (through `age` when encryption is on) straight
//! into a multipart upload to S3-compatible storage: the dump is never whole in memory or on
//! disk. Old copies are pruned by [`retention`]; a restore streams the object back into
//! `pg_restore`. The PostgreSQL tools must be of the server's major version.

mod connection;
mod keys;
pub mod retention;
pub mod schedule;
mod settings;
mod store;
mod tool;

pub use keys::{backup_key, is_encrypted, taken_at};
pub use retention::Retention;
pub use settings::{BackupSettings, Encryption, StorageSettings};
pub use store::Store;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tool::Tool;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("storage: {0}")]
    Storage(String),
    #[error("{0}")]
    Tool(String),
    #[error("{0}")]
    Invalid(String),
}

/// What a backup did.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub key: String,
    pub bytes: u64,
    pub took: Duration,
    /// Older copies deleted by retention.
    pub deleted: Vec<String>,
}

fn pg_env(password: Option<&SecretString>) -> Vec<(&'static str, &str)> {
    let mut envs = vec![("PGAPPNAME", "tisseco-backup")];
    if let Some(password) = password {
        envs.push(("PGPASSWORD", password.expose_secret()));
    }
    envs
}

/// Dumps the database at `database_url` into the bucket as of `now`, then prunes old
/// copies. A failed dump leaves no object behind.
///
/// # Errors
/// When a tool fails, the storage fails, or the URL does not parse.
pub async fn backup(
    settings: &BackupSettings,
    database_url: &SecretString,
    now: DateTime<Utc>,
) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    let store = Store::new(&settings.storage)?;
    let encrypted = !settings.encryption.recipients.is_empty();
    let key = backup_key(store.prefix(), now, encrypted);
    let (url, password) = connection::split_password(database_url).map_err(BackupError::Invalid)?;
    let args = ["--format=custom", "--no-password", "--dbname", url.as_str()];
    let mut dump = Tool::spawn(
        &settings.pg_program("pg_dump"),
        &args,
        &pg_env(password.as_ref()),
        Stdio::null(),
    )?;
    let mut tools = Vec::new();
    let mut output = dump.child.stdout.take();
    tools.push(dump);
    if encrypted {
        let mut age_args = vec!["--encrypt"];
        for recipient in &settings.encryption.recipients {
            age_args.extend(["--recipient", recipient.as_str()]);
        }
        let input: Stdio = output
            .take()
            .ok_or_else(|| BackupError::Tool("pg_dump has no output".into()))?
            .try_into()
            .map_err(|e| BackupError::Tool(format!("cannot pipe pg_dump into age: {e}")))?;
        let mut age = Tool::spawn(&settings.age(), &age_args, &[], input)?;
        output = age.child.stdout.take();
        tools.push(age);
    }
    let mut output =
        output.ok_or_else(|| BackupError::Tool("the backup pipe has no output".into()))?;
    let uploaded = store.upload(&key, &mut output).await;
    drop(output);
    let finished = finish_all(tools, uploaded.is_err()).await;
    let bytes = match (uploaded, finished) {
        (Ok(bytes), Ok(())) => bytes,
        (uploaded, finished) => {
            // The upload completes when the pipe closes, even after a tool died: a
            // truncated dump must not stay where a restore would find it.
            if let Err(error) = store.delete(&key).await {
                tracing::warn!(backup.key = %key, error = %error, "could not delete a failed backup");
            }
            return Err(finished
                .err()
                .or(uploaded.err())
                .unwrap_or_else(|| BackupError::Tool("the backup failed".into())));
        }
    };
    let deleted = prune(&store, settings.retention).await?;
    Ok(BackupReport {
        key,
        bytes,
        took: started.elapsed(),
        deleted,
    })
}

/// Waits for every tool of a pipe, killing them first when the other end gave up.
async fn finish_all(tools: Vec<Tool>, kill: bool) -> Result<(), BackupError> {
    let mut first_error = None;
    for mut tool in tools {
        if kill {
            tool.kill().await;
        }
        if let Err(error) = tool.finish().await {
            first_error.get_or_insert(error);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Deletes the copies that [`Retention`] no longer keeps; returns their keys.
///
/// # Errors
/// When the storage fails.
pub async fn prune(store: &Store, retention: Retention) -> Result<Vec<String>, BackupError> {
    let backups = list(store).await?;
    let doomed = retention::to_delete(&backups, retention);
    for key in &doomed {
        store.delete(key).await?;
    }
    Ok(doomed)
}

/// The backups in the bucket (key, time taken), newest first.
///
/// # Errors
/// When the storage fails.
pub async fn list(store: &Store) -> Result<Vec<(String, DateTime<Utc>)>, BackupError> {
    let mut backups: Vec<(String, DateTime<Utc>)> = store
        .keys()
        .await?
        .into_iter()
        .filter_map(|key| taken_at(store.prefix(), &key).map(|at| (key, at)))
        .collect();
    backups.sort_by_key(|backup| std::cmp::Reverse(backup.1));
    Ok(backups)
}

/// Streams the backup `key` into the database at `database_url`, in one transaction: it
/// all lands or nothing does. The caller checks first that the database is empty.
///
/// # Errors
/// When the object is missing, decryption or `pg_restore` fails.
pub async fn restore(
    settings: &BackupSettings,
    database_url: &SecretString,
    key: &str,
) -> Result<Duration, BackupError> {
    let started = Instant::now();
    let store = Store::new(&settings.storage)?;
    let (url, password) = connection::split_password(database_url).map_err(BackupError::Invalid)?;
    let mut tools = Vec::new();
    let mut object = store.download(key).await?;
    let mut input = if is_encrypted(key) {
        let identity = settings.encryption.identity_file.as_ref().ok_or_else(|| {
            BackupError::Invalid(format!(
                "{key} is encrypted: set BACKUP_AGE_IDENTITY_FILE to the file with its secret key"
            ))
        })?;
        let identity = identity.to_string_lossy();
        let mut age = Tool::spawn(
            &settings.age(),
            &["--decrypt", "--identity", &identity],
            &[],
            Stdio::piped(),
        )?;
        let stdin = age.child.stdin.take();
        let decrypted: Stdio = age
            .child
            .stdout
            .take()
            .ok_or_else(|| BackupError::Tool("age has no output".into()))?
            .try_into()
            .map_err(|e| BackupError::Tool(format!("cannot pipe age into pg_restore: {e}")))?;
        tools.push(age);
        (stdin, decrypted)
    } else {
        (None, Stdio::piped())
    };
    let args = [
        "--no-password",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        "--dbname",
        url.as_str(),
    ];
    let mut pg_restore = Tool::spawn(
        &settings.pg_program("pg_restore"),
        &args,
        &pg_env(password.as_ref()),
        std::mem::replace(&mut input.1, Stdio::null()),
    )?;
    let stdin = input.0.or_else(|| pg_restore.child.stdin.take());
    tools.push(pg_restore);
    let mut stdin =
        stdin.ok_or_else(|| BackupError::Tool("the restore pipe has no input".into()))?;
    let copied = tokio::io::copy(&mut object, &mut stdin).await;
    drop(stdin);
    // A tool that failed explains more than the broken pipe the copy then saw.
    finish_all(tools, false).await?;
    copied.map_err(|e| BackupError::Storage(format!("reading {key}: {e}")))?;
    Ok(started.elapsed())
}
