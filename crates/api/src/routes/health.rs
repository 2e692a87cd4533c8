//! Liveness and readiness probes for orchestrators and load balancers.

use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json};
use serde::Serialize;
use std::time::Duration;
use tisseco_application::AppError;
use tisseco_application::ports::HealthCheck;
use utoipa::ToSchema;

const READY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when Redis is down (rate limits fail open, sign-in waits).
    #[schema(example = "ok")]
    pub status: &'static str,
    /// Each dependency: `ok` or `down` (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<Checks>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Checks {
    #[schema(example = "ok")]
    pub postgres: &'static str,
    #[schema(example = "ok")]
    pub redis: &'static str,
}

/// The process is up (no dependency is checked).
#[utoipa::path(tag = "health", security(()), responses((status = 200, body = Health)))]
#[get("/health/live")]
pub async fn live() -> Json<Health> {
    Json(Health {
        status: "ok",
        checks: None,
    })
}

async fn answers(probe: &dyn HealthCheck) -> Result<(), String> {
    match tokio::time::timeout(READY_TIMEOUT, probe.ping()).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("no answer within 2 s".into()),
    }
}

fn word(check: &Result<(), String>) -> &'static str {
    if check.is_ok() { "ok" } else { "down" }
}

/// The process can serve: the database answers within 2 seconds. Redis is checked too,
/// separately: without it the API still serves (degraded), so readiness stays 200.
#[utoipa::path(tag = "health", security(()), responses(
    (status = 200, body = Health),
    (status = 503, body = Problem, content_type = "application/problem+json"),
))]
#[get("/health/ready")]
pub async fn ready(state: Data<AppState>) -> Result<Json<Health>, ApiError> {
    let (postgres, redis) = tokio::join!(
        answers(state.database.as_ref()),
        answers(state.redis.as_ref())
    );
    if let Err(error) = &postgres {
        return Err(
            AppError::Unavailable(format!("postgres: {error}; redis: {}", word(&redis))).into(),
        );
    }
    Ok(Json(Health {
        status: if redis.is_ok() { "ok" } else { "degraded" },
        checks: Some(Checks {
            postgres: word(&postgres),
            redis: word(&redis),
        }),
    }))
}
