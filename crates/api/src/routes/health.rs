//! Liveness and readiness probes for orchestrators and load balancers.

use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::get;
use actix_web::web::{Data, Json};
use serde::Serialize;
use std::time::Duration;
use tisseco_application::AppError;
use utoipa::ToSchema;

const READY_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up (no dependency is checked).
#[utoipa::path(tag = "health", security(()), responses((status = 200, body = Health)))]
#[get("/health/live")]
pub async fn live() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The process can serve: the database answers within 2 seconds.
#[utoipa::path(tag = "health", security(()), responses(
    (status = 200, body = Health),
    (status = 503, body = Problem, content_type = "application/problem+json"),
))]
#[get("/health/ready")]
pub async fn ready(state: Data<AppState>) -> Result<Json<Health>, ApiError> {
    match tokio::time::timeout(READY_TIMEOUT, state.database.ping()).await {
        Ok(Ok(())) => Ok(Json(Health { status: "ok" })),
        Ok(Err(error)) => Err(AppError::Unavailable(error.to_string()).into()),
        Err(_) => Err(AppError::Unavailable("the database did not answer in time".into()).into()),
    }
}
