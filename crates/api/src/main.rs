//! `tisseco-api`: serves the HTTP API; also migrates, seeds and manages the first admin.

mod backups;

use clap::{Parser, Subcommand};
use std::io::BufRead;
use std::net::TcpListener;
use std::process::ExitCode;
use tisseco_bootstrap::config::ProcessEnv;
use tisseco_bootstrap::{
    MetricsSettings, Settings, build_api, create_admin, generate_signing_key, run_migrations,
    seed_demo_data, seed_demo_users,
};

// glibc malloc was a tenth of the API's CPU under load (the worker uses mimalloc too).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "tisseco-api", version, about = "The Tisseco HTTP API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Load the demo data set (two sites, nine areas, about 300 containers), then exit.
    Seed,
    /// Development only: create the demo admin, manager and driver and print their credentials.
    SeedDemoUsers,
    /// Create an admin account. The password is read from TISSECO_ADMIN_PASSWORD, else
    /// from the first line of standard input (never from a flag).
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Print the OpenAPI document (JSON) without a server or settings: the console's
    /// typed client is generated from it.
    Openapi,
    /// Back the database up to S3-compatible storage now (BACKUP_* settings), then delete
    /// the copies retention no longer keeps. With --daily-at, stay up and do so every day.
    Backup {
        /// A UTC time of day (HH:MM): run daily at that time instead of once now.
        #[arg(long, value_name = "HH:MM")]
        daily_at: Option<String>,
    },
    /// List the backups in the bucket, newest first.
    ListBackups,
    /// Restore a backup (its key, from list-backups) into DATABASE_URL, which must be an
    /// empty database; `migrate` then has nothing to do.
    Restore {
        #[arg(long, value_name = "KEY")]
        from: String,
    },
    /// Print a new token-signing key (for AUTH_PRIVATE_KEY) and its public part.
    GenerateKey {
        /// The key's id (AUTH_KEY_ID); raise it at each rotation.
        #[arg(long, default_value_t = 1)]
        id: u32,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let command = Cli::parse().command.unwrap_or(Command::Serve);
    if let Command::GenerateKey { id } = command {
        let (private, public) = generate_signing_key(id);
        println!(
            "AUTH_PRIVATE_KEY={private}\nAUTH_KEY_ID={id}\n# after the next rotation, list in AUTH_PREVIOUS_PUBLIC_KEYS: {public}"
        );
        return ExitCode::SUCCESS;
    }
    if let Command::Openapi = command {
        return match tisseco_api::openapi().to_pretty_json() {
            Ok(json) => {
                println!("{json}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("tisseco-api: openapi: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let command = match command {
        Command::Backup { daily_at } => {
            return backups::run(backups::BackupCommand::Backup { daily_at }).await;
        }
        Command::ListBackups => return backups::run(backups::BackupCommand::List).await,
        Command::Restore { from } => {
            return backups::run(backups::BackupCommand::Restore { key: from }).await;
        }
        other => other,
    };
    let settings = match tisseco_bootstrap::apply_default_locale(&ProcessEnv)
        .and_then(|_| Settings::from_source(&ProcessEnv, "tisseco-api"))
    {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("tisseco-api: configuration error: {error}");
            return ExitCode::from(2);
        }
    };
    let _telemetry = match tisseco_telemetry::init(&settings.telemetry) {
        Ok(guard) => guard,
        Err(error) => {
            eprintln!("tisseco-api: telemetry: {error}");
            return ExitCode::from(2);
        }
    };
    match run(command, &settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "tisseco-api stopped");
            eprintln!("tisseco-api: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Starts the metrics server on `METRICS_BIND` (unless `off`) beside the API.
fn serve_metrics() -> Result<(), String> {
    let settings = MetricsSettings::from_source(&ProcessEnv).map_err(|e| e.to_string())?;
    let Some(bind) = settings.bind else {
        return Ok(());
    };
    tisseco_telemetry::metrics::install().map_err(|e| format!("metrics: {e}"))?;
    let listener = TcpListener::bind(bind)
        .map_err(|e| format!("METRICS_BIND: cannot listen on {bind}: {e}"))?;
    let server = tisseco_api::metrics::serve(listener).map_err(|e| e.to_string())?;
    tracing::info!(metrics.address = %bind, "metrics at /metrics");
    tokio::spawn(server);
    Ok(())
}

fn admin_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("TISSECO_ADMIN_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn run(command: Command, settings: &Settings) -> Result<(), String> {
    let services = || build_api(settings);
    match command {
        Command::Migrate => {
            let applied = run_migrations(&settings.database.url)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(migrations.applied = applied.len(), "database migrated");
        }
        Command::Seed => {
            let report = seed_demo_data(&services()?.registry)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(
                seed.sites = report.sites,
                seed.areas = report.areas,
                seed.containers = report.containers,
                "demo data loaded"
            );
        }
        Command::SeedDemoUsers => {
            for user in seed_demo_users(&services()?.auth)
                .await
                .map_err(|e| e.to_string())?
            {
                println!(
                    "  {:<8} {:<22} password: {}",
                    user.role.as_str(),
                    user.email,
                    user.password
                );
            }
        }
        Command::CreateAdmin { email, name } => {
            let password = admin_password()?;
            let admin = create_admin(&services()?.auth, &email, &name, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!("admin {} created ({})", admin.email.as_str(), admin.id);
        }
        Command::Serve => {
            let listener = TcpListener::bind(settings.http.bind)
                .map_err(|e| format!("HTTP_BIND: cannot listen on {}: {e}", settings.http.bind))?;
            let address = listener.local_addr().map_err(|e| e.to_string())?;
            tracing::info!(http.address = %address, docs = %format!("http://{address}{}", tisseco_api::DOCS_PATH), "serving");
            serve_metrics()?;
            tisseco_api::serve(listener, services()?, &settings.http)
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())?;
        }
        Command::GenerateKey { .. }
        | Command::Openapi
        | Command::Backup { .. }
        | Command::ListBackups
        | Command::Restore { .. } => {}
    }
    Ok(())
}
