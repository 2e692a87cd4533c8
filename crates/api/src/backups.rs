//! `tisseco-api backup`, `list-backups` and `restore`: they need the database URL and the
//! `BACKUP_*` settings only, not the API's keys, so an operator can run them anywhere.

use chrono::NaiveTime;
use std::process::ExitCode;
use tisseco_bootstrap::backups::{
    backup_daily, backup_settings, list_backups, log_report, restore_backup, take_backup,
};
use tisseco_bootstrap::config::ProcessEnv;
use tisseco_bootstrap::{database_settings, telemetry_settings};

#[derive(Debug)]
pub enum BackupCommand {
    Backup { daily_at: Option<String> },
    List,
    Restore { key: String },
}

const SERVICE: &str = "tisseco-backup";

pub async fn run(command: BackupCommand) -> ExitCode {
    let settings = database_settings(&ProcessEnv, SERVICE).and_then(|database| {
        Ok((
            database,
            telemetry_settings(&ProcessEnv, SERVICE)?,
            backup_settings(&ProcessEnv)?,
        ))
    });
    let (database, telemetry, backup) = match settings {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("tisseco-api: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    let _telemetry = match tisseco_telemetry::init(&telemetry) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("tisseco-api: telemetry: {error}");
            return ExitCode::from(2);
        }
    };
    let outcome: Result<(), String> = match command {
        BackupCommand::Backup { daily_at: None } => take_backup(&backup, &database.url)
            .await
            .map(|report| log_report(&report))
            .map_err(|e| e.to_string()),
        BackupCommand::Backup {
            daily_at: Some(at),
        } => match NaiveTime::parse_from_str(&at, "%H:%M") {
            Ok(at) => {
                backup_daily(&backup, &database.url, at).await;
                Ok(())
            }
            Err(_) => {
                eprintln!("tisseco-api: --daily-at: expected a UTC time like 02:30, got {at}");
                return ExitCode::from(2);
            }
        },
        BackupCommand::List => list_backups(&backup)
            .await
            .map(|backups| {
                for (key, at) in backups {
                    println!("{}  {key}", at.format("%Y-%m-%d %H:%M:%S UTC"));
                }
            })
            .map_err(|e| e.to_string()),
        BackupCommand::Restore { key } => restore_backup(&backup, &database.url, &key)
            .await
            .map(|took| {
                tracing::info!(backup.key = %key, restore.seconds = took.as_secs_f64(), "backup restored");
            })
            .map_err(|e| e.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "backup command failed");
            eprintln!("tisseco-api: {error}");
            ExitCode::FAILURE
        }
    }
}
