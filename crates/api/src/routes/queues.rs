//! `/api/v1/admin/queues`: the queue dashboard — counts per queue, dead jobs with their
//! error, retry or discard one. Declared admin-only (`security(("bearer" = ["admin"]))`);
//! enforced once the authentication of issue 3 is merged.

use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::state::AppState;
use actix_web::web::{Data, Json, Path};
use actix_web::{HttpResponse, delete, get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tisseco_application::jobs::{DeadJob, QueueOverview};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDto {
    #[schema(example = "events")]
    pub name: String,
    /// Jobs waiting for a worker.
    pub depth: u64,
    /// Jobs a worker is running (read, not yet acknowledged).
    pub in_flight: u64,
    /// Jobs waiting for their next attempt.
    pub delayed: u64,
    /// Jobs that failed every attempt.
    pub dead: u64,
}

impl From<QueueOverview> for QueueDto {
    fn from(q: QueueOverview) -> Self {
        Self {
            name: q.name,
            depth: q.counts.depth,
            in_flight: q.counts.in_flight,
            delayed: q.counts.delayed,
            dead: q.counts.dead,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadJobDto {
    /// Use it to retry or discard the job.
    #[schema(example = "1763772000000-0")]
    pub dead_id: String,
    pub job_id: String,
    #[serde(rename = "type")]
    #[schema(example = "mail.send")]
    pub kind: String,
    pub attempts: u32,
    /// The request that caused the job.
    pub correlation_id: Option<String>,
    pub payload: serde_json::Value,
    /// The error of the last attempt.
    pub error: String,
    pub enqueued_at: DateTime<Utc>,
    pub failed_at: DateTime<Utc>,
}

impl From<DeadJob> for DeadJobDto {
    fn from(d: DeadJob) -> Self {
        Self {
            dead_id: d.dead_id,
            job_id: d.job.id,
            kind: d.job.kind,
            attempts: d.job.attempt,
            correlation_id: d.job.correlation_id,
            payload: d.job.payload,
            error: d.error,
            enqueued_at: d.job.enqueued_at,
            failed_at: d.failed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    pub items: Vec<T>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeadQuery {
    /// 1 to 500 (default 50), newest first.
    pub limit: Option<u32>,
}

/// Every queue with its counts.
#[utoipa::path(tag = "queues", security(("bearer" = ["admin"])), responses(
    (status = 200, body = Items<QueueDto>),
    (status = 503, description = "Redis unreachable", body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin/queues")]
pub async fn list_queues(state: Data<AppState>) -> Result<Json<Items<QueueDto>>, ApiError> {
    let items = state.queues.overview().await?;
    Ok(Json(Items {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// The dead jobs of a queue, newest first, with the error of their last attempt.
#[utoipa::path(tag = "queues", security(("bearer" = ["admin"])), params(DeadQuery), responses(
    (status = 200, body = Items<DeadJobDto>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin/queues/{queue}/dead")]
pub async fn list_dead_jobs(
    queue: Path<String>,
    query: ValidQuery<DeadQuery>,
    state: Data<AppState>,
) -> Result<Json<Items<DeadJobDto>>, ApiError> {
    let limit = query.0.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::bad_request("limit", "must be between 1 and 500"));
    }
    let items = state.queues.dead_jobs(&queue, limit).await?;
    Ok(Json(Items {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Put a dead job back on its queue for a fresh set of attempts.
#[utoipa::path(tag = "queues", security(("bearer" = ["admin"])), responses(
    (status = 204, description = "Queued again"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[post("/admin/queues/{queue}/dead/{dead_id}/retry")]
pub async fn retry_dead_job(
    path: Path<(String, String)>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (queue, dead_id) = path.into_inner();
    state.queues.retry(&queue, &dead_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Delete a dead job for good.
#[utoipa::path(tag = "queues", security(("bearer" = ["admin"])), responses(
    (status = 204, description = "Deleted"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[delete("/admin/queues/{queue}/dead/{dead_id}")]
pub async fn discard_dead_job(
    path: Path<(String, String)>,
    state: Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let (queue, dead_id) = path.into_inner();
    state.queues.discard(&queue, &dead_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
