//! `tisseco-api`: serves the HTTP API, or migrates the database, or loads demo data.

use clap::{Parser, Subcommand};
use std::net::TcpListener;
use std::process::ExitCode;
use tisseco_bootstrap::config::ProcessEnv;
use tisseco_bootstrap::{
    PoolMode, Settings, build_services_with_cache, run_migrations, seed_demo_data,
};

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
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::from_source(&ProcessEnv, "tisseco-api") {
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
    match run(cli.command.unwrap_or(Command::Serve), &settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = %error, "tisseco-api stopped");
            eprintln!("tisseco-api: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, settings: &Settings) -> Result<(), String> {
    match command {
        Command::Migrate => {
            let applied = run_migrations(&settings.database.url)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(migrations.applied = applied.len(), "database migrated");
            Ok(())
        }
        Command::Seed => {
            let services =
                build_services_with_cache(&settings.database, PoolMode::Normal, &settings.cache)?;
            let report = seed_demo_data(&services.registry)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(
                seed.sites = report.sites,
                seed.areas = report.areas,
                seed.containers = report.containers,
                "demo data loaded"
            );
            Ok(())
        }
        Command::Serve => {
            let services =
                build_services_with_cache(&settings.database, PoolMode::Normal, &settings.cache)?;
            let listener = TcpListener::bind(settings.http.bind)
                .map_err(|e| format!("HTTP_BIND: cannot listen on {}: {e}", settings.http.bind))?;
            let address = listener.local_addr().map_err(|e| e.to_string())?;
            tracing::info!(http.address = %address, docs = %format!("http://{address}{}", tisseco_api::DOCS_PATH), "serving");
            tisseco_api::serve(listener, services, &settings.http)
                .map_err(|e| e.to_string())?
                .await
                .map_err(|e| e.to_string())
        }
    }
}
